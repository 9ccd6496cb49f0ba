// Relacy model of detail::OneshotInner (the oneshot state word): a send racing the receiver's
// poll, close and drop; the sender's drop racing a poll; closed() racing the receiver's drop.
// Checked in every interleaving: the value is destroyed exactly once (never leaked, never
// twice), accesses to the value and to both wakers are ordered by the state word (the inner's
// probes are rl::var), a pending poll is always woken, no waker clone leaks, and the channel is
// freed by exactly one of the two sides.
//   build: cmake --preset model -B build/model && cmake --build build/model --target
//   model_oneshot_model
#include <relacy/relacy.hpp>

#include "model/support/run_model.hpp"

// g++ compiles `delete p` to the sized operator delete, which Relacy does not replace: route it to
// Relacy's unsized one (see atomic_waker_model.cpp).
void operator delete(void* p, std::size_t) noexcept { ::operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { ::operator delete[](p); }

#include <sluice/coop_budget.hpp>
#include <sluice/detail/oneshot_state.hpp>

namespace {

using sluice::Context;
using sluice::Waker;
using sluice::detail::Atomic;
namespace mo = sluice::detail::mo;

/// Counts live Tracked values; its payload is an rl::var so racing accesses are reported.
struct Counters {
  Atomic<int> alive{0};
  Atomic<int> destroyed{0};
};

struct Tracked {
  Counters* c;
  explicit Tracked(Counters* cs) : c(cs) { c->alive.fetch_add(1, mo::relaxed); }
  Tracked(Tracked&& o) noexcept : c(o.c) { c->alive.fetch_add(1, mo::relaxed); }
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;
  Tracked& operator=(Tracked&&) = delete;
  ~Tracked() {
    c->alive.fetch_sub(1, mo::relaxed);
    c->destroyed.fetch_add(1, mo::relaxed);
  }
};

using Inner = sluice::detail::OneshotInner<Tracked>;
using Take = Inner::Take;

/// A waker counting wake-ups and live clones with model atomics.
struct ModelWaker {
  Atomic<int> wakes{0};
  Atomic<int> clones{0};
  Waker waker{this, &kVTable};

  static ModelWaker* of(void* d) { return static_cast<ModelWaker*>(d); }
  static void* clone(void* d) {
    of(d)->clones.fetch_add(1, mo::relaxed);
    return d;
  }
  static void wake_by_ref(void* d) { of(d)->wakes.fetch_add(1, mo::acq_rel); }
  static void wake(void* d) {
    wake_by_ref(d);
    drop(d);
  }
  static void drop(void* d) { of(d)->clones.fetch_sub(1, mo::acq_rel); }
  static constexpr sluice::RawWakerVTable kVTable{&clone, &wake, &wake_by_ref, &drop};
};

/// Polls once with `w`; returns what it found (the value, if any, destroyed at once).
Take poll_once(Inner* inner, ModelWaker& w) {
  sluice::coop::Budget b = sluice::coop::Budget::initial();
  Context cx(w.waker, b);
  std::optional<Tracked> out;
  return inner->poll_take(cx, out);
}

// T0 sends; T1 polls (maybe twice), then drops the receiver. Send must either succeed and be
// received or destroyed by the receiver's drop, or fail and hand the value back.
struct SendVsPollAndDrop : rl::test_suite<SendVsPollAndDrop, 2> {
  Counters c;
  ModelWaker w;
  Inner* inner = nullptr;
  rl::var<int> pending_at_end;
  rl::var<int> send_ok;

  void before() {
    inner = new Inner();
    pending_at_end($) = 0;
    send_ok($) = 0;
  }
  void thread(unsigned id) {
    if (id == 0) {
      std::optional<Tracked> back = inner->send(Tracked(&c));
      send_ok($) = back ? 0 : 1;
      inner->release();
    } else {
      Take t = poll_once(inner, w);
      if (t == Take::kEmpty) t = poll_once(inner, w);
      pending_at_end($) = (t == Take::kEmpty) ? 1 : 0;
      inner->rx_drop();
      inner->release();
    }
  }
  void after() {
    RL_ASSERT(c.alive.load(mo::relaxed) == 0);
    RL_ASSERT(c.destroyed.load(mo::relaxed) >= 1);
    RL_ASSERT(w.clones.load(mo::relaxed) == 0);
  }
};

// T0 sends; T1 closes, then takes what is there, then drops. A value sent before the close is
// received; a send after the close fails. Never both, never neither.
struct SendVsClose : rl::test_suite<SendVsClose, 2> {
  Counters c;
  Inner* inner = nullptr;
  rl::var<int> send_ok;
  rl::var<int> received;

  void before() {
    inner = new Inner();
    send_ok($) = 0;
    received($) = 0;
  }
  void thread(unsigned id) {
    if (id == 0) {
      std::optional<Tracked> back = inner->send(Tracked(&c));
      send_ok($) = back ? 0 : 1;
      inner->release();
    } else {
      inner->rx_close();
      std::optional<Tracked> out;
      Take t = inner->try_take(out);
      received($) = (t == Take::kValue) ? 1 : 0;
      inner->rx_drop();
      inner->release();
    }
  }
  void after() {
    // A successful send is either received or destroyed by rx_drop; both counted below.
    RL_ASSERT(received($) == 0 || send_ok($) == 1);
    RL_ASSERT(c.alive.load(mo::relaxed) == 0);
  }
};

// T0 polls and registers; T1 drops the sender without sending: a pending poll is woken and a
// later poll reports kClosed.
struct SenderDropVsPoll : rl::test_suite<SenderDropVsPoll, 2> {
  ModelWaker w;
  Inner* inner = nullptr;
  rl::var<int> first;

  void before() {
    inner = new Inner();
    first($) = 0;
  }
  void thread(unsigned id) {
    if (id == 0) {
      Take t = poll_once(inner, w);
      first($) = static_cast<int>(t);
      if (t == Take::kEmpty) {
        // Spin until woken: a lost wake would hang here, which Relacy reports as a livelock.
        while (w.wakes.load(mo::acquire) == 0) rl::yield(1, $);
        t = poll_once(inner, w);
        RL_ASSERT(t == Take::kClosed);
      } else {
        RL_ASSERT(t == Take::kClosed);
      }
      inner->rx_drop();
      inner->release();
    } else {
      inner->tx_drop();
      inner->release();
    }
  }
  void after() { RL_ASSERT(w.clones.load(mo::relaxed) == 0); }
};

// T0 waits on closed() and then sends; T1 drops the receiver. A pending closed() is woken; the
// send after it fails and hands the value back.
struct ClosedVsReceiverDrop : rl::test_suite<ClosedVsReceiverDrop, 2> {
  Counters c;
  ModelWaker w;
  Inner* inner = nullptr;

  void before() { inner = new Inner(); }
  void thread(unsigned id) {
    if (id == 0) {
      sluice::coop::Budget b = sluice::coop::Budget::initial();
      Context cx(w.waker, b);
      if (inner->poll_closed(cx).is_pending()) {
        while (w.wakes.load(mo::acquire) == 0) rl::yield(1, $);
        RL_ASSERT(inner->poll_closed(cx).is_ready());
      }
      std::optional<Tracked> back = inner->send(Tracked(&c));
      RL_ASSERT(back.has_value());
      back.reset();
      inner->release();
    } else {
      inner->rx_drop();
      inner->release();
    }
  }
  void after() {
    RL_ASSERT(c.alive.load(mo::relaxed) == 0);
    RL_ASSERT(w.clones.load(mo::relaxed) == 0);
  }
};

// T0 registers a closed() waker and then drops the sender (no send); T1 polls then drops the
// receiver. Every clone of both wakers is released by someone.
struct BothDropWithWakers : rl::test_suite<BothDropWithWakers, 2> {
  ModelWaker tx_w;
  ModelWaker rx_w;
  Inner* inner = nullptr;

  void before() { inner = new Inner(); }
  void thread(unsigned id) {
    if (id == 0) {
      sluice::coop::Budget b = sluice::coop::Budget::initial();
      Context cx(tx_w.waker, b);
      (void)inner->poll_closed(cx);
      inner->tx_drop();
      inner->release();
    } else {
      (void)poll_once(inner, rx_w);
      inner->rx_drop();
      inner->release();
    }
  }
  void after() {
    RL_ASSERT(tx_w.clones.load(mo::relaxed) == 0);
    RL_ASSERT(rx_w.clones.load(mo::relaxed) == 0);
  }
};

using sluice::model::run_model;

}  // namespace

int main() {
  bool ok = true;
  ok &= run_model<SendVsPollAndDrop>("send vs poll and drop (full search)",
                                     rl::fair_full_search_scheduler_type, 0);
  ok &=
      run_model<SendVsClose>("send vs close (full search)", rl::fair_full_search_scheduler_type, 0);
  ok &=
      run_model<SenderDropVsPoll>("sender drop vs poll", rl::fair_context_bound_scheduler_type, 3);
  ok &= run_model<ClosedVsReceiverDrop>("closed() vs receiver drop",
                                        rl::fair_context_bound_scheduler_type, 3);
  ok &= run_model<BothDropWithWakers>("both drop with wakers (full search)",
                                      rl::fair_full_search_scheduler_type, 0);
  std::printf(ok ? "oneshot_model: OK\n" : "oneshot_model: FAILED\n");
  return ok ? 0 : 1;
}
