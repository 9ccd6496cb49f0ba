// Command: each command read from a frame (names and options case-insensitive, EX/PX), the
// error replies for bad arguments, Unknown, and to_frame round trips.
#include <chrono>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <mini_redis/command.hpp>
#include <mini_redis/frame.hpp>
#include <mini_redis/frame_parser.hpp>

namespace {

using mini_redis::Command;
using mini_redis::CommandError;
using mini_redis::Frame;
using namespace std::chrono_literals;
using ErrKind = mini_redis::CommandError::Kind;

Frame cmd_frame(std::vector<std::string> words) {
  Frame f = Frame::array();
  for (const auto& w : words) f.push_bulk(w);
  return f;
}

Command parse_ok(std::vector<std::string> words) {
  auto r = Command::from_frame(cmd_frame(words));
  EXPECT_TRUE(r) << (r ? "" : r.error().message());
  return r ? std::move(r).value() : Command(mini_redis::Unknown{"<failed>"});
}

CommandError parse_err(std::vector<std::string> words) {
  auto r = Command::from_frame(cmd_frame(words));
  EXPECT_FALSE(r) << "parsed as " << (r ? std::string(r->name()) : "");
  return r ? CommandError(ErrKind::protocol, "<parsed>") : r.error();
}

TEST(Command, Ping) {
  EXPECT_EQ(parse_ok({"PING"}), Command(mini_redis::Ping{}));
  EXPECT_EQ(parse_ok({"ping", "hello"}), Command(mini_redis::Ping{"hello"}));
  const CommandError e = parse_err({"ping", "a", "b"});
  EXPECT_EQ(e.kind(), ErrKind::wrong_arity);
  EXPECT_EQ(e.message(), "ERR wrong number of arguments for 'ping' command");
}

TEST(Command, Get) {
  Command c = parse_ok({"GET", "key"});
  ASSERT_TRUE(c.is<mini_redis::Get>());
  EXPECT_EQ(c.get_if<mini_redis::Get>()->key, "key");
  EXPECT_EQ(c.get_if<mini_redis::Set>(), nullptr);
  EXPECT_EQ(c.name(), "get");
  for (const std::vector<std::string>& words :
       {std::vector<std::string>{"get"}, std::vector<std::string>{"get", "a", "b"}}) {
    const CommandError e = parse_err(words);
    EXPECT_EQ(e.kind(), ErrKind::wrong_arity);
    EXPECT_EQ(e.message(), "ERR wrong number of arguments for 'get' command");
  }
}

TEST(Command, NamesAreCaseInsensitive) {
  EXPECT_TRUE(parse_ok({"gEt", "k"}).is<mini_redis::Get>());
  EXPECT_TRUE(parse_ok({"Set", "k", "v"}).is<mini_redis::Set>());
  EXPECT_TRUE(parse_ok({"pInG"}).is<mini_redis::Ping>());
  EXPECT_TRUE(parse_ok({"PUBLISH", "c", "m"}).is<mini_redis::Publish>());
  EXPECT_TRUE(parse_ok({"SubScribe", "c"}).is<mini_redis::Subscribe>());
  EXPECT_TRUE(parse_ok({"UNSUBSCRIBE"}).is<mini_redis::Unsubscribe>());
}

TEST(Command, NameMayBeASimpleString) {
  auto r = Command::from_frame(Frame::array({Frame::simple("GET"), Frame::simple("k")}));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, Command(mini_redis::Get{"k"}));
}

TEST(Command, SetWithoutExpiry) {
  EXPECT_EQ(parse_ok({"SET", "k", "v"}), Command(mini_redis::Set{"k", "v", std::nullopt}));
  const std::string binary("a\0\r\nb", 5);
  EXPECT_EQ(parse_ok({"set", "k", binary}).get_if<mini_redis::Set>()->value, binary);
}

TEST(Command, SetExAndPxAreCaseInsensitive) {
  EXPECT_EQ(parse_ok({"SET", "k", "v", "EX", "10"}).get_if<mini_redis::Set>()->expire, 10s);
  EXPECT_EQ(parse_ok({"SET", "k", "v", "ex", "2"}).get_if<mini_redis::Set>()->expire, 2000ms);
  EXPECT_EQ(parse_ok({"SET", "k", "v", "Px", "1500"}).get_if<mini_redis::Set>()->expire, 1500ms);
  EXPECT_EQ(parse_ok({"SET", "k", "v", "pX", "1"}).get_if<mini_redis::Set>()->expire, 1ms);
}

