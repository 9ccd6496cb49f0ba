// TcpListener / TcpStream on both runtime flavours: round trips, end of stream, errors, large
// transfers through EAGAIN, cancel-safety, sockets that outlive their runtime.
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/join_handle.hpp>
#include <sluice/net.hpp>
#include <sluice/runtime.hpp>
#include <sluice/select.hpp>
#include <sluice/spawn.hpp>
#include <sluice/task.hpp>
#include <sluice/time.hpp>

namespace {

using namespace std::chrono_literals;
using sluice::Task;

// ASSERT_* returns void, which a coroutine cannot: this one ends a Task<void> instead.
#define CO_ASSERT_FALSE(x)                    \
  do {                                        \
    if (x) {                                  \
      ADD_FAILURE() << "expected false: " #x; \
      co_return;                              \
    }                                         \
  } while (0)
using sluice::net::Accepted;
using sluice::net::IoResult;
using sluice::net::SocketAddr;
using sluice::net::TcpListener;
using sluice::net::TcpStream;

// ---- SocketAddr -------------------------------------------------------------------------------

TEST(SocketAddr, ParsesV4V6AndLocalhost) {
  auto a = SocketAddr::parse("127.0.0.1:6379");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_ipv4());
  EXPECT_EQ(a->port(), 6379);
  EXPECT_EQ(a->to_string(), "127.0.0.1:6379");
  EXPECT_EQ(*a, SocketAddr::v4_loopback(6379));

  auto b = SocketAddr::parse("[::1]:80");
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->is_ipv6());
  EXPECT_EQ(b->port(), 80);
  EXPECT_EQ(b->to_string(), "[::1]:80");

  auto c = SocketAddr::parse("localhost:1");
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, SocketAddr::v4_loopback(1));
  EXPECT_EQ(SocketAddr::v4_any(7).to_string(), "0.0.0.0:7");
}

TEST(SocketAddr, RejectsMalformed) {
  for (const char* bad :
       {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:12x",
        "300.0.0.1:1", "[::1:80", "[::1]80", "[zz]:80", "example.com:80", ":80"}) {
    EXPECT_FALSE(SocketAddr::parse(bad)) << bad;
  }
}

// ---- runtime flavours -------------------------------------------------------------------------

class Tcp : public ::testing::TestWithParam<bool> {
 protected:
  sluice::Runtime make_runtime() {
    if (GetParam()) return sluice::Builder::multi_thread().worker_threads(2).build();
    return sluice::Builder::current_thread().build();
  }
};

INSTANTIATE_TEST_SUITE_P(Flavours, Tcp, ::testing::Values(false, true), [](const auto& info) {
  return info.param ? "MultiThread" : "CurrentThread";
});

/// Reads until end of stream; returns everything read.
Task<std::string> read_to_end(TcpStream& s) {
  std::string out;
  for (;;) {
    IoResult<std::size_t> n = co_await s.read_buf(out);
    if (!n) {
      ADD_FAILURE() << "read: " << n.error().message();
      co_return out;
    }
    if (*n == 0) co_return out;
  }
}

/// A client connected to a listener on a free loopback port, and the server side of it.
struct ConnectedPair {
  IoResult<TcpStream> client;
  IoResult<Accepted> server;
};

Task<ConnectedPair> connected_pair() {
  auto listener = TcpListener::bind("127.0.0.1:0").value();
  // Futures are lazy: connect first (the kernel's backlog completes the handshake), then accept.
  IoResult<TcpStream> client = co_await TcpStream::connect(listener.local_addr().value());
  IoResult<Accepted> server = co_await listener.accept();
  co_return ConnectedPair{std::move(client), std::move(server)};
}

Task<void> echo_once(TcpStream s) {
  std::string data = co_await read_to_end(s);
  IoResult<void> w = co_await s.write_all(data);
  EXPECT_TRUE(w) << w.error().message();
}

