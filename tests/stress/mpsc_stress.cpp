// Stress tests of the mpsc channels on a multi-thread runtime (2 workers): 4 producers x 1M
// messages (divided by env SLUICE_STRESS_DIV) through capacities 1, 16, 1024 and unbounded,
// exactly once and in per-producer order; senders cancelled while waiting; the receiver dropped
// with messages in flight (no leak, no double destruction); blocking_send / blocking_recv on
// plain threads against runtime tasks; the unbounded receiver closing while threads send.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/runtime.hpp>
#include <sluice/select.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/task.hpp>
#include <sluice/yield_now.hpp>

#include "support/mpsc_helpers.hpp"
#include "support/runtime_helpers.hpp"

namespace {

namespace mpsc = sluice::mpsc;
using sluice::test::Counted;
using sluice::test::stress_iters;

constexpr int kProducers = 4;

std::uint64_t encode(std::uint64_t producer, std::uint64_t seq) { return producer << 48 | seq; }
std::uint64_t producer_of(std::uint64_t v) { return v >> 48; }
std::uint64_t seq_of(std::uint64_t v) { return v & ((std::uint64_t{1} << 48) - 1); }

/// Checks exactly-once and per-producer order as messages arrive.
struct OrderCheck {
  std::array<std::uint64_t, kProducers> next{};
  std::uint64_t total = 0;
  bool ok = true;
  void see(std::uint64_t v) {
    const auto p = producer_of(v);
    if (p >= kProducers || seq_of(v) != next[p]) ok = false;
    if (p < kProducers) next[p] = seq_of(v) + 1;
    ++total;
  }
};

sluice::Runtime make_rt() { return sluice::Builder::multi_thread().worker_threads(2).build(); }

sluice::Task<> bounded_producer(mpsc::Sender<std::uint64_t> tx, std::uint64_t id, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) {
    auto r = co_await tx.send(encode(id, i));
    if (r.is_err()) co_return;
  }
}

sluice::Task<OrderCheck> consume(mpsc::Receiver<std::uint64_t>& rx) {
  OrderCheck check;
  std::vector<std::uint64_t> buf;
  while (co_await rx.recv_many(buf, 64) != 0) {
    for (auto v : buf) check.see(v);
    buf.clear();
  }
  co_return check;
}

void run_bounded(std::size_t capacity, std::uint64_t n) {
  auto rt = make_rt();
  auto [tx, rx] = mpsc::channel<std::uint64_t>(capacity);
  for (int p = 0; p < kProducers; ++p) {
    auto h = rt.spawn(bounded_producer(tx, static_cast<std::uint64_t>(p), n));
  }
  { auto gone = std::move(tx); }
  // The consumer is a task on the workers; block_on only joins it (rx outlives the join).
  auto consumer = rt.spawn(consume(rx));
  auto joined = rt.block_on(std::move(consumer));
  ASSERT_TRUE(joined);
  OrderCheck check = std::move(joined).value();
  EXPECT_TRUE(check.ok) << "capacity " << capacity;
  EXPECT_EQ(check.total, n * kProducers);
  for (int p = 0; p < kProducers; ++p) EXPECT_EQ(check.next[p], n);
  EXPECT_EQ(rx.capacity(), capacity);  // every permit came back
}

TEST(MpscStress, FourProducersCapacity1) {
  run_bounded(1, static_cast<std::uint64_t>(stress_iters(1'000'000)));
}
TEST(MpscStress, FourProducersCapacity16) {
  run_bounded(16, static_cast<std::uint64_t>(stress_iters(1'000'000)));
}
TEST(MpscStress, FourProducersCapacity1024) {
  run_bounded(1024, static_cast<std::uint64_t>(stress_iters(1'000'000)));
}

TEST(MpscStress, FourProducersUnbounded) {
  const auto n = static_cast<std::uint64_t>(stress_iters(1'000'000));
  auto rt = make_rt();
  auto [tx, rx] = mpsc::unbounded_channel<std::uint64_t>();
  for (int p = 0; p < kProducers; ++p) {
    auto h = rt.spawn([](mpsc::UnboundedSender<std::uint64_t> tx, std::uint64_t id,
                         std::uint64_t n) -> sluice::Task<> {
      for (std::uint64_t i = 0; i < n; ++i) {
        if (tx.send(encode(id, i)).is_err()) co_return;
        if (i % 256 == 0) co_await sluice::yield_now();
      }
    }(tx, static_cast<std::uint64_t>(p), n));
  }
  { auto gone = std::move(tx); }
  OrderCheck check =
      rt.block_on([](mpsc::UnboundedReceiver<std::uint64_t>& rx) -> sluice::Task<OrderCheck> {
        OrderCheck c;
        while (auto v = co_await rx.recv()) c.see(*v);
        co_return c;
      }(rx));
  EXPECT_TRUE(check.ok);
  EXPECT_EQ(check.total, n * kProducers);
  EXPECT_LE(rx.allocated_blocks_for_testing(), 5u + kProducers);
}