TEST(Command, SetExpiryMayBeAnIntegerFrame) {
  auto r = Command::from_frame(Frame::array({Frame::bulk("SET"), Frame::bulk("k"), Frame::bulk("v"),
                                             Frame::bulk("px"), Frame::integer(25)}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->get_if<mini_redis::Set>()->expire, 25ms);
}

TEST(Command, SetErrors) {
  struct Case {
    std::vector<std::string> words;
    ErrKind kind;
    const char* message;
  };
  const Case cases[] = {
      {{"SET"}, ErrKind::wrong_arity, "ERR wrong number of arguments for 'set' command"},
      {{"SET", "k"}, ErrKind::wrong_arity, "ERR wrong number of arguments for 'set' command"},
      {{"SET", "k", "v", "NX"}, ErrKind::syntax, "ERR syntax error"},
      {{"SET", "k", "v", "EX"}, ErrKind::syntax, "ERR syntax error"},
      {{"SET", "k", "v", "EX", "1", "PX", "5"}, ErrKind::syntax, "ERR syntax error"},
      {{"SET", "k", "v", "EX", "1", "extra"}, ErrKind::syntax, "ERR syntax error"},
      {{"SET", "k", "v", "EX", "ten"},
       ErrKind::not_integer,
       "ERR value is not an integer or out of range"},
      {{"SET", "k", "v", "PX", "1.5"},
       ErrKind::not_integer,
       "ERR value is not an integer or out of range"},
      {{"SET", "k", "v", "EX", "0"},
       ErrKind::invalid_expire,
       "ERR invalid expire time in 'set' command"},
      {{"SET", "k", "v", "PX", "-5"},
       ErrKind::invalid_expire,
       "ERR invalid expire time in 'set' command"},
      {{"SET", "k", "v", "EX", "9223372036854775807"},
       ErrKind::invalid_expire,
       "ERR invalid expire time in 'set' command"},
  };
  for (const auto& c : cases) {
    const CommandError e = parse_err(c.words);
    EXPECT_EQ(e.kind(), c.kind) << e.message();
    EXPECT_EQ(e.message(), c.message);
    EXPECT_EQ(e.to_frame(), Frame::error(c.message));
  }
  // The largest EX whose milliseconds fit in int64.
  EXPECT_EQ(parse_ok({"SET", "k", "v", "EX", "9223372036854775"}).get_if<mini_redis::Set>()->expire,
            9223372036854775000ms);
}

TEST(Command, Publish) {
  EXPECT_EQ(parse_ok({"PUBLISH", "news", "hi"}), Command(mini_redis::Publish{"news", "hi"}));
  EXPECT_EQ(parse_err({"PUBLISH", "news"}).message(),
            "ERR wrong number of arguments for 'publish' command");
  EXPECT_EQ(parse_err({"PUBLISH", "a", "b", "c"}).kind(), ErrKind::wrong_arity);
}

TEST(Command, SubscribeNeedsAChannel) {
  EXPECT_EQ(parse_ok({"SUBSCRIBE", "a", "b"}), Command(mini_redis::Subscribe{{"a", "b"}}));
  const CommandError e = parse_err({"SUBSCRIBE"});
  EXPECT_EQ(e.kind(), ErrKind::wrong_arity);
  EXPECT_EQ(e.message(), "ERR wrong number of arguments for 'subscribe' command");
}

TEST(Command, UnsubscribeWithoutChannelsMeansAll) {
  EXPECT_EQ(parse_ok({"UNSUBSCRIBE"}), Command(mini_redis::Unsubscribe{}));
  EXPECT_TRUE(parse_ok({"unsubscribe"}).get_if<mini_redis::Unsubscribe>()->channels.empty());
  EXPECT_EQ(parse_ok({"UNSUBSCRIBE", "x"}), Command(mini_redis::Unsubscribe{{"x"}}));
}

TEST(Command, UnknownCommandsParse) {
  Command c = parse_ok({"FLUSHALL", "ASYNC"});
  ASSERT_TRUE(c.is<mini_redis::Unknown>());
  EXPECT_EQ(c.get_if<mini_redis::Unknown>()->name, "FLUSHALL");
  EXPECT_EQ(c.name(), "FLUSHALL");
  EXPECT_EQ(c.get_if<mini_redis::Unknown>()->error_message(), "ERR unknown command 'FLUSHALL'");
  EXPECT_TRUE(parse_ok({"foo"}).is<mini_redis::Unknown>());
}

TEST(Command, NotACommandFrame) {
  auto not_array = Command::from_frame(Frame::bulk("GET"));
  ASSERT_FALSE(not_array);
  EXPECT_EQ(not_array.error().kind(), ErrKind::protocol);
  EXPECT_EQ(not_array.error().message(), "ERR protocol error; expected array, got \"GET\"");

  auto empty = Command::from_frame(Frame::array());
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind(), ErrKind::protocol);
  EXPECT_EQ(empty.error().message(), "ERR empty command");

  auto int_name = Command::from_frame(Frame::array({Frame::integer(1)}));
  ASSERT_FALSE(int_name);
  EXPECT_EQ(int_name.error().kind(), ErrKind::protocol);

  auto int_key = Command::from_frame(Frame::array({Frame::bulk("GET"), Frame::integer(1)}));
  ASSERT_FALSE(int_key);
  EXPECT_EQ(int_key.error().kind(), ErrKind::protocol);
  EXPECT_EQ(int_key.error().message(),
            "ERR protocol error; expected simple or bulk string, got (integer) 1");
}