TEST_P(Tcp, EchoRoundTripAndAddresses) {
  auto rt = make_runtime();
  std::string got = rt.block_on([]() -> Task<std::string> {
    IoResult<TcpListener> listener = TcpListener::bind("127.0.0.1:0");
    EXPECT_TRUE(listener);
    SocketAddr addr = listener->local_addr().value();
    EXPECT_NE(addr.port(), 0);
    auto server = sluice::spawn([](TcpListener l) -> Task<SocketAddr> {
      IoResult<Accepted> a = co_await l.accept();
      EXPECT_TRUE(a);
      SocketAddr peer = a->peer;
      EXPECT_EQ(a->stream.peer_addr().value(), peer);
      co_await echo_once(std::move(a->stream));
      co_return peer;
    }(std::move(*listener)));

    IoResult<TcpStream> conn = co_await TcpStream::connect(addr);
    EXPECT_TRUE(conn);
    EXPECT_EQ(conn->peer_addr().value(), addr);
    EXPECT_TRUE(conn->set_nodelay(true));
    EXPECT_TRUE(conn->nodelay().value());
    IoResult<void> w = co_await conn->write_all("hello, sluice");
    EXPECT_TRUE(w);
    EXPECT_TRUE(conn->shutdown(sluice::net::Shutdown::write));
    std::string echoed = co_await read_to_end(*conn);
    auto peer = co_await std::move(server);
    EXPECT_EQ(peer.value(), conn->local_addr().value());
    co_return echoed;
  }());
  EXPECT_EQ(got, "hello, sluice");
}

TEST_P(Tcp, LargeTransferBothWaysThroughBackpressure) {
  // 8 MiB each way is far more than the socket buffers: both sides hit EAGAIN many times.
  auto rt = make_runtime();
  constexpr std::size_t kBytes = 8u << 20;
  std::string payload(kBytes, '\0');
  for (std::size_t i = 0; i < kBytes; ++i) payload[i] = static_cast<char>((i * 131) ^ (i >> 9));
  std::string back = rt.block_on([](const std::string& data) -> Task<std::string> {
    auto listener = TcpListener::bind(SocketAddr::v4_loopback(0)).value();
    SocketAddr addr = listener.local_addr().value();
    auto server = sluice::spawn([](TcpListener l) -> Task<void> {
      IoResult<Accepted> a = co_await l.accept();
      EXPECT_TRUE(a);
      co_await echo_once(std::move(a->stream));
    }(std::move(listener)));
    IoResult<TcpStream> conn = co_await TcpStream::connect(addr);
    EXPECT_TRUE(conn);
    // Write from another task while this one reads: the echo comes back only at the end, so a
    // single task writing everything first would also work; two tasks exercise both wakers.
    TcpStream& c = *conn;
    auto writer = sluice::spawn([](TcpStream* s, const std::string* d) -> Task<void> {
      std::string_view rest = *d;
      while (!rest.empty()) {
        // Uneven chunks through write(): partial writes must be handled by the caller.
        std::size_t chunk = std::min<std::size_t>(rest.size(), 100'000);
        IoResult<std::size_t> n = co_await s->write(rest.substr(0, chunk));
        if (!n) {
          ADD_FAILURE() << n.error().message();
          co_return;
        }
        EXPECT_GT(*n, 0u);
        rest.remove_prefix(*n);
      }
      EXPECT_TRUE(s->shutdown(sluice::net::Shutdown::write));
    }(&c, &data));
    std::string echoed = co_await read_to_end(c);
    (void)co_await std::move(writer);
    (void)co_await std::move(server);
    co_return echoed;
  }(payload));
  ASSERT_EQ(back.size(), payload.size());
  EXPECT_TRUE(back == payload);
}

TEST_P(Tcp, ReadReturnsZeroAtEndOfStreamAndAgain) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    ConnectedPair p = co_await connected_pair();
    IoResult<TcpStream>& c = p.client;
    IoResult<Accepted>& a = p.server;
    EXPECT_TRUE(a && c);
    { TcpStream gone = std::move(*c); }  // closes the client side
    char buf[16];
    IoResult<std::size_t> n1 = co_await a->stream.read(buf);
    EXPECT_EQ(n1.value(), 0u);
    IoResult<std::size_t> n2 = co_await a->stream.read(buf);
    EXPECT_EQ(n2.value(), 0u);
  }());
}

