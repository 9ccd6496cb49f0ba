// mini_redis::run in-process: a server on 127.0.0.1:0 inside a runtime, clients speaking raw
// RESP through a TcpStream + Connection. Commands, pub/sub, protocol errors, pipelining, the
// connection limit, slow readers and the graceful shutdown.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <mini_redis/connection.hpp>
#include <mini_redis/db.hpp>
#include <mini_redis/frame.hpp>
#include <mini_redis/server.hpp>

#include <sluice/net.hpp>
#include <sluice/runtime.hpp>
#include <sluice/sleep.hpp>
#include <sluice/spawn.hpp>
#include <sluice/sync/watch.hpp>
#include <sluice/task.hpp>
#include <sluice/timeout.hpp>

namespace {

using namespace std::chrono_literals;
using mini_redis::Connection;
using mini_redis::Frame;
using mini_redis::FrameResult;
using sluice::Task;
using sluice::net::SocketAddr;
using sluice::net::TcpListener;
using sluice::net::TcpStream;

constexpr std::chrono::milliseconds kReplyTimeout = 10s;

sluice::Runtime make_runtime() { return sluice::Builder::multi_thread().worker_threads(2).build(); }

mini_redis::ParserOptions client_options() {
  mini_redis::ParserOptions o;
  o.inline_commands = false;
  return o;
}

Frame request(const std::vector<std::string>& args) {
  std::vector<Frame> items;
  for (const auto& a : args) items.push_back(Frame::bulk(a));
  return Frame::array(std::move(items));
}

Frame message(const std::string& kind, const std::string& channel, const std::string& payload) {
  return request({kind, channel, payload});
}

Frame counted(const std::string& kind, const std::string& channel, std::int64_t n) {
  std::vector<Frame> items;
  items.push_back(Frame::bulk(kind));
  items.push_back(Frame::bulk(channel));
  items.push_back(Frame::integer(n));
  return Frame::array(std::move(items));
}

bool error_starts_with(const Frame& f, std::string_view prefix) {
  return f.is_error() && f.as_string().starts_with(prefix);
}

bool error_contains(const Frame& f, std::string_view part) {
  return f.is_error() && f.as_string().find(part) != std::string::npos;
}

// One reply, or an error frame "<timeout>", "<closed>" or "<error: ...>" saying why none came.
Task<Frame> read_reply(Connection& c, std::chrono::milliseconds limit = kReplyTimeout) {
  auto fut = sluice::timeout(limit, c.read_frame());
  auto r = co_await fut;
  if (!r) co_return Frame::error("<timeout>");
  FrameResult fr = std::move(*r);
  if (!fr) co_return Frame::error("<error: " + fr.error().message() + ">");
  if (!fr->has_value()) co_return Frame::error("<closed>");
  co_return std::move(**fr);
}

Task<Frame> call_args(Connection& c, std::vector<std::string> args) {
  Frame req = request(args);
  auto written = co_await c.write_frame(req);
  if (!written) co_return Frame::error("<write failed>");
  Frame reply = co_await read_reply(c);
  co_return reply;
}

// call(conn, "SET", "k", "v"): string literals only (pointers: no temporaries in co_await).
template <class... A>
Task<Frame> call(Connection& c, A... args) {
  std::vector<std::string> v{std::string(args)...};
  auto fut = call_args(c, std::move(v));
  Frame reply = co_await fut;
  co_return reply;
}

struct Server {
  sluice::watch::Sender<bool> stop;
  sluice::JoinHandle<sluice::net::IoResult<void>> task;
  SocketAddr addr;
};

// Must be called on a runtime thread.
Server start_server(mini_redis::Db db, mini_redis::ServerConfig config = {}) {
  auto listener = TcpListener::bind("127.0.0.1:0").value();
  SocketAddr addr = listener.local_addr().value();
  auto ch = sluice::watch::channel<bool>(false);
  auto run = mini_redis::run(std::move(listener), ch.second, std::move(db), config);
  auto task = sluice::spawn(std::move(run));
  return Server{std::move(ch.first), std::move(task), addr};
}

Task<void> stop_server(Server& s) {
  (void)s.stop.send(true);
  auto fut = sluice::timeout(20s, std::move(s.task));
  auto r = co_await fut;
  EXPECT_TRUE(r) << "run() did not return after the shutdown";
  if (r) {
    EXPECT_TRUE(*r);  // not cancelled
    if (*r) {
      EXPECT_TRUE(**r);  // no accept error
    }
  }
}

Task<Connection> connect(SocketAddr addr) {
  auto s = co_await TcpStream::connect(addr);
  EXPECT_TRUE(s);
  co_return Connection(std::move(s.value()), client_options());
}

Task<bool> write_raw(Connection& c, std::string bytes) {
  auto w = co_await c.stream().write_all(bytes);
  const bool ok = w.has_value();
  co_return ok;
}

TEST(Server, PingPongAndPingMessage) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    mini_redis::DbDropGuard guard;
    Server server = start_server(guard.db());
    Connection c = co_await connect(server.addr);
    Frame pong = co_await call(c, "PING");
    EXPECT_EQ(pong, Frame::simple("PONG"));
    Frame echo = co_await call(c, "ping", "hello world");
    EXPECT_EQ(echo, Frame::bulk("hello world"));
    co_await stop_server(server);
  }());
}

