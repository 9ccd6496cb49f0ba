// Interval: see include/sluice/interval.hpp. Semantics follow Tokio's time::Interval.
#include <stdexcept>

#include <sluice/interval.hpp>

namespace sluice {

namespace {
using std::chrono::nanoseconds;
/// A tick observed more than this late counts as missed (Tokio's figure).
constexpr auto kMissedTolerance = std::chrono::milliseconds(5);
}  // namespace

Poll<Instant> IntervalTick::poll(Context& cx) { return iv_->poll_tick(cx); }

Interval::Interval(Instant start, nanoseconds period) : delay_(start), period_(period) {
  if (period <= nanoseconds::zero())
    throw std::invalid_argument("sluice::interval: `period` must be non-zero");
}

Instant Interval::next_after_missed(Instant timeout, Instant now) const noexcept {
  switch (behavior_) {
    case MissedTickBehavior::Delay:
      return now + period_;
    case MissedTickBehavior::Skip: {
      auto behind = std::chrono::duration_cast<nanoseconds>(now - timeout);
      return now + period_ - (behind % period_);
    }
    case MissedTickBehavior::Burst:
    default:
      return timeout + period_;
  }
}

Poll<Instant> Interval::poll_tick(Context& cx) {
  if (delay_.poll(cx).is_pending()) return pending;
  Instant timeout = delay_.deadline();
  Instant now = Instant::clock::now();
  Instant next =
      now > timeout + kMissedTolerance ? next_after_missed(timeout, now) : timeout + period_;
  delay_.reset(next);
  return timeout;
}

void Interval::reset() { delay_.reset(Instant::clock::now() + period_); }

Interval interval(nanoseconds period) { return interval_at(Instant::clock::now(), period); }

Interval interval_at(Instant start, nanoseconds period) { return Interval(start, period); }

}  // namespace sluice
