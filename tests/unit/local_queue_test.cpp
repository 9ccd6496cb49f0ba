// Unit tests of detail::LocalQueue: order, capacity, overflow into the inject queue, stealing half,
// empty cases. Concurrency is covered by tests/stress/local_queue_stress.cpp and
// tests/model/local_queue_model.cpp.
#include "sluice/detail/local_queue.hpp"

#include <cstdint>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace {

using sluice::detail::InjectQueue;
using sluice::detail::LocalQueue;

struct Node {
  Node* queue_next = nullptr;
  int id = 0;
};

std::vector<Node> make_nodes(int n) {
  std::vector<Node> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)].id = i;
  return v;
}

template <class Q>
std::vector<int> drain(Q& q) {
  std::vector<int> out;
  while (Node* n = q.pop()) out.push_back(n->id);
  return out;
}

std::vector<int> range(int from, int to) {
  std::vector<int> v;
  for (int i = from; i < to; ++i) v.push_back(i);
  return v;
}

TEST(LocalQueue, EmptyQueue) {
  LocalQueue<Node, 8> q;
  EXPECT_EQ(q.pop(), nullptr);
  EXPECT_EQ(q.len(), 0u);
  EXPECT_TRUE(q.is_empty());
  EXPECT_FALSE(q.is_stealable());
  EXPECT_EQ(q.remaining_slots(), 8u);
  EXPECT_EQ(decltype(q)::capacity, 8u);
}

TEST(LocalQueue, PushPopIsFifo) {
  LocalQueue<Node, 8> q;
  InjectQueue<Node> inject;
  auto nodes = make_nodes(5);
  for (auto& n : nodes) q.push_back_or_overflow(&n, inject);
  EXPECT_EQ(q.len(), 5u);
  EXPECT_EQ(q.remaining_slots(), 3u);
  EXPECT_TRUE(q.is_stealable());
  EXPECT_EQ(drain(q), range(0, 5));
  EXPECT_TRUE(q.is_empty());
  EXPECT_TRUE(inject.is_empty());
}

TEST(LocalQueue, WrapsAroundTheRingManyTimes) {
  LocalQueue<Node, 4> q;
  InjectQueue<Node> inject;
  auto nodes = make_nodes(1000);
  std::vector<int> seen;
  // Keep 0..3 items in flight so that positions wrap the 4-slot ring hundreds of times.
  std::size_t next = 0;
  for (int round = 0; round < 400; ++round) {
    const int pushes = 1 + round % 3;
    for (int k = 0; k < pushes && next < nodes.size() && q.remaining_slots() > 0; ++k) {
      q.push_back_or_overflow(&nodes[next++], inject);
    }
    if (Node* n = q.pop()) seen.push_back(n->id);
  }
  for (int id : drain(q)) seen.push_back(id);
  EXPECT_TRUE(inject.is_empty());
  EXPECT_EQ(seen, range(0, static_cast<int>(next)));
  EXPECT_GT(next, 100u);
}

TEST(LocalQueue, FullQueueOverflowsHalfPlusNewNodeIntoInject) {
  LocalQueue<Node, 8> q;
  InjectQueue<Node> inject;
  auto nodes = make_nodes(9);
  for (int i = 0; i < 8; ++i) q.push_back_or_overflow(&nodes[static_cast<std::size_t>(i)], inject);
  EXPECT_EQ(q.remaining_slots(), 0u);
  EXPECT_TRUE(inject.is_empty());

  q.push_back_or_overflow(&nodes[8], inject);  // full: 0..3 and 8 move to inject as one batch
  EXPECT_EQ(inject.len(), 5u);
  EXPECT_EQ(q.len(), 4u);
  EXPECT_EQ(drain(inject), (std::vector<int>{0, 1, 2, 3, 8}));
  EXPECT_EQ(drain(q), range(4, 8));
}

TEST(LocalQueue, OverflowWorksEvenIfInjectIsClosed) {
  LocalQueue<Node, 4> q;
  InjectQueue<Node> inject;
  ASSERT_TRUE(inject.close());
  auto nodes = make_nodes(5);
  for (auto& n : nodes) q.push_back_or_overflow(&n, inject);
  EXPECT_EQ(drain(inject), (std::vector<int>{0, 1, 4}));  // nothing lost
  EXPECT_EQ(drain(q), (std::vector<int>{2, 3}));
}

TEST(LocalQueue, PushBackBatchKeepsOrderAndChecksRoom) {
  LocalQueue<Node, 8> q;
  auto nodes = make_nodes(8);
  std::vector<Node*> ptrs;
  for (auto& n : nodes) ptrs.push_back(&n);
  q.push_back_batch(ptrs.data(), 0);
  EXPECT_TRUE(q.is_empty());
  q.push_back_batch(ptrs.data(), 6);
  EXPECT_EQ(q.remaining_slots(), 2u);
  EXPECT_THROW(q.push_back_batch(ptrs.data() + 6, 3), std::logic_error);
  EXPECT_EQ(q.len(), 6u);  // the failed batch pushed nothing
  q.push_back_batch(ptrs.data() + 6, 2);
  EXPECT_EQ(q.remaining_slots(), 0u);
  EXPECT_EQ(drain(q), range(0, 8));
}