TEST(Server, SetGetAndMissingKey) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    mini_redis::DbDropGuard guard;
    Server server = start_server(guard.db());
    Connection c = co_await connect(server.addr);
    Frame ok = co_await call(c, "SET", "hello", "world");
    EXPECT_EQ(ok, Frame::simple("OK"));
    Frame v = co_await call(c, "GET", "hello");
    EXPECT_EQ(v, Frame::bulk("world"));
    Frame missing = co_await call(c, "GET", "nope");
    EXPECT_EQ(missing, Frame::null());
    co_await stop_server(server);
    EXPECT_EQ(guard.db().get("hello"), std::optional<std::string>("world"));
  }());
}

TEST(Server, SetWithPxExpiresAndExIsAccepted) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    mini_redis::DbDropGuard guard;
    Server server = start_server(guard.db());
    Connection c = co_await connect(server.addr);
    Frame ok = co_await call(c, "SET", "short", "lived", "PX", "600");
    EXPECT_EQ(ok, Frame::simple("OK"));
    Frame ok2 = co_await call(c, "SET", "long", "lived", "EX", "100");
    EXPECT_EQ(ok2, Frame::simple("OK"));
    Frame present = co_await call(c, "GET", "short");
    EXPECT_EQ(present, Frame::bulk("lived"));
    co_await sluice::sleep(1200ms);
    Frame gone = co_await call(c, "GET", "short");
    EXPECT_EQ(gone, Frame::null());
    Frame still = co_await call(c, "GET", "long");
    EXPECT_EQ(still, Frame::bulk("lived"));
    co_await stop_server(server);
  }());
}

TEST(Server, StartupHousekeepingAndQuit) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    mini_redis::DbDropGuard guard;
    Server server = start_server(guard.db());
    Connection c = co_await connect(server.addr);
    Frame config = co_await call(c, "CONFIG", "GET", "save");  // what redis-benchmark asks
    EXPECT_EQ(config, request({"save", ""}));
    Frame other = co_await call(c, "CONFIG", "GET", "maxmemory");
    EXPECT_EQ(other, Frame::array());
    Frame docs = co_await call(c, "COMMAND", "DOCS");
    EXPECT_EQ(docs, Frame::array());
    Frame quit = co_await call(c, "QUIT");
    EXPECT_EQ(quit, Frame::simple("OK"));
    Frame after = co_await read_reply(c);
    EXPECT_EQ(after, Frame::error("<closed>"));
    co_await stop_server(server);
  }());
}

TEST(Server, PublishCountsSubscribers) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    mini_redis::DbDropGuard guard;
    Server server = start_server(guard.db());
    Connection pub = co_await connect(server.addr);
    Connection sub = co_await connect(server.addr);
    Frame none = co_await call(pub, "PUBLISH", "news", "nobody");
    EXPECT_EQ(none, Frame::integer(0));
    Frame subscribed = co_await call(sub, "SUBSCRIBE", "news");
    EXPECT_EQ(subscribed, counted("subscribe", "news", 1));
    Frame one = co_await call(pub, "PUBLISH", "news", "hi");
    EXPECT_EQ(one, Frame::integer(1));
    Frame got = co_await read_reply(sub);
    EXPECT_EQ(got, message("message", "news", "hi"));
    co_await stop_server(server);
  }());
}

