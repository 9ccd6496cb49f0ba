// mini_redis::Db pub/sub: subscribe, publish, subscriber counts, channel clean-up.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <mini_redis/db.hpp>

#include <sluice/runtime.hpp>
#include <sluice/spawn.hpp>
#include <sluice/sync/broadcast.hpp>
#include <sluice/task.hpp>

namespace {

using mini_redis::Db;
using mini_redis::DbDropGuard;
using Receiver = sluice::broadcast::Receiver<std::string>;

/// The next message already queued for `rx`, or nullopt (empty, closed or lagged).
std::optional<std::string> next(Receiver& rx) {
  auto r = rx.try_recv();
  if (!r) return std::nullopt;
  return std::move(*r);
}

/// Receives `n` messages (stops early at an error) and returns them in arrival order.
sluice::Task<std::vector<std::string>> collect(Receiver rx, std::size_t n) {
  std::vector<std::string> got;
  while (got.size() < n) {
    auto r = co_await rx.recv();
    if (!r) break;
    got.push_back(std::move(*r));
  }
  co_return got;
}

TEST(DbPubSub, ThreeSubscribersEachReceiveEveryMessageInOrder) {
  constexpr std::size_t kMessages = 200;
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  std::vector<std::string> sent;
  for (std::size_t i = 0; i < kMessages; ++i) sent.push_back("msg-" + std::to_string(i));

  struct Outcome {
    std::vector<std::size_t> counts;                 // publish() results
    std::vector<std::vector<std::string>> received;  // per subscriber
  };
  const Outcome out =
      rt.block_on([](Db db, std::vector<std::string> sent) -> sluice::Task<Outcome> {
        std::vector<sluice::JoinHandle<std::vector<std::string>>> subscribers;
        for (int i = 0; i < 3; ++i)
          subscribers.push_back(sluice::spawn(collect(db.subscribe("news"), sent.size())));
        Outcome o;
        for (const auto& m : sent) o.counts.push_back(db.publish("news", m));
        for (auto& h : subscribers) {
          auto r = co_await std::move(h);
          o.received.push_back(std::move(r).value());
        }
        co_return o;
      }(db, sent));

  EXPECT_EQ(out.counts, std::vector<std::size_t>(kMessages, 3));
  ASSERT_EQ(out.received.size(), 3u);
  for (const auto& got : out.received) EXPECT_EQ(got, sent);
}

TEST(DbPubSub, PublishWithoutSubscribersReturnsZeroAndCreatesNoChannel) {
  auto rt = sluice::Runtime::current_thread();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  EXPECT_EQ(db.publish("nobody", "hello"), 0u);
  EXPECT_EQ(db.channel_count(), 0u);
}

TEST(DbPubSub, ADroppedSubscriberIsNotCounted) {
  auto rt = sluice::Runtime::current_thread();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  Receiver a = db.subscribe("ch");
  std::optional<Receiver> b(db.subscribe("ch"));
  EXPECT_EQ(db.publish("ch", "one"), 2u);
  b.reset();
  EXPECT_EQ(db.publish("ch", "two"), 1u);
  EXPECT_EQ(next(a), "one");
  EXPECT_EQ(next(a), "two");
  EXPECT_EQ(next(a), std::nullopt);
  EXPECT_EQ(db.channel_count(), 1u);
}

TEST(DbPubSub, ASubscriberSeesOnlyMessagesPublishedAfterItSubscribed) {
  auto rt = sluice::Runtime::current_thread();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  Receiver early = db.subscribe("ch");
  EXPECT_EQ(db.publish("ch", "first"), 1u);
  Receiver late = db.subscribe("ch");
  EXPECT_EQ(db.publish("ch", "second"), 2u);
  EXPECT_EQ(next(early), "first");
  EXPECT_EQ(next(early), "second");
  EXPECT_EQ(next(late), "second");
  EXPECT_EQ(next(late), std::nullopt);
}

TEST(DbPubSub, ChannelsAreIndependentAndMessagesAreBinarySafe) {
  auto rt = sluice::Runtime::current_thread();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  Receiver a = db.subscribe("a");
  Receiver b = db.subscribe("b");
  const std::string binary("x\0y\r\n", 5);
  EXPECT_EQ(db.publish("a", binary), 1u);
  EXPECT_EQ(next(a), binary);
  EXPECT_EQ(next(b), std::nullopt);
  EXPECT_EQ(db.channel_count(), 2u);
}

TEST(DbPubSub, ASubscriberMoreThanTheCapacityBehindIsLapped) {
  auto rt = sluice::Runtime::current_thread();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  Receiver rx = db.subscribe("ch");
  for (std::size_t i = 0; i < mini_redis::kChannelCapacity + 5; ++i)
    EXPECT_EQ(db.publish("ch", std::to_string(i)), 1u);
  auto r = rx.try_recv();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_lagged());
  EXPECT_EQ(r.error().lagged_count(), 5u);
  EXPECT_EQ(next(rx), "5");  // continues from the oldest message kept
}

