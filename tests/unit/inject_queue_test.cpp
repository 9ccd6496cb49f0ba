// Unit tests of detail::InjectQueue: FIFO order, batches, pop_n, len, close.
#include "sluice/detail/inject_queue.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace {

using sluice::detail::InjectQueue;

struct Node {
  Node* queue_next = nullptr;
  int id = 0;
};

std::vector<Node> make_nodes(int n) {
  std::vector<Node> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)].id = i;
  return v;
}

std::vector<int> drain(InjectQueue<Node>& q) {
  std::vector<int> out;
  while (Node* n = q.pop()) out.push_back(n->id);
  return out;
}

TEST(InjectQueue, EmptyQueue) {
  InjectQueue<Node> q;
  EXPECT_EQ(q.pop(), nullptr);
  EXPECT_EQ(q.len(), 0u);
  EXPECT_TRUE(q.is_empty());
  EXPECT_FALSE(q.is_closed());
  Node* out[4];
  EXPECT_EQ(q.pop_n(out, 4), 0u);
}

TEST(InjectQueue, PushPopIsFifoAndClearsLinks) {
  InjectQueue<Node> q;
  auto nodes = make_nodes(3);
  for (auto& n : nodes) EXPECT_TRUE(q.push(&n));
  EXPECT_EQ(q.len(), 3u);
  Node* first = q.pop();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->id, 0);
  EXPECT_EQ(first->queue_next, nullptr);
  EXPECT_EQ(q.len(), 2u);
  EXPECT_EQ(drain(q), (std::vector<int>{1, 2}));
  EXPECT_TRUE(q.is_empty());
  EXPECT_TRUE(q.push(&nodes[0]));  // reusable after being emptied
  EXPECT_EQ(drain(q), (std::vector<int>{0}));
}

TEST(InjectQueue, PushBatchAppendsInOrder) {
  InjectQueue<Node> q;
  auto nodes = make_nodes(5);
  EXPECT_TRUE(q.push(&nodes[0]));
  nodes[1].queue_next = &nodes[2];
  nodes[2].queue_next = &nodes[3];
  nodes[3].queue_next = &nodes[0];  // garbage in last->queue_next is overwritten
  q.push_batch(&nodes[1], &nodes[3], 3);
  q.push_batch(nullptr, nullptr, 0);  // empty batch: no-op
  EXPECT_TRUE(q.push(&nodes[4]));
  EXPECT_EQ(q.len(), 5u);
  EXPECT_EQ(drain(q), (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(InjectQueue, PopNTakesAtMostMaxInOrder) {
  InjectQueue<Node> q;
  auto nodes = make_nodes(5);
  for (auto& n : nodes) ASSERT_TRUE(q.push(&n));
  Node* out[8] = {};
  EXPECT_EQ(q.pop_n(out, 0), 0u);
  ASSERT_EQ(q.pop_n(out, 3), 3u);
  EXPECT_EQ(out[0]->id, 0);
  EXPECT_EQ(out[1]->id, 1);
  EXPECT_EQ(out[2]->id, 2);
  EXPECT_EQ(q.len(), 2u);
  ASSERT_EQ(q.pop_n(out, 8), 2u);
  EXPECT_EQ(out[0]->id, 3);
  EXPECT_EQ(out[1]->id, 4);
  EXPECT_TRUE(q.is_empty());
}

TEST(InjectQueue, CloseRefusesPushButKeepsQueuedNodes) {
  InjectQueue<Node> q;
  auto nodes = make_nodes(4);
  ASSERT_TRUE(q.push(&nodes[0]));
  EXPECT_TRUE(q.close());
  EXPECT_TRUE(q.is_closed());
  EXPECT_FALSE(q.close());  // only the first close reports true
  EXPECT_FALSE(q.push(&nodes[1]));
  EXPECT_EQ(q.len(), 1u);
  // A worker's overflow batch is still accepted, so that no task is lost in a race with shutdown.
  nodes[2].queue_next = &nodes[3];
  q.push_batch(&nodes[2], &nodes[3], 2);
  EXPECT_EQ(drain(q), (std::vector<int>{0, 2, 3}));
}

TEST(InjectQueue, ConcurrentPushersAndPoppersSeeEveryNodeOnce) {
  constexpr int kPerThread = 5000;
  InjectQueue<Node> q;
  auto nodes = make_nodes(2 * kPerThread);
  std::vector<int> seen(nodes.size(), 0);
  std::thread p1([&] {
    for (int i = 0; i < kPerThread; ++i) ASSERT_TRUE(q.push(&nodes[static_cast<std::size_t>(i)]));
  });
  std::thread p2([&] {
    for (int i = kPerThread; i < 2 * kPerThread; i += 2) {
      nodes[static_cast<std::size_t>(i)].queue_next = &nodes[static_cast<std::size_t>(i + 1)];
      q.push_batch(&nodes[static_cast<std::size_t>(i)], &nodes[static_cast<std::size_t>(i + 1)], 2);
    }
  });
  int got = 0;
  Node* buf[16];
  while (got < 2 * kPerThread) {
    if (Node* n = q.pop()) {
      seen[static_cast<std::size_t>(n->id)] += 1;
      got += 1;
    }
    const std::size_t k = q.pop_n(buf, 16);
    for (std::size_t i = 0; i < k; ++i) seen[static_cast<std::size_t>(buf[i]->id)] += 1;
    got += static_cast<int>(k);
  }
  p1.join();
  p2.join();
  for (int c : seen) ASSERT_EQ(c, 1);
  EXPECT_TRUE(q.is_empty());
}

}  // namespace