TEST(Server, SeveralSubscribersReceiveMessagesInOrder) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    mini_redis::DbDropGuard guard;
    Server server = start_server(guard.db());
    constexpr int kSubscribers = 3;
    constexpr int kMessages = 50;
    std::vector<Connection> subs;
    for (int i = 0; i < kSubscribers; ++i) {
      Connection c = co_await connect(server.addr);
      Frame r = co_await call(c, "SUBSCRIBE", "news", "sport");
      EXPECT_EQ(r, counted("subscribe", "news", 1));
      Frame r2 = co_await read_reply(c);
      EXPECT_EQ(r2, counted("subscribe", "sport", 2));
      subs.push_back(std::move(c));
    }
    Connection pub = co_await connect(server.addr);
    for (int m = 0; m < kMessages; ++m) {
      std::vector<std::string> args{"PUBLISH", m % 2 ? "sport" : "news", "m" + std::to_string(m)};
      Frame n = co_await call_args(pub, std::move(args));
      EXPECT_EQ(n, Frame::integer(kSubscribers));
    }
    // Each channel's messages arrive in publish order, every one exactly once. Across the two
    // channels there is no order (one forwarding task per channel, as mini-redis's StreamMap
    // gives none either): collect per channel, then compare.
    std::vector<Frame> want_news;
    std::vector<Frame> want_sport;
    for (int m = 0; m < kMessages; ++m) {
      const std::string channel = m % 2 ? "sport" : "news";
      (m % 2 ? want_sport : want_news)
          .push_back(message("message", channel, "m" + std::to_string(m)));
    }
    for (auto& c : subs) {
      std::vector<Frame> news;
      std::vector<Frame> sport;
      for (int m = 0; m < kMessages; ++m) {
        Frame got = co_await read_reply(c);
        const bool on_news = got.is_array() && got.as_array().size() == 3 &&
                             got.as_array()[1].is_bulk() && got.as_array()[1].as_string() == "news";
        (on_news ? news : sport).push_back(std::move(got));
      }
      EXPECT_EQ(news, want_news);
      EXPECT_EQ(sport, want_sport);
    }
    co_await stop_server(server);
  }());
}

TEST(Server, UnsubscribeCountsAndSubscribeModeRules) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    mini_redis::DbDropGuard guard;
    Server server = start_server(guard.db());
    Connection c = co_await connect(server.addr);
    Frame nothing = co_await call(c, "UNSUBSCRIBE");  // not subscribed: Redis's answer
    EXPECT_EQ(nothing,
              Frame::array({Frame::bulk("unsubscribe"), Frame::null(), Frame::integer(0)}));
    Frame a = co_await call(c, "SUBSCRIBE", "a", "b", "c");
    EXPECT_EQ(a, counted("subscribe", "a", 1));
    Frame b = co_await read_reply(c);
    EXPECT_EQ(b, counted("subscribe", "b", 2));
    Frame cc = co_await read_reply(c);
    EXPECT_EQ(cc, counted("subscribe", "c", 3));
    Frame again = co_await call(c, "SUBSCRIBE", "a");  // already: the count stays
    EXPECT_EQ(again, counted("subscribe", "a", 3));
    Frame ub = co_await call(c, "UNSUBSCRIBE", "b");
    EXPECT_EQ(ub, counted("unsubscribe", "b", 2));
    Frame get = co_await call(c, "GET", "k");
    EXPECT_TRUE(error_contains(get, "Can't execute 'get'")) << get;
    Frame ping = co_await call(c, "PING");
    EXPECT_EQ(ping, request({"pong", ""}));
    Frame all1 = co_await call(c, "UNSUBSCRIBE");
    EXPECT_EQ(all1, counted("unsubscribe", "a", 1));
    Frame all2 = co_await read_reply(c);
    EXPECT_EQ(all2, counted("unsubscribe", "c", 0));
    // Back in normal mode.
    Frame get2 = co_await call(c, "GET", "k");
    EXPECT_EQ(get2, Frame::null());
    Frame pong = co_await call(c, "PING");
    EXPECT_EQ(pong, Frame::simple("PONG"));
    co_await stop_server(server);
  }());
}

