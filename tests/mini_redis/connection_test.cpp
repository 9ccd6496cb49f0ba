// Connection: frames split across reads, pipelined frames, clean close vs reset, protocol
// errors, buffered writes.
#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <mini_redis/connection.hpp>

#include <sluice/net.hpp>
#include <sluice/runtime.hpp>
#include <sluice/spawn.hpp>
#include <sluice/task.hpp>
#include <sluice/yield_now.hpp>

namespace {

using mini_redis::Connection;
using mini_redis::ConnectionError;
using mini_redis::Frame;
using mini_redis::FrameResult;
using sluice::Task;
using sluice::net::TcpListener;
using sluice::net::TcpStream;

struct Pair {
  TcpStream raw;    // the test writes bytes here
  Connection conn;  // the side under test
};

Task<Pair> connected_pair() {
  auto listener = TcpListener::bind("127.0.0.1:0").value();
  auto client = co_await TcpStream::connect(listener.local_addr().value());
  auto accepted = co_await listener.accept();
  co_return Pair{std::move(*client), Connection(std::move(accepted->stream))};
}

TEST(Connection, FramesArrivingByteByByteAndPipelined) {
  auto rt = sluice::Builder::current_thread().build();
  rt.block_on([]() -> Task<void> {
    Pair p = co_await connected_pair();
    const std::string wire = "*2\r\n$3\r\nGET\r\n$5\r\nhello\r\n+OK\r\n:42\r\n";
    auto writer = sluice::spawn([](TcpStream* s, std::string bytes) -> Task<void> {
      for (char c : bytes) {
        auto w = co_await s->write_all(std::string_view(&c, 1));
        EXPECT_TRUE(w);
        co_await sluice::yield_now();
      }
    }(&p.raw, wire));
    FrameResult a = co_await p.conn.read_frame();
    EXPECT_TRUE(a && *a);
    EXPECT_EQ(**a, Frame::array({Frame::bulk("GET"), Frame::bulk("hello")}));
    FrameResult b = co_await p.conn.read_frame();
    EXPECT_EQ(**b, Frame::simple("OK"));
    FrameResult c = co_await p.conn.read_frame();
    EXPECT_EQ(**c, Frame::integer(42));
    (void)co_await std::move(writer);

    // Three frames in one write: the first read_frame reads them all; the rest are buffered.
    auto w = co_await p.raw.write_all("+a\r\n+b\r\n+c\r\n");
    EXPECT_TRUE(w);
    FrameResult first = co_await p.conn.read_frame();
    EXPECT_EQ(**first, Frame::simple("a"));
    FrameResult second = p.conn.try_read_buffered();
    FrameResult third = p.conn.try_read_buffered();
    FrameResult none = p.conn.try_read_buffered();
    EXPECT_EQ(**second, Frame::simple("b"));
    EXPECT_EQ(**third, Frame::simple("c"));
    EXPECT_TRUE(none && !none->has_value());

    // Clean close between frames: an empty optional, not an error.
    { TcpStream gone = std::move(p.raw); }
    FrameResult end = co_await p.conn.read_frame();
    EXPECT_TRUE(end && !end->has_value());
  }());
}

TEST(Connection, CloseInsideAFrameIsReset) {
  auto rt = sluice::Builder::current_thread().build();
  rt.block_on([]() -> Task<void> {
    Pair p = co_await connected_pair();
    auto w = co_await p.raw.write_all("$10\r\nabc");
    EXPECT_TRUE(w);
    { TcpStream gone = std::move(p.raw); }
    FrameResult r = co_await p.conn.read_frame();
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_EQ(r.error().kind(), ConnectionError::Kind::reset);
      EXPECT_EQ(r.error().message(), "connection reset by peer");
    }
  }());
}

TEST(Connection, GarbageIsAProtocolError) {
  auto rt = sluice::Builder::current_thread().build();
  rt.block_on([]() -> Task<void> {
    Pair p = co_await connected_pair();
    auto w = co_await p.raw.write_all("$-5\r\n");
    EXPECT_TRUE(w);
    FrameResult r = co_await p.conn.read_frame();
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_EQ(r.error().kind(), ConnectionError::Kind::protocol);
      EXPECT_EQ(r.error().frame_error().kind(), mini_redis::FrameError::Kind::invalid_bulk_length);
    }
  }());
}

TEST(Connection, QueuedFramesGoOutInOneFlush) {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  std::string got = rt.block_on([]() -> Task<std::string> {
    Pair p = co_await connected_pair();
    p.conn.queue_frame(Frame::simple("OK"));
    p.conn.queue_frame(Frame::bulk("x"));
    p.conn.queue_frame(Frame::null());
    EXPECT_EQ(p.conn.queued_bytes(), 5u + 7u + 5u);
    auto f = co_await p.conn.flush();
    EXPECT_TRUE(f);
    EXPECT_EQ(p.conn.queued_bytes(), 0u);
    auto w = co_await p.conn.write_frame(Frame::integer(-1));
    EXPECT_TRUE(w);
    (void)p.conn.stream().shutdown();
    std::string all;
    for (;;) {
      auto n = co_await p.raw.read_buf(all);
      if (!n || *n == 0) break;
    }
    co_return all;
  }());
  EXPECT_EQ(got, "+OK\r\n$1\r\nx\r\n$-1\r\n:-1\r\n");
}

}  // namespace
