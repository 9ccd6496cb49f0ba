// mini_redis::Db: the shared state, its operations, and the background purge task.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <mini_redis/db.hpp>

#include <sluice/instant.hpp>
#include <sluice/runtime.hpp>
#include <sluice/select.hpp>
#include <sluice/sleep.hpp>
#include <sluice/sync/broadcast.hpp>
#include <sluice/sync/notify.hpp>
#include <sluice/task.hpp>

namespace mini_redis {

namespace detail {

/// Hash of std::string and std::string_view alike, so that lookups by string_view do not copy.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

/// Everything a Db's copies, its guard and its purge task share.
///
/// Who touches what: every field but `background_task` is guarded by `mu`, which is only ever
/// held inside the synchronous functions of this file (never across a co_await).
/// `background_task` wakes the purge task: set() calls notify_one() when it brings in a new
/// earliest expiry, the guard's destructor when it sets `shutdown`; a notify_one() with nobody
/// waiting is stored as a permit, so a wake-up between the task's look at the state and its wait
/// is not lost. The purge task is the only waiter; its Notified lives in its frame, which holds a
/// shared_ptr to this object, so the Notify outlives every Notified (its precondition).
struct DbShared {
  /// Expiry instants in order, each with its key: begin() is the next key to purge. Two keys
  /// with the same instant are two elements (the key is part of the element).
  using Expirations = std::set<std::pair<sluice::Instant, std::string>>;

  struct Entry {
    std::string data;
    /// The entry's element in `expirations` (std::set iterators stay valid until erased).
    std::optional<Expirations::iterator> expiry;
  };

  std::mutex mu;
  StringMap<Entry> entries;
  StringMap<sluice::broadcast::Sender<std::string>> pub_sub;
  Expirations expirations;
  /// subscribe() sweeps abandoned channels when it adds one and pub_sub has reached this size.
  std::size_t sweep_at = kMinSweep;
  std::uint64_t purged = 0;    // keys removed by the purge task
  bool shutdown = false;       // set by the guard: the purge task must end
  bool purge_running = false;  // from the guard's spawn until the task's frame is destroyed

  sluice::Notify background_task;

  static constexpr std::size_t kMinSweep = 64;
};

}  // namespace detail

namespace {

using detail::DbShared;
using Clock = sluice::Instant::clock;

/// Longest expiry accepted; longer ones are clamped (it keeps now + expire far from overflow).
constexpr std::chrono::milliseconds kMaxExpire = std::chrono::hours(24 * 365 * 30);

/// What one purge pass found: shutdown was signalled, or the instant of the next expiry (none
/// when no key has an expiry left).
struct PurgeOutcome {
  bool shutdown = false;
  std::optional<sluice::Instant> next;
};

/// Removes every key whose expiry has passed (mini-redis's Shared::purge_expired_keys).
PurgeOutcome purge_expired_keys(DbShared& s) {
  PurgeOutcome out;
  std::lock_guard lock(s.mu);
  if (s.shutdown) {
    out.shutdown = true;
    return out;
  }
  const sluice::Instant now = Clock::now();
  while (!s.expirations.empty()) {
    const auto first = s.expirations.begin();
    if (first->first > now) {
      out.next = first->first;
      break;
    }
    s.entries.erase(first->second);
    s.expirations.erase(first);
    s.purged += 1;
  }
  return out;
}

/// Owns the purge task's reference to the state. It is the task's parameter, so it lives in the
/// coroutine frame from the frame's creation: however the frame ends (the loop returns, the
/// runtime shuts down and destroys the task, or the spawn is refused and the task is destroyed
/// before it ever ran) its destructor reports the task gone and drops the reference.
class PurgeToken {
 public:
  explicit PurgeToken(std::shared_ptr<DbShared> s) noexcept : s_(std::move(s)) {}
  PurgeToken(PurgeToken&&) noexcept = default;
  PurgeToken& operator=(PurgeToken&&) = delete;
  PurgeToken(const PurgeToken&) = delete;
  PurgeToken& operator=(const PurgeToken&) = delete;
  ~PurgeToken() {
    if (!s_) return;
    std::lock_guard lock(s_->mu);
    s_->purge_running = false;
  }
  DbShared& shared() const noexcept { return *s_; }