TEST(Server, UnknownCommandAndWrongArityKeepTheConnection) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    mini_redis::DbDropGuard guard;
    Server server = start_server(guard.db());
    Connection c = co_await connect(server.addr);
    Frame unknown = co_await call(c, "FOO", "bar");
    EXPECT_TRUE(error_starts_with(unknown, "ERR unknown command 'FOO'")) << unknown;
    Frame arity = co_await call(c, "GET");
    EXPECT_TRUE(error_contains(arity, "wrong number of arguments")) << arity;
    Frame pong = co_await call(c, "PING");
    EXPECT_EQ(pong, Frame::simple("PONG"));
    co_await stop_server(server);
  }());
}

TEST(Server, GarbageGetsAnErrorAndCloseWhileOthersKeepWorking) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    mini_redis::DbDropGuard guard;
    Server server = start_server(guard.db());
    Connection good = co_await connect(server.addr);
    Connection bad = co_await connect(server.addr);
    Frame before = co_await call(good, "PING");
    EXPECT_EQ(before, Frame::simple("PONG"));
    const bool sent = co_await write_raw(bad, "*x\r\n");
    EXPECT_TRUE(sent);
    Frame err = co_await read_reply(bad);
    EXPECT_TRUE(error_starts_with(err, "ERR Protocol error")) << err;
    Frame closed = co_await read_reply(bad);
    EXPECT_EQ(closed, Frame::error("<closed>"));
    Frame after = co_await call(good, "PING");
    EXPECT_EQ(after, Frame::simple("PONG"));
    co_await stop_server(server);
  }());
}

TEST(Server, TruncatedFrameThenCloseLeavesTheServerServing) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    mini_redis::DbDropGuard guard;
    Server server = start_server(guard.db());
    Connection bad = co_await connect(server.addr);
    const bool sent = co_await write_raw(bad, "*3\r\n$3\r\nSET\r\n$5\r\nhel");
    EXPECT_TRUE(sent);
    EXPECT_TRUE(bad.stream().shutdown(sluice::net::Shutdown::write));
    Frame closed = co_await read_reply(bad);
    EXPECT_EQ(closed, Frame::error("<closed>"));
    Connection good = co_await connect(server.addr);
    Frame pong = co_await call(good, "PING");
    EXPECT_EQ(pong, Frame::simple("PONG"));
    co_await stop_server(server);
    EXPECT_EQ(guard.db().len(), 0u);
  }());
}

TEST(Server, HugeBulkLengthIsAProtocolError) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    mini_redis::DbDropGuard guard;
    Server server = start_server(guard.db());
    Connection bad = co_await connect(server.addr);
    const bool sent = co_await write_raw(bad, "*2\r\n$3\r\nGET\r\n$999999999999\r\n");
    EXPECT_TRUE(sent);
    Frame err = co_await read_reply(bad);
    EXPECT_TRUE(error_starts_with(err, "ERR Protocol error")) << err;
    Frame closed = co_await read_reply(bad);
    EXPECT_EQ(closed, Frame::error("<closed>"));
    co_await stop_server(server);
  }());
}

TEST(Server, PipelinedRequestsAreAnsweredInOrder) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    mini_redis::DbDropGuard guard;
    Server server = start_server(guard.db());
    Connection c = co_await connect(server.addr);
    std::string wire;
    for (int i = 0; i < 50; ++i) {
      const std::string key = "key" + std::to_string(i);
      mini_redis::write_frame(wire, request({"SET", key, "v" + std::to_string(i)}));
      mini_redis::write_frame(wire, request({"GET", key}));
    }
    const bool sent = co_await write_raw(c, wire);  // 100 requests in one write
    EXPECT_TRUE(sent);
    for (int i = 0; i < 50; ++i) {
      Frame ok = co_await read_reply(c);
      EXPECT_EQ(ok, Frame::simple("OK"));
      Frame v = co_await read_reply(c);
      EXPECT_EQ(v, Frame::bulk("v" + std::to_string(i)));
    }
    co_await stop_server(server);
  }());
}