// The unbounded receiver closes while four plain threads send as fast as they can, then drains:
// it gets exactly the values whose send succeeded (each producer's accepted values are a prefix
// of its sequence, in order), every refused value comes back to its sender, and the drain ends
// (recv gives nullopt with the senders still alive). The close is a bit in the list's tail
// index: this races it against claims on many blocks (mpsc-internals.md).
TEST(MpscStress, UnboundedReceiverClosesMidStream) {
  const int rounds = static_cast<int>(stress_iters(100));
  for (int round = 0; round < rounds; ++round) {
    auto rt = make_rt();
    auto [tx, rx] = mpsc::unbounded_channel<std::uint64_t>();
    std::array<std::atomic<std::uint64_t>, kProducers> accepted{};
    std::atomic<int> bad_refusals{0};
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p) {
      producers.emplace_back([&, tx = tx, p]() mutable {
        for (std::uint64_t i = 0;; ++i) {
          auto r = tx.send(encode(static_cast<std::uint64_t>(p), i));
          if (r.is_err()) {
            if (r.error().value != encode(static_cast<std::uint64_t>(p), i)) ++bad_refusals;
            if (!tx.is_closed()) ++bad_refusals;
            return;
          }
          accepted[static_cast<std::size_t>(p)].store(i + 1, std::memory_order_relaxed);
        }
      });
    }
    const std::uint64_t before_close = 1000 + static_cast<std::uint64_t>(round) * 97;
    OrderCheck check = rt.block_on([](mpsc::UnboundedReceiver<std::uint64_t>& rx,
                                      std::uint64_t k) -> sluice::Task<OrderCheck> {
      OrderCheck c;
      while (c.total < k) {
        auto v = co_await rx.recv();
        if (!v) co_return c;
        c.see(*v);
      }
      rx.close();
      while (auto v = co_await rx.recv()) c.see(*v);  // ends while the senders live
      co_return c;
    }(rx, before_close));
    for (auto& t : producers) t.join();
    EXPECT_TRUE(check.ok);
    EXPECT_EQ(bad_refusals.load(), 0);
    std::uint64_t total = 0;
    for (std::size_t p = 0; p < kProducers; ++p) {
      EXPECT_EQ(check.next[p], accepted[p].load()) << "producer " << p << " round " << round;
      total += accepted[p].load();
    }
    EXPECT_EQ(check.total, total);
    EXPECT_GE(check.total, before_close);
    EXPECT_EQ(rx.len(), 0u);
    EXPECT_EQ(rx.try_recv().error(), mpsc::TryRecvError::Disconnected);
  }
}