TEST(LocalQueue, StealTakesTheOlderHalfRoundedUp) {
  LocalQueue<Node, 8> src;
  LocalQueue<Node, 8> dst;
  InjectQueue<Node> inject;
  auto nodes = make_nodes(5);
  for (auto& n : nodes) src.push_back_or_overflow(&n, inject);

  Node* ret = src.steal_into(dst);  // 5 - 5/2 = 3 stolen: 0, 1 into dst, 2 returned
  ASSERT_NE(ret, nullptr);
  EXPECT_EQ(ret->id, 2);
  EXPECT_EQ(dst.len(), 2u);
  EXPECT_EQ(src.len(), 2u);
  EXPECT_EQ(drain(dst), (std::vector<int>{0, 1}));
  EXPECT_EQ(drain(src), (std::vector<int>{3, 4}));
}

TEST(LocalQueue, StealOfOneItemReturnsItWithoutTouchingDst) {
  LocalQueue<Node, 8> src;
  LocalQueue<Node, 8> dst;
  InjectQueue<Node> inject;
  Node n;
  n.id = 7;
  src.push_back_or_overflow(&n, inject);
  EXPECT_EQ(src.steal_into(dst), &n);
  EXPECT_TRUE(dst.is_empty());
  EXPECT_TRUE(src.is_empty());
  EXPECT_EQ(src.steal_into(dst), nullptr);  // empty source
}

TEST(LocalQueue, StealIntoAMoreThanHalfFullDstStealsNothing) {
  LocalQueue<Node, 8> src;
  LocalQueue<Node, 8> dst;
  InjectQueue<Node> inject;
  auto a = make_nodes(4);
  auto b = make_nodes(5);
  for (auto& n : a) src.push_back_or_overflow(&n, inject);
  for (auto& n : b) dst.push_back_or_overflow(&n, inject);
  EXPECT_EQ(src.steal_into(dst), nullptr);
  EXPECT_EQ(src.len(), 4u);
  EXPECT_EQ(dst.len(), 5u);
  dst.pop();  // now exactly half full: stealing is allowed again
  Node* ret = src.steal_into(dst);
  ASSERT_NE(ret, nullptr);
  EXPECT_EQ(ret->id, 1);
  EXPECT_EQ(dst.len(), 5u);
  drain(dst);
  drain(src);
}

TEST(LocalQueue, StealAcrossTheWrapAppendsAfterDstItems) {
  LocalQueue<Node, 4> src;
  LocalQueue<Node, 4> dst;
  InjectQueue<Node> inject;
  auto nodes = make_nodes(12);
  // Move both queues' positions so the copies cross the end of the ring.
  for (int i = 0; i < 3; ++i) {
    src.push_back_or_overflow(&nodes[static_cast<std::size_t>(i)], inject);
    dst.push_back_or_overflow(&nodes[static_cast<std::size_t>(i + 3)], inject);
  }
  drain(src);
  EXPECT_EQ(dst.pop()->id, 3);
  EXPECT_EQ(dst.pop()->id, 4);  // dst holds 5, at position 2
  for (int i = 6; i < 10; ++i)
    src.push_back_or_overflow(&nodes[static_cast<std::size_t>(i)], inject);
  Node* ret = src.steal_into(dst);  // steals 6, 7: 6 into dst, 7 returned
  ASSERT_NE(ret, nullptr);
  EXPECT_EQ(ret->id, 7);
  EXPECT_EQ(drain(dst), (std::vector<int>{5, 6}));
  EXPECT_EQ(drain(src), (std::vector<int>{8, 9}));
  EXPECT_TRUE(inject.is_empty());
}

TEST(LocalQueue, StealIntoItselfIsAProgrammingError) {
  LocalQueue<Node, 8> q;
  EXPECT_THROW(q.steal_into(q), std::logic_error);
}

TEST(LocalQueue, DefaultCapacityIs256) {
  LocalQueue<Node> q;
  InjectQueue<Node> inject;
  auto nodes = make_nodes(257);
  for (auto& n : nodes) q.push_back_or_overflow(&n, inject);
  EXPECT_EQ(inject.len(), 129u);  // 128 oldest + the 257th
  EXPECT_EQ(q.len(), 128u);
  EXPECT_EQ(drain(q), range(128, 256));
  auto in = drain(inject);
  ASSERT_EQ(in.size(), 129u);
  EXPECT_EQ(in.front(), 0);
  EXPECT_EQ(in[127], 127);
  EXPECT_EQ(in.back(), 256);
}

}  // namespace
