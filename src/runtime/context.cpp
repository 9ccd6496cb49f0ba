// Thread-local runtime context, the thread parker, and assert_can_block.
// See include/sluice/detail/runtime_context.hpp and thread_parker.hpp.
#include <pthread.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <sluice/block_on.hpp>
#include <sluice/detail/sync.hpp>
#include <sluice/detail/thread_parker.hpp>

#include "runtime/runtime_core.hpp"

namespace sluice::detail {

namespace {

struct ThreadContext {
  RuntimeCore* core = nullptr;
  bool runtime_thread = false;
  int block_on_depth = 0;
};
thread_local ThreadContext t_ctx;

// ---- thread parker ---------------------------------------------------------------------------
// State word (see thread_parker.hpp): kEmpty / kParked (owner only) / kNotified (any thread).
class ParkInner {
 public:
  static constexpr int kEmpty = 0;
  static constexpr int kParked = 1;
  static constexpr int kNotified = 2;
  static constexpr int kYieldsBeforeSleep = 3;

  void ref_inc() noexcept { refs_.fetch_add(1, mo::relaxed); }
  void ref_dec() noexcept {
    if (refs_.fetch_sub(1, mo::acq_rel) == 1) delete this;
  }

  void park(Atomic<bool>* awake = nullptr) {
    // A wake that comes within a few scheduler yields costs no futex on either side. The
    // block_on thread is often the receiving end of a busy channel (Tokio's contention
    // benches receive in block_on), woken by workers a few microseconds after it runs dry.
    for (int i = 0; i < kYieldsBeforeSleep && state_.load(mo::relaxed) != kNotified; ++i) {
      std::this_thread::yield();  // a plain load per round: no locked instruction while waiting
    }
    int expected = kNotified;
    if (state_.compare_exchange_strong(expected, kEmpty, mo::acquire, mo::relaxed)) return;
    std::unique_lock lock(mu_);
    expected = kEmpty;
    if (!state_.compare_exchange_strong(expected, kParked, mo::acq_rel, mo::acquire)) {
      state_.exchange(kEmpty, mo::acquire);  // was kNotified: consume it
      return;
    }
    if (awake != nullptr) awake->store(false, mo::relaxed);
    for (;;) {
      cv_.wait(lock);
      expected = kNotified;
      if (state_.compare_exchange_strong(expected, kEmpty, mo::acquire, mo::relaxed)) break;
    }
    if (awake != nullptr) awake->store(true, mo::relaxed);
  }

  bool notified() const noexcept { return state_.load(mo::acquire) == kNotified; }

  void unpark() noexcept {
    if (state_.exchange(kNotified, mo::release) == kParked) {
      { std::lock_guard lock(mu_); }  // the parker is in (or about to enter) cv_.wait
      cv_.notify_one();
    }
  }

 private:
  Atomic<int> state_{kEmpty};
  Atomic<std::size_t> refs_{1};
  std::mutex mu_;
  std::condition_variable cv_;
};

void* parker_clone(void* p) {
  static_cast<ParkInner*>(p)->ref_inc();
  return p;
}
void parker_wake(void* p) {
  auto* inner = static_cast<ParkInner*>(p);
  inner->unpark();
  inner->ref_dec();
}
void parker_wake_by_ref(void* p) { static_cast<ParkInner*>(p)->unpark(); }
void parker_drop(void* p) { static_cast<ParkInner*>(p)->ref_dec(); }
constexpr RawWakerVTable kParkerVTable{&parker_clone, &parker_wake, &parker_wake_by_ref,
                                       &parker_drop};

struct ThreadParkerHolder {
  ParkInner* inner = new ParkInner();
  ~ThreadParkerHolder() { inner->ref_dec(); }
};
thread_local ThreadParkerHolder t_parker;

}  // namespace

Waker current_thread_waker() {
  ParkInner* p = t_parker.inner;
  p->ref_inc();
  return Waker(p, &kParkerVTable);
}

void park_current_thread() { t_parker.inner->park(); }
void park_current_thread(Atomic<bool>& awake) { t_parker.inner->park(&awake); }
bool current_thread_notified() noexcept { return t_parker.inner->notified(); }

// ---- context -----------------------------------------------------------------------------------

RuntimeCore* current_core() noexcept { return t_ctx.core; }
bool on_runtime_thread() noexcept { return t_ctx.runtime_thread; }
bool in_block_on() noexcept { return t_ctx.block_on_depth > 0; }

void assert_can_block(const char* what) {
  if (t_ctx.runtime_thread || t_ctx.block_on_depth > 0) {
    throw std::logic_error(
        std::string("sluice: cannot call ") + what +
        " from a runtime thread (it would block the worker); use the async form");
  }
}

EnterGuard::EnterGuard(RuntimeCore* core, bool runtime_thread) noexcept
    : prev_core_(t_ctx.core), prev_runtime_thread_(t_ctx.runtime_thread) {
  t_ctx.core = core;
  t_ctx.runtime_thread = runtime_thread;
}
EnterGuard::~EnterGuard() {
  t_ctx.core = prev_core_;
  t_ctx.runtime_thread = prev_runtime_thread_;
}

BlockOnDepthGuard::BlockOnDepthGuard() noexcept { ++t_ctx.block_on_depth; }
BlockOnDepthGuard::~BlockOnDepthGuard() { --t_ctx.block_on_depth; }

FreeBlockOnScope::FreeBlockOnScope() {
  assert_can_block("sluice::block_on");
  ++t_ctx.block_on_depth;
}
FreeBlockOnScope::~FreeBlockOnScope() { --t_ctx.block_on_depth; }

void set_thread_name(const std::string& name) noexcept {
  std::string n = name.substr(0, 15);
  ::pthread_setname_np(::pthread_self(), n.c_str());
}

}  // namespace sluice::detail