TEST(Server, ConnectionLimitHoldsBackTheThirdClient) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    mini_redis::DbDropGuard guard;
    mini_redis::ServerConfig config;
    config.max_connections = 2;
    Server server = start_server(guard.db(), config);
    Connection first_conn = co_await connect(server.addr);
    auto first = std::make_unique<Connection>(std::move(first_conn));
    Connection second = co_await connect(server.addr);
    Frame p1 = co_await call(*first, "PING");
    EXPECT_EQ(p1, Frame::simple("PONG"));
    Frame p2 = co_await call(second, "PING");
    EXPECT_EQ(p2, Frame::simple("PONG"));
    Connection third = co_await connect(server.addr);  // the kernel's backlog accepts it
    Frame req = request({"PING"});
    auto w = co_await third.write_frame(req);
    EXPECT_TRUE(w);
    Frame held = co_await read_reply(third, 500ms);
    EXPECT_EQ(held, Frame::error("<timeout>"));
    first.reset();  // frees a slot
    Frame served = co_await read_reply(third);
    EXPECT_EQ(served, Frame::simple("PONG"));
    co_await stop_server(server);
  }());
}

TEST(Server, ClientThatNeverReadsDoesNotBlockOthers) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    mini_redis::DbDropGuard guard;
    guard.db().set("big", std::string(1 << 20, 'x'), std::nullopt);
    Server server = start_server(guard.db());
    Connection hog_conn = co_await connect(server.addr);
    auto hog = std::make_shared<Connection>(std::move(hog_conn));
    // Ask for the 1 MiB value over and over and never read: the server's writes to this client
    // block, then its reads, then this writer's.
    auto writer = sluice::spawn([](std::shared_ptr<Connection> c) -> Task<void> {
      std::string wire;
      mini_redis::write_frame(wire, request({"GET", "big"}));
      for (int i = 0; i < 1000; ++i) {
        auto w = co_await c->stream().write_all(wire);
        if (!w) co_return;
      }
    }(hog));
    co_await sluice::sleep(300ms);
    Connection other = co_await connect(server.addr);
    for (int i = 0; i < 10; ++i) {
      Frame pong = co_await call(other, "PING");
      EXPECT_EQ(pong, Frame::simple("PONG"));
    }
    // The shutdown does not wait forever for the hog to read.
    co_await stop_server(server);
    writer.abort();
  }());
}

TEST(Server, GracefulShutdownKeepsEveryAcknowledgedSet) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    mini_redis::DbDropGuard guard;
    Server server = start_server(guard.db());
    constexpr int kClients = 8;
    std::vector<sluice::JoinHandle<std::vector<std::string>>> clients;
    for (int i = 0; i < kClients; ++i) {
      auto client = [](SocketAddr addr, int id) -> Task<std::vector<std::string>> {
        std::vector<std::string> acked;
        Connection c = co_await connect(addr);
        for (int n = 0;; ++n) {
          std::vector<std::string> args{"SET", "c" + std::to_string(id) + "-" + std::to_string(n),
                                        "v"};
          std::string key = args[1];
          Frame reply = co_await call_args(c, std::move(args));
          if (reply != Frame::simple("OK")) break;  // closed by the shutdown
          acked.push_back(std::move(key));
        }
        co_return acked;
      }(server.addr, i);
      clients.push_back(sluice::spawn(std::move(client)));
    }
    co_await sluice::sleep(300ms);
    co_await stop_server(server);
    std::size_t total = 0;
    for (auto& h : clients) {
      auto fut = sluice::timeout(20s, std::move(h));
      auto r = co_await fut;
      EXPECT_TRUE(r) << "a client hung after the shutdown";
      if (!r || !*r) continue;
      const std::vector<std::string>& acked = **r;
      total += acked.size();
      for (const auto& key : acked) EXPECT_EQ(guard.db().get(key), std::optional<std::string>("v"));
    }
    EXPECT_GT(total, 0u);
    // After run() returned, the port refuses new clients.
    auto late = co_await TcpStream::connect(server.addr);
    EXPECT_FALSE(late);
  }());
}

}  // namespace