// Senders whose send loses a select against yield_now are cancelled while waiting: the value is
// dropped, its granted capacity goes to the next waiter. What arrives is exactly what was sent,
// in order, and every permit comes back.
TEST(MpscStress, CancelledSendersLeakNoCapacity) {
  const auto n = static_cast<std::uint64_t>(stress_iters(200'000));
  auto rt = make_rt();
  auto [tx, rx] = mpsc::channel<std::uint64_t>(4);
  auto sent = std::make_shared<std::array<std::atomic<std::uint64_t>, kProducers>>();
  for (int p = 0; p < kProducers; ++p) {
    auto h = rt.spawn([](mpsc::Sender<std::uint64_t> tx, std::uint64_t id, std::uint64_t n,
                         std::shared_ptr<std::array<std::atomic<std::uint64_t>, kProducers>> sent)
                          -> sluice::Task<> {
      std::uint64_t seq = 0;
      for (std::uint64_t i = 0; i < n; ++i) {
        auto s = co_await sluice::select_biased(tx.send(encode(id, seq)), sluice::yield_now());
        if (s.index() == 0) {
          if (std::move(s).get<0>().is_err()) co_return;
          ++seq;  // sent: the next value continues the sequence
        }
      }
      (*sent)[id].store(seq);
    }(tx, static_cast<std::uint64_t>(p), n, sent));
  }
  { auto gone = std::move(tx); }
  OrderCheck check = rt.block_on(consume(rx));
  EXPECT_TRUE(check.ok);
  std::uint64_t total_sent = 0;
  for (int p = 0; p < kProducers; ++p) {
    EXPECT_EQ(check.next[p], (*sent)[p].load());
    total_sent += (*sent)[p].load();
  }
  EXPECT_EQ(check.total, total_sent);
  EXPECT_EQ(rx.capacity(), 4u);
}

// The receiver is dropped while producers are still sending: every value is destroyed exactly
// once (received, handed back in the error, drained by the drop, or freed with the channel).
TEST(MpscStress, ReceiverDroppedMidStream) {
  const int rounds = static_cast<int>(stress_iters(200));
  Counted::Stats stats;
  for (int round = 0; round < rounds; ++round) {
    auto rt = make_rt();
    auto [tx, rx] = mpsc::channel<Counted>(static_cast<std::size_t>(1 + round % 40));
    auto [utx, urx] = mpsc::unbounded_channel<Counted>();
    std::vector<sluice::JoinHandle<void>> handles;
    for (int p = 0; p < kProducers; ++p) {
      handles.push_back(
          rt.spawn([](mpsc::Sender<Counted> tx, Counted::Stats* st) -> sluice::Task<> {
            for (int i = 0;; ++i) {
              Counted c(st, i);
              auto r = co_await tx.send(std::move(c));
              if (r.is_err()) co_return;
            }
          }(tx, &stats)));
      handles.push_back(
          rt.spawn([](mpsc::UnboundedSender<Counted> tx, Counted::Stats* st) -> sluice::Task<> {
            for (int i = 0;; ++i) {
              if (tx.send(Counted(st, i)).is_err()) co_return;
              if (i % 16 == 0) co_await sluice::yield_now();
            }
          }(utx, &stats)));
    }
    { auto gone = std::move(tx); }
    { auto gone = std::move(utx); }
    rt.block_on([](mpsc::Receiver<Counted> rx, mpsc::UnboundedReceiver<Counted> urx,
                   int k) -> sluice::Task<> {
      for (int i = 0; i < k; ++i) {
        (void)co_await rx.recv();
        (void)co_await urx.recv();
      }
      // both receivers are destroyed here, with messages in flight
    }(std::move(rx), std::move(urx), 50 + round));
    for (auto& h : handles) (void)rt.block_on(std::move(h));
  }
  EXPECT_EQ(stats.live.load(), 0);
  EXPECT_EQ(stats.double_destroy.load(), 0);
}

TEST(MpscStress, BlockingSendThreadsIntoRuntimeConsumer) {
  const auto n = static_cast<std::uint64_t>(stress_iters(200'000));
  auto rt = make_rt();
  auto [tx, rx] = mpsc::channel<std::uint64_t>(16);
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([tx = tx, p, n]() mutable {
      for (std::uint64_t i = 0; i < n; ++i) {
        if (tx.blocking_send(encode(static_cast<std::uint64_t>(p), i)).is_err()) return;
      }
    });
  }
  { auto gone = std::move(tx); }
  OrderCheck check = rt.block_on(consume(rx));
  for (auto& t : threads) t.join();
  EXPECT_TRUE(check.ok);
  EXPECT_EQ(check.total, n * kProducers);
}

TEST(MpscStress, BlockingRecvThreadFromRuntimeProducers) {
  const auto n = static_cast<std::uint64_t>(stress_iters(200'000));
  auto rt = make_rt();
  auto [tx, rx] = mpsc::channel<std::uint64_t>(16);
  std::vector<sluice::JoinHandle<void>> handles;
  for (int p = 0; p < kProducers; ++p) {
    handles.push_back(rt.spawn(bounded_producer(tx, static_cast<std::uint64_t>(p), n)));
  }
  { auto gone = std::move(tx); }
  OrderCheck check;
  std::thread consumer([&] {
    std::vector<std::uint64_t> buf;
    for (int i = 0;; ++i) {
      if (i % 2 == 0) {
        auto v = rx.blocking_recv();
        if (!v) break;
        check.see(*v);
      } else {
        if (rx.blocking_recv_many(buf, 32) == 0) break;
        for (auto v : buf) check.see(v);
        buf.clear();
      }
    }
  });
  consumer.join();
  for (auto& h : handles) (void)rt.block_on(std::move(h));
  EXPECT_TRUE(check.ok);
  EXPECT_EQ(check.total, n * kProducers);
}

}  // namespace
