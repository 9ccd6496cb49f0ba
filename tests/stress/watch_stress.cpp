// Stress of watch: 2 sender threads (copies of one Sender) each advance their own half of the
// value, 6 receiver threads wait with changed() (block_on) or wait_for. Values a receiver sees
// never go backwards, and every receiver's last view is the final value (changed() never misses
// the final value before reporting closed).
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/block_on.hpp>
#include <sluice/sync/watch.hpp>

#include "support/runtime_helpers.hpp"

namespace {

namespace watch = sluice::watch;

struct Pair {
  long a = 0;
  long b = 0;
};

TEST(WatchStress, EightThreadsNeverMissFinalValue) {
  const long n = sluice::test::stress_iters(400000);
  auto [tx, rx0] = watch::channel<Pair>();
  std::vector<std::thread> ts;
  std::vector<Pair> last(6);
  for (int r = 0; r < 6; ++r) {
    ts.emplace_back([&, r, rx = rx0]() mutable {
      Pair seen;
      if (r == 5) {  // wait_for the final value directly
        auto got =
            sluice::block_on(rx.wait_for([n](const Pair& p) { return p.a == n && p.b == n; }));
        ASSERT_TRUE(got.has_value());
        seen = **got;
      } else {
        while (sluice::block_on(rx.changed())) {
          auto v = rx.borrow_and_update();
          EXPECT_GE(v->a, seen.a);
          EXPECT_GE(v->b, seen.b);
          seen = *v;
        }
        EXPECT_TRUE(rx.has_changed().is_err());
      }
      last[r] = seen;
    });
  }
  { auto gone = std::move(rx0); }
  std::vector<std::thread> senders;
  senders.emplace_back([tx = tx, n]() mutable {
    for (long i = 1; i <= n; ++i) tx.send_modify([i](Pair& p) { p.a = i; });
  });
  senders.emplace_back([tx = tx, n]() mutable {
    for (long i = 1; i <= n; ++i) {
      if (i % 2) {
        tx.send_modify([i](Pair& p) { p.b = i; });
      } else {
        (void)tx.send_if_modified([i](Pair& p) {
          p.b = i;
          return true;
        });
      }
    }
  });
  { auto gone = std::move(tx); }
  for (auto& t : senders) t.join();
  for (auto& t : ts) t.join();
  for (auto& p : last) {
    EXPECT_EQ(p.a, n);
    EXPECT_EQ(p.b, n);
  }
}

}  // namespace