 private:
  std::shared_ptr<DbShared> s_;
};

/// The background task (mini-redis's purge_expired_tasks): purge, then sleep until the next
/// expiry or until set()/the guard notifies, whichever comes first; end once shutdown is set.
sluice::Task<void> purge_expired_keys_task(PurgeToken token) {
  DbShared& s = token.shared();
  for (;;) {
    const PurgeOutcome pass = purge_expired_keys(s);
    if (pass.shutdown) break;
    // The futures are built in declarations, not inside the co_await expressions (g++ 12 can
    // destroy a temporary built inside a co_await twice: docs/design/task-model.md).
    if (pass.next) {
      auto wake = sluice::select(sluice::sleep_until(*pass.next), s.background_task.notified());
      auto woken_by = co_await wake;  // which branch won does not matter: purge again
      (void)woken_by;
    } else {
      auto notified = s.background_task.notified();
      co_await notified;
    }
  }
}

/// now + expire, with expire clamped to [0, kMaxExpire].
sluice::Instant expiry_instant(std::chrono::milliseconds expire) {
  return Clock::now() + std::clamp(expire, std::chrono::milliseconds::zero(), kMaxExpire);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Db

std::optional<std::string> Db::get(std::string_view key) const {
  const sluice::Instant now = Clock::now();
  std::lock_guard lock(shared_->mu);
  const auto it = shared_->entries.find(key);
  if (it == shared_->entries.end()) return std::nullopt;
  const auto& expiry = it->second.expiry;
  if (expiry && (*expiry)->first <= now) return std::nullopt;  // expired, not purged yet
  return it->second.data;
}

void Db::set(std::string key, std::string value, std::optional<std::chrono::milliseconds> expire) {
  std::optional<sluice::Instant> when;
  if (expire) when = expiry_instant(*expire);
  bool notify = false;
  {
    DbShared& s = *shared_;
    std::lock_guard lock(s.mu);
    // The purge task sleeps until the earliest expiry: wake it only if this one comes sooner.
    if (when) notify = s.expirations.empty() || *when < s.expirations.begin()->first;
    auto [it, inserted] = s.entries.try_emplace(std::move(key));  // moves key only if inserted
    (void)inserted;
    auto& entry = it->second;
    if (entry.expiry) {
      s.expirations.erase(*entry.expiry);
      entry.expiry.reset();
    }
    entry.data = std::move(value);
    if (when) entry.expiry = s.expirations.emplace(*when, it->first).first;
  }
  if (notify) shared_->background_task.notify_one();  // after unlocking: the task takes mu
}

sluice::broadcast::Receiver<std::string> Db::subscribe(const std::string& channel) {
  DbShared& s = *shared_;
  std::lock_guard lock(s.mu);
  auto it = s.pub_sub.find(channel);
  if (it == s.pub_sub.end()) {
    if (s.pub_sub.size() >= s.sweep_at) {
      // Nobody can subscribe to a channel but through its Sender, which only this map holds
      // (under mu), and Receiver::resubscribe needs a live receiver: a count of 0 seen here
      // stays 0, so removing the channel loses no subscriber.
      std::erase_if(s.pub_sub, [](const auto& kv) { return kv.second.receiver_count() == 0; });
      s.sweep_at = std::max(DbShared::kMinSweep, 2 * s.pub_sub.size());
    }
    it = s.pub_sub.try_emplace(channel, kChannelCapacity).first;
  }
  return it->second.subscribe();
}

std::size_t Db::publish(std::string_view channel, std::string message) {
  DbShared& s = *shared_;
  std::lock_guard lock(s.mu);
  const auto it = s.pub_sub.find(channel);
  if (it == s.pub_sub.end()) return 0;
  // send() only queues the message and wakes the receivers' tasks (it runs none of them), so
  // calling it under mu is short and cannot re-enter the Db.
  auto sent = it->second.send(std::move(message));
  if (sent) return *sent;
  s.pub_sub.erase(it);  // every subscriber is gone
  return 0;
}

std::size_t Db::len() const {
  std::lock_guard lock(shared_->mu);
  return shared_->entries.size();
}

std::size_t Db::channel_count() const {
  std::lock_guard lock(shared_->mu);
  return shared_->pub_sub.size();
}

std::uint64_t Db::purged_count() const {
  std::lock_guard lock(shared_->mu);
  return shared_->purged;
}

bool Db::purge_task_running() const {
  std::lock_guard lock(shared_->mu);
  return shared_->purge_running;
}

// ---------------------------------------------------------------------------------------------
// DbDropGuard

DbDropGuard::DbDropGuard() : DbDropGuard(sluice::Handle::current()) {}

DbDropGuard::DbDropGuard(const sluice::Handle& rt) : shared_(std::make_shared<DbShared>()) {
  shared_->purge_running = true;  // not shared with anyone yet: no lock needed
  // Dropping the JoinHandle detaches the task; the guard stops it through `shutdown` instead.
  (void)rt.spawn(purge_expired_keys_task(PurgeToken(shared_)));
}

DbDropGuard& DbDropGuard::operator=(DbDropGuard&& o) noexcept {
  if (this != &o) {
    shutdown_purge_task();
    shared_ = std::move(o.shared_);
  }
  return *this;
}

DbDropGuard::~DbDropGuard() { shutdown_purge_task(); }

void DbDropGuard::shutdown_purge_task() noexcept {
  if (!shared_) return;  // moved from
  {
    std::lock_guard lock(shared_->mu);
    shared_->shutdown = true;
  }
  shared_->background_task.notify_one();
}

}  // namespace mini_redis
