/// @file
/// mini_redis::Db and DbDropGuard: the server's keyspace (binary-safe string values with an
/// optional expiry) and its pub/sub channels, shared by every connection (mini-redis's db.rs).
///
/// Db is a cheap, copyable handle to state shared by all its copies. DbDropGuard owns the one
/// background task per Db that purges expired keys; the server keeps the guard for as long as it
/// runs and hands Db copies to its connections. Dropping the guard stops the purge task.
///
/// Expiry: a key set with an expiry reads as absent from its expiry instant on, whether or not the
/// purge task has removed it yet. The purge task keeps the expirations in an ordered index, sleeps
/// until the earliest one, removes every key whose instant has passed, and is woken early when a
/// set() brings in an earlier expiry (or when the guard is dropped).
///
/// Pub/sub: subscribe() creates a channel on first use (a broadcast channel keeping the last 1024
/// messages; a subscriber further behind sees Lagged). Channels nobody listens to any more are
/// removed lazily: by the publish() that finds no receiver, and by a sweep of the whole map that
/// subscribe() runs when it creates a channel and the map has doubled since the last sweep (so the
/// map stays within about twice the live channels, at amortised O(1) per subscribe).
///
/// Thread safety: every member may be called concurrently from any thread. The maps live behind
/// one std::mutex, as in mini-redis: every critical section is short and synchronous (none of
/// these functions is a coroutine, so the lock can never be held across a co_await), which is the
/// case where the tutorial's "Shared state" chapter prefers a blocking mutex to an async one: it
/// is cheaper, and an async mutex would only matter if the lock had to be held while waiting.
///
/// Example (what a server does):
/// ```cpp
/// mini_redis::DbDropGuard guard;                 // inside a sluice runtime: starts the purge
/// mini_redis::Db db = guard.db();                // one copy per connection
/// db.set("k", "v", std::chrono::seconds(10));
/// std::optional<std::string> v = db.get("k");    // "v" for the next ten seconds
/// auto rx = db.subscribe("news");
/// std::size_t n = db.publish("news", "hello");   // 1: rx will receive "hello"
/// ```
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <sluice/runtime.hpp>
#include <sluice/sync/broadcast.hpp>

namespace mini_redis {

/// @cond
namespace detail {
struct DbShared;
}  // namespace detail
/// @endcond

class DbDropGuard;

/// Capacity of each pub/sub channel: a subscriber more than this many messages behind is lapped
/// (its next recv() reports Lagged(n)).
inline constexpr std::size_t kChannelCapacity = 1024;

/// Handle to the shared keyspace and pub/sub channels. Copies share the same state; copying is
/// one atomic increment. Made by DbDropGuard::db(). Members do not wait: each takes the state's
/// mutex briefly and returns; they may be called from any thread, inside a runtime or not.
///
/// Example:
/// ```cpp
/// mini_redis::Db db = guard.db();
/// db.set("k", "v", std::nullopt);
/// auto v = db.get("k");   // "v"
/// ```
class Db {
 public:
  /// Another handle to the same state.
  Db(const Db&) = default;
  /// Takes over `o`'s handle; `o` must not be used afterwards.
  Db(Db&&) noexcept = default;
  /// Becomes a handle to `o`'s state.
  Db& operator=(const Db&) = default;
  /// Takes over `o`'s handle.
  Db& operator=(Db&&) noexcept = default;
  /// Drops this handle; the state lives on while other handles or the purge task hold it.
  ~Db() = default;

  /// The value stored under `key`, or nullopt when there is none or it has expired (an expired
  /// key reads as absent even before the purge task removes it; reading does not remove it).
  ///
  /// Example:
  /// ```cpp
  /// if (auto v = db.get("k")) reply_bulk(*v); else reply_null();
  /// ```
  std::optional<std::string> get(std::string_view key) const;

