// Relacy model of detail::BlockList (kBlockCap == 2 under SLUICE_MODEL, so a few values cross
// block boundaries): two senders claiming slots across a boundary while the receiver reads;
// the receiver recycling a block while a sender is still writing into the next one; the last
// sender closing; the receiver closing while senders claim (close_rx). Values carry an rl::var, so
// Relacy reports any read of a value that is not ordered after its write; every block is freed
// (Relacy reports leaks). Build and run (see also the `model` preset):
//   g++ -std=c++20 -DSLUICE_MODEL=1 -Iinclude tests/model/block_list_model.cpp -o /tmp/x && /tmp/x
//
// Prelude: see atomic_waker_model.cpp (standard headers, then Relacy, then #undef new/delete).
#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include <relacy/relacy.hpp>

#include "model/support/run_model.hpp"
#undef new
#undef delete

// g++ compiles `delete p` to the sized operator delete, which Relacy does not replace (it only
// defines the unsized one, inline): route the sized forms to it, or libc's free() would receive
// memory Relacy allocated. (Alternative: compile with -fno-sized-deallocation.)
void operator delete(void* p, std::size_t) noexcept { ::operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { ::operator delete[](p); }

#include <sluice/detail/block_list.hpp>

namespace {

using sluice::detail::Atomic;
using sluice::detail::BlockList;
using sluice::detail::PopStatus;
namespace mo = sluice::detail::mo;

static_assert(sluice::detail::kBlockCap == 2);

// A value whose payload is a checked variable: moving it reads the source.
struct Val {
  explicit Val(int x) : v(x) {}
  Val(Val&& o) noexcept : v(o.get()) {}
  Val& operator=(Val&&) = delete;
  int get() const { return v($).load(); }
  rl::var<int> v;
};

int sender_of(int v) { return v / 100; }
int seq_of(int v) { return v % 100; }

// Receiver helper: pops until `want` values arrived (and, if `until_closed`, Closed), checking
// exactly-once and per-sender order.
template <int kSenders>
void receive(BlockList<Val>& list, int want, bool until_closed, const int (&per_sender)[kSenders]) {
  int next[kSenders] = {};
  int got = 0;
  for (;;) {
    auto r = list.pop();
    if (r.has_value()) {
      const int v = r.value().get();
      const int s = sender_of(v);
      RL_ASSERT(s >= 0 && s < kSenders);
      RL_ASSERT(seq_of(v) == next[s]);
      next[s] += 1;
      got += 1;
      if (got == want && !until_closed) break;
      continue;
    }
    if (r.status() == PopStatus::Closed) {
      RL_ASSERT(until_closed);
      break;
    }
    // Empty / Inconsistent: a value is missing, or (until_closed) the close is still landing.
    RL_ASSERT(got < want || until_closed);
    sluice::detail::spin_hint();
  }
  RL_ASSERT(got == want);
  for (int s = 0; s < kSenders; ++s) RL_ASSERT(next[s] == per_sender[s]);
}

// 2 senders x 2 values = 4 slots = 2 blocks; the receiver reads concurrently.
struct TwoSendersAcrossABoundary : rl::test_suite<TwoSendersAcrossABoundary, 3> {
  BlockList<Val> list;

  void thread(unsigned id) {
    if (id < 2) {
      for (int i = 0; i < 2; ++i) list.push(Val(static_cast<int>(id) * 100 + i));
    } else {
      const int per[2] = {2, 2};
      receive<2>(list, 4, false, per);
    }
  }
  void after() { RL_ASSERT(list.pop().status() == PopStatus::Empty); }
};

// Sender 0 pushes 3 values, sender 1 pushes 2, the last one to finish closes: 6 claims over 3
// blocks. The receiver drains to Closed; it recycles block 0 (pushing it back after the tail)
// while the senders are still writing into blocks 1 and 2.
struct ReclaimWhileWritingAndClose : rl::test_suite<ReclaimWhileWritingAndClose, 3> {
  BlockList<Val> list;
  Atomic<int> senders{2};

  void thread(unsigned id) {
    if (id < 2) {
      const int n = id == 0 ? 3 : 2;
      for (int i = 0; i < n; ++i) list.push(Val(static_cast<int>(id) * 100 + i));
      if (senders.fetch_sub(1, mo::acq_rel) == 1) list.close();
    } else {
      const int per[2] = {3, 2};
      receive<2>(list, 5, true, per);
    }
  }
  void after() {
    RL_ASSERT(list.pop().status() == PopStatus::Closed);
    RL_ASSERT(list.is_empty());
  }
};

// One sender, many blocks: the receiver recycles blocks while the sender keeps growing the list
// and reusing recycled blocks (6 values, 3 blocks, reuse after the first).
struct RecycleAndReuse : rl::test_suite<RecycleAndReuse, 2> {
  BlockList<Val> list;

  void thread(unsigned id) {
    if (id == 0) {
      for (int i = 0; i < 6; ++i) list.push(Val(i));
    } else {
      const int per[1] = {6};
      receive<1>(list, 6, false, per);
    }
  }
  void after() { RL_ASSERT(list.allocated_blocks() <= 1 + BlockList<Val>::kReclaimTries + 2); }
};

// Values left unread when the list is destroyed are destroyed exactly once (Relacy checks the
// rl::var lifetimes and leaks); the receiver stops half way.
struct DestroyWithUnreadValues : rl::test_suite<DestroyWithUnreadValues, 3> {
  std::optional<BlockList<Val>> list;

  void before() { list.emplace(); }
  void thread(unsigned id) {
    if (id < 2) {
      for (int i = 0; i < 2; ++i) list->push(Val(static_cast<int>(id) * 100 + i));
    } else {
      for (int got = 0; got < 1;) {
        auto r = list->pop();
        if (r.has_value()) {
          got += 1;
        } else {
          sluice::detail::spin_hint();
        }
      }
    }
  }
  void after() { list.reset(); }
};

// Receiver close (unbounded channels): two senders try_push 2 values each, the last one to
// finish closes (tx close), while the receiver takes what is there, closes (close_rx) and drains
// to Closed. Every accepted value is read exactly once and in order per sender, no refused value
// is, refusals are sticky (a sender's accepted values are a prefix), and tx close racing with rx
// close ends the list either way. Dead claims cross block boundaries (5 claims, 3 blocks).
struct ReceiverClosesWhileSendersClaim : rl::test_suite<ReceiverClosesWhileSendersClaim, 3> {
  BlockList<Val> list;
  Atomic<int> senders{2};
  int accepted[2] = {};  // written by each sender, read in after()
  int received[2] = {};  // receiver only

  void thread(unsigned id) {
    if (id < 2) {
      for (int i = 0; i < 2; ++i) {
        Val v(static_cast<int>(id) * 100 + i);
        if (!list.try_push(std::move(v))) {
          RL_ASSERT(v.get() == static_cast<int>(id) * 100 + i);  // given back untouched
          RL_ASSERT(list.is_rx_closed());
          break;
        }
        accepted[id] += 1;
      }
      if (senders.fetch_sub(1, mo::acq_rel) == 1) list.close();
      return;
    }
    auto take = [&](auto&& r) {
      const int v = r.value().get();
      const int s = sender_of(v);
      RL_ASSERT(s >= 0 && s < 2);
      RL_ASSERT(seq_of(v) == received[s]);
      received[s] += 1;
    };
    if (auto r = list.pop(); r.has_value()) take(r);
    list.close_rx();
    RL_ASSERT(list.is_rx_closed());
    for (;;) {
      auto r = list.pop();
      if (r.has_value()) {
        take(r);
        continue;
      }
      if (r.status() == PopStatus::Closed) break;
      sluice::detail::spin_hint();  // a sender claimed before the close and is still writing
    }
    RL_ASSERT(list.is_empty());
    RL_ASSERT(list.len() == 0);
  }
  void after() {
    for (int s = 0; s < 2; ++s) RL_ASSERT(received[s] == accepted[s]);
    RL_ASSERT(list.pop().status() == PopStatus::Closed);
  }
};

using sluice::model::run_model;

}  // namespace

int main() {
  bool ok = true;
  ok &= run_model<TwoSendersAcrossABoundary>("two senders across a block boundary",
                                             rl::random_scheduler_type, 300000);
  ok &= run_model<ReclaimWhileWritingAndClose>(
      "reclaim while a sender writes the next block, close", rl::random_scheduler_type, 300000);
  ok &= run_model<RecycleAndReuse>("recycle and reuse (context bound 2)",
                                   rl::fair_context_bound_scheduler_type, 2);
  ok &= run_model<DestroyWithUnreadValues>("destroy with unread values", rl::random_scheduler_type,
                                           100000);
  ok &= run_model<ReceiverClosesWhileSendersClaim>(
      "receiver closes while senders claim, last sender closes", rl::random_scheduler_type, 300000);
  std::printf(ok ? "block_list_model: OK\n" : "block_list_model: FAILED\n");
  return ok ? 0 : 1;
}
