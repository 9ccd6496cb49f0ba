// mini_redis::Client and Subscriber against a real redis-server (tests/support/child_process.hpp
// starts one on a free loopback port per test; skipped only when redis-server is missing).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <mini_redis/client.hpp>
#include <mini_redis/subscriber.hpp>

#include <sluice/runtime.hpp>
#include <sluice/sleep.hpp>
#include <sluice/task.hpp>
#include <sluice/timeout.hpp>

#include "support/child_process.hpp"

namespace {

using mini_redis::Client;
using mini_redis::ClientError;
using mini_redis::ClientResult;
using mini_redis::Frame;
using mini_redis::Message;
using mini_redis::Subscriber;
using sluice::Task;
using namespace std::chrono_literals;

#define START_REDIS(var)                                                   \
  auto var = sluice::test::RedisServer::start();                           \
  if (!var) GTEST_SKIP() << "redis-server not installed or did not start"; \
  const std::uint16_t port = var->port()

std::string addr_of(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

void run(Task<void> t) {
  auto rt = sluice::Builder::current_thread().build();
  rt.block_on(std::move(t));
}

TEST(MiniRedisClient, PingWithAndWithoutMessage) {
  START_REDIS(redis);
  run([](std::uint16_t p) -> Task<void> {
    ClientResult<Client> c = co_await Client::connect(addr_of(p));
    EXPECT_TRUE(c);
    if (!c) co_return;
    ClientResult<std::string> pong = co_await c->ping();
    EXPECT_TRUE(pong);
    if (pong) {
      EXPECT_EQ(*pong, "PONG");
    }
    std::optional<std::string> msg("hello there");
    ClientResult<std::string> echo = co_await c->ping(std::move(msg));
    EXPECT_TRUE(echo);
    if (echo) {
      EXPECT_EQ(*echo, "hello there");
    }
  }(port));
}

TEST(MiniRedisClient, SetThenGetAndMissingKey) {
  START_REDIS(redis);
  run([](std::uint16_t p) -> Task<void> {
    ClientResult<Client> c = co_await Client::connect(sluice::net::SocketAddr::v4_loopback(p));
    EXPECT_TRUE(c);
    if (!c) co_return;
    ClientResult<void> s = co_await c->set("hello", "world");
    EXPECT_TRUE(s);
    ClientResult<std::optional<std::string>> v = co_await c->get("hello");
    EXPECT_TRUE(v && *v);
    if (v && *v) {
      EXPECT_EQ(**v, "world");
    }
    // Binary-safe values: CR LF and NUL inside.
    std::string bin("a\r\nb\0c", 6);
    ClientResult<void> s2 = co_await c->set("bin", bin);
    EXPECT_TRUE(s2);
    ClientResult<std::optional<std::string>> vb = co_await c->get("bin");
    EXPECT_TRUE(vb && *vb);
    if (vb && *vb) {
      EXPECT_EQ(**vb, bin);
    }
    ClientResult<std::optional<std::string>> missing = co_await c->get("no-such-key");
    EXPECT_TRUE(missing);
    if (missing) {
      EXPECT_FALSE(missing->has_value());
    }
  }(port));
}

TEST(MiniRedisClient, SetExpiresThenTheKeyIsGone) {
  START_REDIS(redis);
  run([](std::uint16_t p) -> Task<void> {
    ClientResult<Client> c = co_await Client::connect(addr_of(p));
    EXPECT_TRUE(c);
    if (!c) co_return;
    ClientResult<void> s = co_await c->set_expires("short", "lived", 300ms);
    EXPECT_TRUE(s);
    ClientResult<std::optional<std::string>> before = co_await c->get("short");
    EXPECT_TRUE(before && *before);
    if (before && *before) {
      EXPECT_EQ(**before, "lived");
    }
    co_await sluice::sleep(1s);
    ClientResult<std::optional<std::string>> after = co_await c->get("short");
    EXPECT_TRUE(after);
    if (after) {
      EXPECT_FALSE(after->has_value());
    }
  }(port));
}

TEST(MiniRedisClient, ServerErrorReplyIsKindServerWithTheText) {
  START_REDIS(redis);
  run([](std::uint16_t p) -> Task<void> {
    ClientResult<Client> c = co_await Client::connect(addr_of(p));
    EXPECT_TRUE(c);
    if (!c) co_return;
    Frame lpush = Frame::array({Frame::bulk("lpush"), Frame::bulk("alist"), Frame::bulk("x")});
    ClientResult<Frame> n = co_await c->execute(std::move(lpush));
    EXPECT_TRUE(n);
    if (n) {
      EXPECT_EQ(*n, Frame::integer(1));
    }
    ClientResult<std::optional<std::string>> v = co_await c->get("alist");
    EXPECT_FALSE(v);
    if (!v) {
      EXPECT_EQ(v.error().kind(), ClientError::Kind::server);
      EXPECT_EQ(v.error().message().rfind("WRONGTYPE", 0), 0u) << v.error().message();
    }
    // The connection is still usable after an error reply.
    ClientResult<std::string> pong = co_await c->ping();
    EXPECT_TRUE(pong);
    Frame bogus = Frame::array({Frame::bulk("nosuchcommand")});
    ClientResult<Frame> unknown = co_await c->execute(std::move(bogus));
    EXPECT_FALSE(unknown);
    if (!unknown) {
      EXPECT_EQ(unknown.error().kind(), ClientError::Kind::server);
      EXPECT_NE(unknown.error().message().find("unknown command"), std::string::npos);
    }
  }(port));
}

TEST(MiniRedisClient, ExecuteTakesACommandValue) {
  START_REDIS(redis);
  run([](std::uint16_t p) -> Task<void> {
    ClientResult<Client> c = co_await Client::connect(addr_of(p));
    EXPECT_TRUE(c);
    if (!c) co_return;
    const mini_redis::Command set = mini_redis::Set{"cmd-key", "cmd-value"};
    ClientResult<Frame> ok = co_await c->execute(set);
    EXPECT_TRUE(ok);
    if (ok) {
      EXPECT_EQ(*ok, Frame::simple("OK"));
    }
    // Named locals, not `execute(Get{...})`: g++ 12 destroys an aggregate temporary built
    // inside a co_await twice (docs/design/task-model.md, g++ 12 coroutine pitfalls).
    const mini_redis::Command get = mini_redis::Get{"cmd-key"};
    ClientResult<Frame> got = co_await c->execute(get);
    EXPECT_TRUE(got);
    if (got) {
      EXPECT_EQ(*got, Frame::bulk("cmd-value"));
    }
    const mini_redis::Command get_missing = mini_redis::Get{"no-such-key"};
    ClientResult<Frame> missing = co_await c->execute(get_missing);
    EXPECT_TRUE(missing);
    if (missing) {
      EXPECT_EQ(*missing, Frame::null());
    }
  }(port));
}

TEST(MiniRedisClient, ConnectToAClosedPortIsAnIoError) {
  const std::uint16_t p = sluice::test::free_loopback_port();
  run([](std::uint16_t port) -> Task<void> {
    ClientResult<Client> c = co_await Client::connect(addr_of(port));
    EXPECT_FALSE(c);
    if (!c) {
      EXPECT_EQ(c.error().kind(), ClientError::Kind::io);
      EXPECT_TRUE(c.error().io_error() == std::errc::connection_refused) << c.error().message();
    }
    ClientResult<Client> bad = co_await Client::connect(std::string("no-port-here"));
    EXPECT_FALSE(bad);
    if (!bad) {
      EXPECT_EQ(bad.error().kind(), ClientError::Kind::io);
    }
  }(p));
}

TEST(MiniRedisClient, ConnectByHostName) {
  START_REDIS(redis);
  run([](std::uint16_t p) -> Task<void> {
    ClientResult<Client> c = co_await Client::connect("localhost:" + std::to_string(p));
    if (!c) {
      // localhost may resolve to ::1 first where redis only listens on 127.0.0.1.
      EXPECT_EQ(c.error().kind(), ClientError::Kind::io);
      co_return;
    }
    ClientResult<std::string> pong = co_await c->ping();
    EXPECT_TRUE(pong);
  }(port));
}

TEST(MiniRedisClient, PublishCountsSubscribersAndTwoSubscribersGetEveryMessageInOrder) {
  START_REDIS(redis);
  run([](std::uint16_t p) -> Task<void> {
    constexpr int kMessages = 50;
    ClientResult<Client> pub = co_await Client::connect(addr_of(p));
    ClientResult<Client> c1 = co_await Client::connect(addr_of(p));
    ClientResult<Client> c2 = co_await Client::connect(addr_of(p));
    EXPECT_TRUE(pub && c1 && c2);
    if (!pub || !c1 || !c2) co_return;

    ClientResult<std::int64_t> nobody = co_await pub->publish("news", "unheard");
    EXPECT_TRUE(nobody);
    if (nobody) {
      EXPECT_EQ(*nobody, 0);
    }

    std::vector<std::string> chans1{"news"};
    ClientResult<Subscriber> s1 = co_await Client::subscribe(std::move(*c1), std::move(chans1));
    std::vector<std::string> chans2{"news", "sport"};
    ClientResult<Subscriber> s2 = co_await Client::subscribe(std::move(*c2), std::move(chans2));
    EXPECT_TRUE(s1 && s2);
    if (!s1 || !s2) co_return;
    EXPECT_EQ(s2->subscribed_channels(), (std::vector<std::string>{"news", "sport"}));

    for (int i = 0; i < kMessages; ++i) {
      ClientResult<std::int64_t> n = co_await pub->publish("news", "m" + std::to_string(i));
      EXPECT_TRUE(n);
      if (n) {
        EXPECT_EQ(*n, 2);
      }
    }
    ClientResult<std::int64_t> sport = co_await pub->publish("sport", "goal");
    EXPECT_TRUE(sport);
    if (sport) {
      EXPECT_EQ(*sport, 1);
    }

    for (Subscriber* s : {&*s1, &*s2}) {
      for (int i = 0; i < kMessages; ++i) {
        ClientResult<std::optional<Message>> m = co_await s->next_message();
        EXPECT_TRUE(m && *m);
        if (!m || !*m) co_return;
        EXPECT_EQ(**m, (Message{"news", "m" + std::to_string(i)}));
      }
    }
    ClientResult<std::optional<Message>> goal = co_await s2->next_message();
    EXPECT_TRUE(goal && *goal);
    if (goal && *goal) {
      EXPECT_EQ(**goal, (Message{"sport", "goal"}));
    }
  }(port));
}

TEST(MiniRedisClient, SubscribeMoreAndUnsubscribe) {
  START_REDIS(redis);
  run([](std::uint16_t p) -> Task<void> {
    ClientResult<Client> pub = co_await Client::connect(addr_of(p));
    ClientResult<Client> c = co_await Client::connect(addr_of(p));
    EXPECT_TRUE(pub && c);
    if (!pub || !c) co_return;
    std::vector<std::string> first{"a"};
    ClientResult<Subscriber> sub = co_await Client::subscribe(std::move(*c), std::move(first));
    EXPECT_TRUE(sub);
    if (!sub) co_return;

    // A message published before the next SUBSCRIBE's confirmation is kept, in order.
    ClientResult<std::int64_t> n0 = co_await pub->publish("a", "early");
    EXPECT_TRUE(n0);
    std::vector<std::string> more{"b", "c"};
    ClientResult<void> r = co_await sub->subscribe(std::move(more));
    EXPECT_TRUE(r);
    EXPECT_EQ(sub->subscribed_channels(), (std::vector<std::string>{"a", "b", "c"}));
    ClientResult<std::int64_t> n1 = co_await pub->publish("c", "to-c");
    EXPECT_TRUE(n1);
    if (n1) {
      EXPECT_EQ(*n1, 1);
    }

    std::vector<std::string> drop{"a"};
    ClientResult<void> u = co_await sub->unsubscribe(std::move(drop));
    EXPECT_TRUE(u);
    EXPECT_EQ(sub->subscribed_channels(), (std::vector<std::string>{"b", "c"}));
    ClientResult<std::int64_t> n2 = co_await pub->publish("a", "lost");
    EXPECT_TRUE(n2);
    if (n2) {
      EXPECT_EQ(*n2, 0);
    }
    ClientResult<std::int64_t> n3 = co_await pub->publish("b", "to-b");
    EXPECT_TRUE(n3);
    if (n3) {
      EXPECT_EQ(*n3, 1);
    }

    std::vector<Message> got;
    for (int i = 0; i < 3; ++i) {
      ClientResult<std::optional<Message>> m = co_await sub->next_message();
      EXPECT_TRUE(m && *m);
      if (!m || !*m) co_return;
      got.push_back(std::move(**m));
    }
    EXPECT_EQ(got, (std::vector<Message>{{"a", "early"}, {"c", "to-c"}, {"b", "to-b"}}));

    std::vector<std::string> everything;
    ClientResult<void> all = co_await sub->unsubscribe(std::move(everything));
    EXPECT_TRUE(all);
    EXPECT_TRUE(sub->subscribed_channels().empty());
    ClientResult<std::int64_t> n4 = co_await pub->publish("b", "nobody");
    EXPECT_TRUE(n4);
    if (n4) {
      EXPECT_EQ(*n4, 0);
    }
  }(port));
}

TEST(MiniRedisClient, NextMessageIsCancelSafeAndSeesTheServerClosing) {
  START_REDIS(redis);
  run([](std::uint16_t p) -> Task<void> {
    ClientResult<Client> pub = co_await Client::connect(addr_of(p));
    ClientResult<Client> c = co_await Client::connect(addr_of(p));
    EXPECT_TRUE(pub && c);
    if (!pub || !c) co_return;
    std::vector<std::string> chans{"t"};
    ClientResult<Subscriber> sub = co_await Client::subscribe(std::move(*c), std::move(chans));
    EXPECT_TRUE(sub);
    if (!sub) co_return;
    // Nothing published: the timeout cancels next_message, which must lose nothing.
    auto waiting = sluice::timeout(50ms, sub->next_message());
    auto timed_out = co_await waiting;
    EXPECT_FALSE(timed_out);
    ClientResult<std::int64_t> n = co_await pub->publish("t", "after-cancel");
    EXPECT_TRUE(n);
    ClientResult<std::optional<Message>> m = co_await sub->next_message();
    EXPECT_TRUE(m && *m);
    if (m && *m) {
      EXPECT_EQ(**m, (Message{"t", "after-cancel"}));
    }
    // CLIENT KILL TYPE pubsub: the server closes the subscriber's connection.
    Frame kill = Frame::array(
        {Frame::bulk("client"), Frame::bulk("kill"), Frame::bulk("type"), Frame::bulk("pubsub")});
    ClientResult<Frame> killed = co_await pub->execute(std::move(kill));
    EXPECT_TRUE(killed);
    ClientResult<std::optional<Message>> end = co_await sub->next_message();
    EXPECT_TRUE(end);
    if (end) {
      EXPECT_FALSE(end->has_value());
    }
  }(port));
}

}  // namespace