TEST_P(Tcp, ConnectRefusedIsAnErrorValue) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    SocketAddr addr;
    {
      auto l = TcpListener::bind("127.0.0.1:0").value();
      addr = l.local_addr().value();
    }  // closed: nobody listens on addr now
    IoResult<TcpStream> c = co_await TcpStream::connect(addr);
    CO_ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), std::errc::connection_refused) << c.error().message();
    IoResult<TcpStream> bad = co_await TcpStream::connect("not an address");
    CO_ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), std::errc::invalid_argument);
  }());
}

TEST_P(Tcp, BindAddressInUse) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    auto l = TcpListener::bind("127.0.0.1:0").value();
    IoResult<TcpListener> again = TcpListener::bind(l.local_addr().value());
    CO_ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), std::errc::address_in_use);
    IoResult<TcpListener> bad = TcpListener::bind("nonsense");
    CO_ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), std::errc::invalid_argument);
    co_return;
  }());
}

TEST_P(Tcp, WriteToClosedPeerIsBrokenPipeNotSignal) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    ConnectedPair p = co_await connected_pair();
    IoResult<TcpStream>& c = p.client;
    IoResult<Accepted>& a = p.server;
    EXPECT_TRUE(a && c);
    { Accepted gone = std::move(*a); }
    std::string chunk(64 * 1024, 'x');
    std::error_code err;
    for (int i = 0; i < 1000 && !err; ++i) {
      IoResult<void> w = co_await c->write_all(chunk);
      if (!w) err = w.error();
    }
    EXPECT_TRUE(err == std::errc::broken_pipe || err == std::errc::connection_reset)
        << err.message();
  }());
}

TEST_P(Tcp, CancelledReadLosesNothing) {
  auto rt = make_runtime();
  std::string got = rt.block_on([]() -> Task<std::string> {
    ConnectedPair p = co_await connected_pair();
    IoResult<TcpStream>& c = p.client;
    IoResult<Accepted>& a = p.server;
    EXPECT_TRUE(a && c);
    char buf[64];
    auto s = co_await sluice::select(a->stream.read(buf), sluice::sleep(20ms));
    EXPECT_EQ(s.index(), 1u);  // nothing to read: the sleep wins, the read is cancelled
    IoResult<void> w = co_await c->write_all("after the cancel");
    EXPECT_TRUE(w);
    IoResult<std::size_t> n = co_await a->stream.read(buf);
    co_return std::string(buf, n.value());
  }());
  EXPECT_EQ(got, "after the cancel");
}

TEST_P(Tcp, TryReadWouldBlockThenReadable) {
  auto rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    ConnectedPair p = co_await connected_pair();
    IoResult<TcpStream>& c = p.client;
    IoResult<Accepted>& a = p.server;
    EXPECT_TRUE(a && c);
    char buf[8];
    IoResult<std::size_t> none = a->stream.try_read(buf);
    CO_ASSERT_FALSE(none);
    EXPECT_EQ(none.error(), std::errc::operation_would_block);
    IoResult<std::size_t> w = c->try_write("abc");
    EXPECT_EQ(w.value(), 3u);
    IoResult<void> ready = co_await a->stream.readable();
    EXPECT_TRUE(ready);
    IoResult<std::size_t> n = a->stream.try_read(buf);
    EXPECT_EQ(n.value(), 3u);
    EXPECT_EQ(std::string_view(buf, 3), "abc");
    IoResult<void> wr = co_await c->writable();
    EXPECT_TRUE(wr);
  }());
}