  /// Stores `value` under `key`, replacing any previous value and its expiry. With `expire`, the
  /// key reads as absent from now + expire on (a zero or negative duration: at once; durations
  /// beyond 30 years are clamped to 30 years). Wakes the purge task when this expiry is earlier
  /// than every other one.
  ///
  /// Example:
  /// ```cpp
  /// db.set("session", token, std::chrono::milliseconds(500));
  /// ```
  void set(std::string key, std::string value, std::optional<std::chrono::milliseconds> expire);

  /// A receiver of every message published on `channel` from now on; creates the channel when
  /// it does not exist.
  ///
  /// Example:
  /// ```cpp
  /// auto rx = db.subscribe("news");
  /// auto msg = co_await rx.recv();   // Result<std::string, broadcast::RecvError>
  /// ```
  sluice::broadcast::Receiver<std::string> subscribe(const std::string& channel);

  /// Sends `message` to every current subscriber of `channel`; returns how many will see it:
  /// 0 when the channel does not exist or nobody listens (the channel is then removed).
  ///
  /// Example:
  /// ```cpp
  /// std::size_t n = db.publish("news", "hello");   // Redis's PUBLISH reply
  /// ```
  std::size_t publish(std::string_view channel, std::string message);

  /// Number of keys stored, counting expired keys the purge task has not removed yet.
  std::size_t len() const;
  /// Number of pub/sub channels in the map (including abandoned ones not yet cleaned up).
  std::size_t channel_count() const;
  /// Number of keys the purge task has removed since the Db was created.
  std::uint64_t purged_count() const;
  /// True from the guard's creation until its purge task has ended (guard dropped, or the
  /// runtime shut down and destroyed the task).
  bool purge_task_running() const;

 private:
  friend class DbDropGuard;
  explicit Db(std::shared_ptr<detail::DbShared> s) noexcept : shared_(std::move(s)) {}
  std::shared_ptr<detail::DbShared> shared_;
};

/// Owns a Db's purge task (mini-redis's DbDropGuard): creating the guard creates the Db and spawns
/// the task; destroying it tells the task to stop (a flag and a Notify) so that it ends, releasing
/// its reference to the state. Db copies stay usable afterwards, but expired keys are no longer
/// removed (they still read as absent). Move-only; a moved-from guard must not be used except to
/// destroy or assign it.
///
/// The task holds a shared_ptr to the state, never a reference to the guard: the state lives
/// until the last of the task and the Db copies is gone, and the task never outlives it. If the
/// runtime shuts down first, it destroys the task, which likewise releases its reference.
///
/// Example:
/// ```cpp
/// sluice::Task<void> serve() {
///   mini_redis::DbDropGuard guard;   // the purge task runs while serve() runs
///   co_await accept_loop(guard.db());
/// }                                  // guard dropped: the purge task ends
/// ```
class DbDropGuard {
 public:
  /// A new, empty Db whose purge task is spawned on the runtime this thread runs in.
  ///
  /// Errors: throws std::logic_error outside a runtime (as sluice::spawn does).
  DbDropGuard();
  /// A new, empty Db whose purge task is spawned on `rt` (usable from any thread).
  explicit DbDropGuard(const sluice::Handle& rt);
  /// Takes over `o`'s Db and purge task; `o` must not be used except to destroy or assign it.
  DbDropGuard(DbDropGuard&&) noexcept = default;
  /// Stops the purge task of the Db held now (as the destructor does), then takes over `o`'s.
  DbDropGuard& operator=(DbDropGuard&& o) noexcept;
  DbDropGuard(const DbDropGuard&) = delete;
  DbDropGuard& operator=(const DbDropGuard&) = delete;
  /// Signals shutdown to the purge task (which ends at its next wake-up, promptly) and returns.
  ~DbDropGuard();

  /// A handle to the guarded Db.
  Db db() const { return Db(shared_); }

 private:
  void shutdown_purge_task() noexcept;
  std::shared_ptr<detail::DbShared> shared_;
};

}  // namespace mini_redis
