// Unit tests of detail::IdleWorkers: who gets notified, the searching limit, parking bookkeeping.
#include "sluice/detail/idle_workers.hpp"

#include <optional>
#include <stdexcept>

#include <gtest/gtest.h>

namespace {

using sluice::detail::IdleWorkers;

TEST(IdleWorkers, StartsWithEveryWorkerUnparkedAndNoneSearching) {
  IdleWorkers idle(4);
  EXPECT_EQ(idle.num_searching(), 0u);
  EXPECT_EQ(idle.num_unparked(), 4u);
  EXPECT_FALSE(idle.is_parked(0));
  EXPECT_EQ(idle.worker_to_notify(), std::nullopt);  // nobody parked
}

TEST(IdleWorkers, RejectsZeroWorkers) { EXPECT_THROW(IdleWorkers(0), std::logic_error); }

TEST(IdleWorkers, NotifyWakesAParkedWorkerAndCountsItSearching) {
  IdleWorkers idle(4);
  EXPECT_FALSE(idle.transition_worker_to_parked(2, false));
  EXPECT_TRUE(idle.is_parked(2));
  EXPECT_EQ(idle.num_unparked(), 3u);

  EXPECT_EQ(idle.worker_to_notify(), std::optional<std::size_t>(2));
  EXPECT_FALSE(idle.is_parked(2));
  EXPECT_EQ(idle.num_searching(), 1u);
  EXPECT_EQ(idle.num_unparked(), 4u);
  EXPECT_EQ(idle.worker_to_notify(), std::nullopt);  // nobody parked any more

  // The woken worker finds its work: it was the last searcher.
  EXPECT_TRUE(idle.transition_worker_from_searching());
  EXPECT_EQ(idle.num_searching(), 0u);
  // It had been taken out of the parked set already.
  EXPECT_FALSE(idle.unpark_worker_by_id(2));
}

TEST(IdleWorkers, NoNotificationWhileSomeoneSearches) {
  IdleWorkers idle(4);
  EXPECT_FALSE(idle.transition_worker_to_parked(0, false));
  EXPECT_FALSE(idle.transition_worker_to_parked(1, false));
  ASSERT_TRUE(idle.transition_worker_to_searching());    // worker 3 searches
  EXPECT_EQ(idle.worker_to_notify(), std::nullopt);      // it will find the work
  EXPECT_TRUE(idle.transition_worker_from_searching());  // last searcher: caller must notify
  const auto w = idle.worker_to_notify();
  ASSERT_TRUE(w.has_value());
  EXPECT_TRUE(*w == 0 || *w == 1);
  EXPECT_EQ(idle.num_searching(), 1u);
  EXPECT_EQ(idle.worker_to_notify(), std::nullopt);
}

TEST(IdleWorkers, AtMostHalfTheWorkersSearch) {
  IdleWorkers idle(4);
  EXPECT_TRUE(idle.transition_worker_to_searching());
  EXPECT_TRUE(idle.transition_worker_to_searching());
  EXPECT_FALSE(idle.transition_worker_to_searching());
  EXPECT_EQ(idle.num_searching(), 2u);
  EXPECT_FALSE(idle.transition_worker_from_searching());  // one searcher left
  EXPECT_TRUE(idle.transition_worker_to_searching());
  EXPECT_FALSE(idle.transition_worker_from_searching());
  EXPECT_TRUE(idle.transition_worker_from_searching());

  IdleWorkers one(1);
  EXPECT_TRUE(one.transition_worker_to_searching());  // 0 * 2 < 1
  EXPECT_FALSE(one.transition_worker_to_searching());
}

TEST(IdleWorkers, ParkingTheLastSearcherReportsIt) {
  IdleWorkers idle(4);
  ASSERT_TRUE(idle.transition_worker_to_searching());
  ASSERT_TRUE(idle.transition_worker_to_searching());
  EXPECT_FALSE(idle.transition_worker_to_parked(0, true));  // one searcher remains
  EXPECT_EQ(idle.num_searching(), 1u);
  EXPECT_TRUE(idle.transition_worker_to_parked(1, true));  // last one: re-check the queues
  EXPECT_EQ(idle.num_searching(), 0u);
  EXPECT_EQ(idle.num_unparked(), 2u);
  EXPECT_TRUE(idle.is_parked(0));
  EXPECT_TRUE(idle.is_parked(1));
}

TEST(IdleWorkers, UnparkByIdRemovesAWorkerThatWokeOnItsOwn) {
  IdleWorkers idle(3);
  EXPECT_FALSE(idle.transition_worker_to_parked(0, false));
  EXPECT_FALSE(idle.transition_worker_to_parked(1, false));
  EXPECT_TRUE(idle.unpark_worker_by_id(0));
  EXPECT_FALSE(idle.is_parked(0));
  EXPECT_TRUE(idle.is_parked(1));
  EXPECT_EQ(idle.num_unparked(), 2u);
  EXPECT_EQ(idle.num_searching(), 0u);
  EXPECT_FALSE(idle.unpark_worker_by_id(0));  // not parked any more
  EXPECT_EQ(idle.worker_to_notify(), std::optional<std::size_t>(1));
  EXPECT_EQ(idle.num_unparked(), 3u);
}

}  // namespace
