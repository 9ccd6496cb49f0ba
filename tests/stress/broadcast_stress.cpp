// Stress of broadcast: 2 sender threads and 6 receiver threads on a 16-slot channel. Each
// receiver counts the values it got and the Lagged(n) it was told about; the two must add up to
// exactly the number of values sent (lag counts are exact under concurrent send/recv), and the
// values of each sender arrive in order. Then the same with a ring large enough that nobody lags,
// on a 2-worker runtime with async receivers.
#include <atomic>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/runtime.hpp>
#include <sluice/sync/broadcast.hpp>
#include <sluice/task.hpp>

#include "support/runtime_helpers.hpp"

namespace {

namespace broadcast = sluice::broadcast;

std::uint64_t encode(std::uint64_t sender, std::uint64_t seq) { return sender << 48 | seq; }

TEST(BroadcastStress, LagCountsExactUnderConcurrency) {
  const std::uint64_t per_sender = static_cast<std::uint64_t>(sluice::test::stress_iters(500000));
  constexpr int kSenders = 2;
  constexpr int kReceivers = 6;
  auto [tx, rx0] = broadcast::channel<std::uint64_t>(16);
  std::vector<broadcast::Receiver<std::uint64_t>> rxs;
  for (int r = 0; r < kReceivers; ++r) rxs.push_back(tx.subscribe());
  { auto gone = std::move(rx0); }
  std::vector<std::thread> ts;
  std::vector<std::uint64_t> got(kReceivers), lagged(kReceivers);
  for (int r = 0; r < kReceivers; ++r) {
    ts.emplace_back([&, r] {
      auto rx = std::move(rxs[r]);
      std::uint64_t last[kSenders] = {0, 0};
      bool any[kSenders] = {false, false};
      for (;;) {
        auto v = (r % 2 == 0) ? rx.blocking_recv()
                              : [&]() -> sluice::Result<std::uint64_t, broadcast::RecvError> {
          for (;;) {
            auto t = rx.try_recv();
            if (t) return *t;
            if (t.error().is_closed()) return sluice::Err(broadcast::RecvError::closed());
            if (t.error().is_lagged())
              return sluice::Err(broadcast::RecvError::lagged(t.error().lagged_count()));
            std::this_thread::yield();
          }
        }();
        if (v) {
          const std::uint64_t s = *v >> 48, seq = *v & ((std::uint64_t{1} << 48) - 1);
          if (any[s]) {
            EXPECT_GT(seq, last[s]);
          }
          any[s] = true;
          last[s] = seq;
          ++got[r];
        } else if (v.error().is_lagged()) {
          EXPECT_GT(v.error().lagged_count(), 0u);
          lagged[r] += v.error().lagged_count();
        } else {
          break;
        }
      }
    });
  }
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s, tx = tx]() mutable {
      for (std::uint64_t i = 0; i < per_sender; ++i) {
        auto r = tx.send(encode(s, i));
        EXPECT_TRUE(r.has_value());
      }
    });
  }
  { auto gone = std::move(tx); }
  for (auto& t : senders) t.join();
  for (auto& t : ts) t.join();
  for (int r = 0; r < kReceivers; ++r) {
    EXPECT_EQ(got[r] + lagged[r], kSenders * per_sender) << "receiver " << r;
  }
}

TEST(BroadcastStress, NoLagWithRoomAsyncReceivers) {
  const long n = sluice::test::stress_iters(100000);
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  std::vector<long> sums = rt.block_on([n]() -> sluice::Task<std::vector<long>> {
    auto [tx, rx] = broadcast::channel<long>(static_cast<std::size_t>(n));
    std::vector<sluice::JoinHandle<long>> hs;
    for (int r = 0; r < 6; ++r) {
      hs.push_back(sluice::spawn([](broadcast::Receiver<long> rx) -> sluice::Task<long> {
        long sum = 0;
        long expect = 0;
        for (;;) {
          auto v = co_await rx.recv();
          if (!v) {
            EXPECT_TRUE(v.error().is_closed());
            break;
          }
          EXPECT_EQ(*v, expect);
          ++expect;
          sum += *v;
        }
        co_return sum;
      }(tx.subscribe())));
    }
    { auto gone = std::move(rx); }
    auto tx2 = tx;
    auto h1 = sluice::spawn([](broadcast::Sender<long> tx, long n) -> sluice::Task<void> {
      for (long i = 0; i < n; ++i) (void)tx.send(i);
      co_return;
    }(std::move(tx), n));
    (void)co_await std::move(h1);
    { auto gone = std::move(tx2); }
    std::vector<long> out;
    for (auto& h : hs) out.push_back((co_await std::move(h)).value());
    co_return out;
  }());
  for (long s : sums) EXPECT_EQ(s, n * (n - 1) / 2);
}

}  // namespace