TEST(DbPubSub, PublishRemovesAnAbandonedChannelWhichSubscribeRecreates) {
  auto rt = sluice::Runtime::current_thread();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  { Receiver gone = db.subscribe("ch"); }
  EXPECT_EQ(db.channel_count(), 1u);  // removed lazily, not when the receiver drops
  EXPECT_EQ(db.publish("ch", "lost"), 0u);
  EXPECT_EQ(db.channel_count(), 0u);
  Receiver rx = db.subscribe("ch");
  EXPECT_EQ(db.channel_count(), 1u);
  EXPECT_EQ(db.publish("ch", "seen"), 1u);
  EXPECT_EQ(next(rx), "seen");
}

TEST(DbPubSub, ASubscriberReturningToAnAbandonedChannelKeepsIt) {
  auto rt = sluice::Runtime::current_thread();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  { Receiver gone = db.subscribe("ch"); }
  Receiver back = db.subscribe("ch");  // same channel, reopened before any publish
  EXPECT_EQ(db.channel_count(), 1u);
  EXPECT_EQ(db.publish("ch", "hi"), 1u);
  EXPECT_EQ(next(back), "hi");
}

TEST(DbPubSub, SubscribeSweepsAbandonedChannelsSoTheMapStaysBounded) {
  constexpr std::size_t kLive = 10;
  auto rt = sluice::Runtime::current_thread();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  std::vector<Receiver> live;
  for (std::size_t i = 0; i < kLive; ++i) live.push_back(db.subscribe("live-" + std::to_string(i)));
  std::size_t most = 0;
  for (int i = 0; i < 1000; ++i) {
    { Receiver gone = db.subscribe("gone-" + std::to_string(i)); }
    most = std::max(most, db.channel_count());
  }
  // A sweep runs when a new channel finds the map at 64 (and twice the live channels after it).
  EXPECT_LE(most, 64u);
  EXPECT_GE(db.channel_count(), kLive);
  for (std::size_t i = 0; i < kLive; ++i) {
    EXPECT_EQ(db.publish("live-" + std::to_string(i), "still here"), 1u) << i;
    EXPECT_EQ(next(live[i]), "still here");
  }
}

TEST(DbPubSub, ManyLiveChannelsRaiseTheSweepThreshold) {
  // 100 live channels: each sweep finds them all live, so the threshold grows to twice the live
  // count and sweeping stays amortised; every channel keeps its subscriber.
  auto rt = sluice::Runtime::current_thread();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  std::vector<Receiver> live;
  for (int i = 0; i < 100; ++i) live.push_back(db.subscribe("live-" + std::to_string(i)));
  EXPECT_EQ(db.channel_count(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(db.publish("live-" + std::to_string(i), "m"), 1u);
}

}  // namespace
