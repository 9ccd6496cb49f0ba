// Stress of oneshot: 8 threads in 4 pairs. In each pair one thread makes channels and hands the
// Sender to its partner; each side picks at random how to finish (receive by block_on, try_recv,
// close then take, drop / send, drop). Every value is destroyed exactly once, every received
// value is the one sent on that channel, and a send fails exactly when the receiver gave up
// first. Then a runtime variant: 8 tasks doing request/response over oneshot on 2 workers.
#include <atomic>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/block_on.hpp>
#include <sluice/runtime.hpp>
#include <sluice/sync/oneshot.hpp>
#include <sluice/task.hpp>

#include "support/runtime_helpers.hpp"

namespace {

namespace oneshot = sluice::oneshot;

std::atomic<long> g_alive{0};

struct Counted {
  long v;
  explicit Counted(long x) : v(x) { g_alive.fetch_add(1, std::memory_order_relaxed); }
  Counted(Counted&& o) noexcept : v(o.v) { g_alive.fetch_add(1, std::memory_order_relaxed); }
  Counted(const Counted& o) : v(o.v) { g_alive.fetch_add(1, std::memory_order_relaxed); }
  ~Counted() { g_alive.fetch_sub(1, std::memory_order_relaxed); }
};

struct Handoff {
  std::mutex mu;
  std::deque<std::pair<long, oneshot::Sender<Counted>>> q;
  bool done = false;
};

TEST(OneshotStress, EightThreadsRandomEndings) {
  const long n = sluice::test::stress_iters(40000);
  std::atomic<long> received{0};
  std::atomic<long> send_ok{0};
  std::vector<std::thread> ts;
  std::vector<std::unique_ptr<Handoff>> hs;
  for (int p = 0; p < 4; ++p) hs.push_back(std::make_unique<Handoff>());
  for (int p = 0; p < 4; ++p) {
    Handoff* h = hs[p].get();
    ts.emplace_back([&, h, p] {  // receiver side
      std::mt19937 rng(static_cast<unsigned>(p));
      for (long i = 0; i < n; ++i) {
        auto [tx, rx] = oneshot::channel<Counted>();
        {
          std::lock_guard g(h->mu);
          h->q.emplace_back(i, std::move(tx));
        }
        switch (rng() % 4) {
          case 0: {
            auto r = sluice::block_on(std::move(rx));
            if (r) {
              EXPECT_EQ(r->v, i);
              received.fetch_add(1);
            }
            break;
          }
          case 1: {
            auto r = rx.try_recv();
            if (r) {
              EXPECT_EQ(r->v, i);
              received.fetch_add(1);
            }
            break;
          }
          case 2: {
            rx.close();
            auto r = rx.try_recv();
            if (r) {
              EXPECT_EQ(r->v, i);
              received.fetch_add(1);
            }
            break;
          }
          default:
            break;  // dropped unread
        }
      }
      std::lock_guard g(h->mu);
      h->done = true;
    });
    ts.emplace_back([&, h, p] {  // sender side
      std::mt19937 rng(static_cast<unsigned>(100 + p));
      for (;;) {
        std::pair<long, oneshot::Sender<Counted>> item;
        bool got = false;
        bool finished = false;
        {
          std::lock_guard g(h->mu);
          if (!h->q.empty()) {
            item = std::move(h->q.front());
            h->q.pop_front();
            got = true;
          } else {
            finished = h->done;
          }
        }
        if (finished) break;
        if (!got) {
          std::this_thread::yield();
          continue;
        }
        if (rng() % 8 == 0) continue;  // dropped without sending
        auto r = item.second.send(Counted(item.first));
        if (r) {
          send_ok.fetch_add(1);
        } else {
          EXPECT_EQ(r.error().v, item.first);
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(g_alive.load(), 0);
  EXPECT_LE(received.load(), send_ok.load());
  EXPECT_GT(received.load(), 0);
}

TEST(OneshotStress, RuntimeRequestResponse) {
  const long n = sluice::test::stress_iters(50000);
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  long sum = rt.block_on([n]() -> sluice::Task<long> {
    std::vector<sluice::JoinHandle<long>> hs;
    for (int c = 0; c < 8; ++c) {
      hs.push_back(sluice::spawn([](long n) -> sluice::Task<long> {
        long s = 0;
        for (long i = 0; i < n; ++i) {
          auto [tx, rx] = oneshot::channel<long>();
          auto h = sluice::spawn([](oneshot::Sender<long> tx, long i) -> sluice::Task<void> {
            (void)tx.send(i * 2);
            co_return;
          }(std::move(tx), i));
          auto r = co_await std::move(rx);
          s += r.value();
          (void)co_await std::move(h);
        }
        co_return s;
      }(n)));
    }
    long total = 0;
    for (auto& h : hs) total += (co_await std::move(h)).value();
    co_return total;
  }());
  EXPECT_EQ(sum, 8 * n * (n - 1));
}

}  // namespace