TEST(Command, ToFrameWritesBulkStrings) {
  EXPECT_EQ(Command(mini_redis::Ping{}).to_frame(), cmd_frame({"ping"}));
  EXPECT_EQ(Command(mini_redis::Ping{"hi"}).to_frame(), cmd_frame({"ping", "hi"}));
  EXPECT_EQ(Command(mini_redis::Get{"k"}).to_frame(), cmd_frame({"get", "k"}));
  EXPECT_EQ(Command(mini_redis::Set{"k", "v", std::nullopt}).to_frame(),
            cmd_frame({"set", "k", "v"}));
  EXPECT_EQ(Command(mini_redis::Set{"k", "v", 10s}).to_frame(),
            cmd_frame({"set", "k", "v", "px", "10000"}));
  EXPECT_EQ(Command(mini_redis::Publish{"c", "m"}).to_frame(), cmd_frame({"publish", "c", "m"}));
  EXPECT_EQ(Command(mini_redis::Subscribe{{"a", "b"}}).to_frame(),
            cmd_frame({"subscribe", "a", "b"}));
  EXPECT_EQ(Command(mini_redis::Unsubscribe{}).to_frame(), cmd_frame({"unsubscribe"}));
  EXPECT_EQ(Command(mini_redis::Unknown{"FOO"}).to_frame(), cmd_frame({"FOO"}));
  EXPECT_EQ(mini_redis::encode(Command(mini_redis::Get{"k"}).to_frame()),
            "*2\r\n$3\r\nget\r\n$1\r\nk\r\n");
}

TEST(Command, ToFrameRoundTrips) {
  const Command commands[] = {
      mini_redis::Ping{},
      mini_redis::Ping{"msg"},
      mini_redis::Get{"key"},
      mini_redis::Set{"key", std::string("v\0\r\n", 4), std::nullopt},
      mini_redis::Set{"key", "value", 1ms},
      mini_redis::Set{"key", "value", 3600s},
      mini_redis::Publish{"chan", "message"},
      mini_redis::Subscribe{{"a"}},
      mini_redis::Subscribe{{"a", "b", "c"}},
      mini_redis::Unsubscribe{},
      mini_redis::Unsubscribe{{"a", "b"}},
      mini_redis::Unknown{"frobnicate"},
  };
  for (const Command& c : commands) {
    const Frame f = c.to_frame();
    auto back = Command::from_frame(f);
    ASSERT_TRUE(back) << f << ": " << back.error().message();
    EXPECT_EQ(*back, c) << f;
    // And through the wire.
    auto parsed = mini_redis::parse_frame(mini_redis::encode(f));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(Command::from_frame(parsed->frame).value(), c);
  }
}

TEST(Command, FromAnInlineCommand) {
  auto parsed = mini_redis::parse_frame("set greeting hello EX 60\r\n");
  ASSERT_TRUE(parsed);
  auto c = Command::from_frame(std::move(parsed->frame));
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, Command(mini_redis::Set{"greeting", "hello", 60s}));
}

TEST(Command, VisitTheVariant) {
  const Command c = mini_redis::Publish{"c", "m"};
  const std::string what = std::visit(
      [](const auto& cmd) -> std::string {
        using T = std::decay_t<decltype(cmd)>;
        if constexpr (std::is_same_v<T, mini_redis::Publish>)
          return cmd.channel + ":" + cmd.message;
        return "other";
      },
      c.variant());
  EXPECT_EQ(what, "c:m");
  Command moved = mini_redis::Get{"k"};
  auto v = std::move(moved).variant();
  EXPECT_EQ(std::get<mini_redis::Get>(v).key, "k");
}

}  // namespace