TEST_P(Tcp, ManyClientsEachGetTheirOwnEcho) {
  auto rt = make_runtime();
  constexpr int kClients = 50;
  constexpr int kRounds = 20;
  int ok = rt.block_on([]() -> Task<int> {
    auto listener = TcpListener::bind("127.0.0.1:0").value();
    SocketAddr addr = listener.local_addr().value();
    auto server = sluice::spawn([](TcpListener l) -> Task<void> {
      for (int i = 0; i < kClients; ++i) {
        IoResult<Accepted> a = co_await l.accept();
        EXPECT_TRUE(a);
        // Per connection: echo line by line (each message is 8 bytes) until EOF.
        sluice::spawn([](TcpStream s) -> Task<void> {
          char buf[8];
          for (;;) {
            std::size_t have = 0;
            while (have < sizeof buf) {
              IoResult<std::size_t> n = co_await s.read(buf + have, sizeof buf - have);
              if (!n || *n == 0) co_return;
              have += *n;
            }
            IoResult<void> w = co_await s.write_all(std::string_view(buf, sizeof buf));
            if (!w) co_return;
          }
        }(std::move(a->stream)))
            .detach();
      }
    }(std::move(listener)));
    std::vector<sluice::JoinHandle<bool>> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.push_back(sluice::spawn([](SocketAddr to, int id) -> Task<bool> {
        IoResult<TcpStream> s = co_await TcpStream::connect(to);
        if (!s) co_return false;
        for (int r = 0; r < kRounds; ++r) {
          // "iii:rrrr": client id and round, 8 bytes.
          std::string id_text = std::to_string(1000 + id).substr(1);
          std::string round_text = std::to_string(10000 + r).substr(1);
          std::string msg = id_text + ":" + round_text;
          IoResult<void> w = co_await s->write_all(msg);
          if (!w) co_return false;
          char back[8];
          std::size_t have = 0;
          while (have < 8) {
            IoResult<std::size_t> n = co_await s->read(back + have, 8 - have);
            if (!n || *n == 0) co_return false;
            have += *n;
          }
          if (std::string_view(back, 8) != msg) co_return false;
        }
        co_return true;
      }(addr, c)));
    }
    int good = 0;
    for (auto& h : clients) {
      auto r = co_await std::move(h);
      if (r.value()) ++good;
    }
    (void)co_await std::move(server);
    co_return good;
  }());
  EXPECT_EQ(ok, kClients);
}

TEST(TcpRuntime, SocketOutsideRuntimeThrows) {
  EXPECT_THROW((void)TcpListener::bind("127.0.0.1:0"), std::logic_error);
}

TEST(TcpRuntime, SocketOutlivingItsRuntimeFailsWithRuntimeShutdown) {
  std::optional<TcpStream> kept;
  std::optional<TcpListener> kept_listener;
  {
    auto rt = sluice::Builder::current_thread().build();
    rt.block_on([](std::optional<TcpStream>* out, std::optional<TcpListener>* l) -> Task<void> {
      auto listener = TcpListener::bind("127.0.0.1:0").value();
      IoResult<TcpStream> c = co_await TcpStream::connect(listener.local_addr().value());
      EXPECT_TRUE(c);
      out->emplace(std::move(*c));
      l->emplace(std::move(listener));
    }(&kept, &kept_listener));
  }  // runtime (and its driver) gone; the sockets live on
  auto rt2 = sluice::Builder::current_thread().build();
  rt2.block_on([](TcpStream* s, TcpListener* l) -> Task<void> {
    char buf[4];
    IoResult<std::size_t> n = co_await s->read(buf);
    CO_ASSERT_FALSE(n);
    EXPECT_EQ(n.error(), sluice::net::IoErrc::runtime_shutdown) << n.error().message();
    IoResult<Accepted> a = co_await l->accept();
    CO_ASSERT_FALSE(a);
    EXPECT_EQ(a.error(), sluice::net::IoErrc::runtime_shutdown);
  }(&*kept, &*kept_listener));
  kept.reset();  // deregisters from a shut-down driver: freed at once (ASan checks)
  kept_listener.reset();
}

TEST(TcpRuntime, PendingAcceptIsWokenByRuntimeShutdown) {
  // A task blocked in accept() when the runtime shuts down is dropped with the runtime; the
  // listener it owned deregisters without touching freed memory (ASan), and nothing hangs.
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  rt.block_on([]() -> Task<void> {
    auto l = TcpListener::bind("127.0.0.1:0").value();
    sluice::spawn([](TcpListener listener) -> Task<void> {
      IoResult<Accepted> a = co_await listener.accept();
      (void)a;
    }(std::move(l)))
        .detach();
    co_await sluice::sleep(10ms);
  }());
}

}  // namespace
