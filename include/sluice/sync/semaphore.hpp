/// @file
/// sluice::Semaphore: a fair (FIFO) async counting semaphore, Tokio's tokio::sync::Semaphore.
///
/// Waiters are served in the order they queued; a waiter asking for many permits blocks later,
/// smaller requests rather than being starved. Permits come back when their guard
/// (SemaphorePermit / OwnedSemaphorePermit) is destroyed, unless it was forget()-ed.
///
/// Example:
/// ```cpp
/// sluice::Semaphore sem(3);                       // at most 3 concurrent downloads
/// auto permit = co_await sem.acquire();           // Result<SemaphorePermit, AcquireError>
/// if (permit) co_await download(url);             // the slot is released when permit dies
/// ```
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <sluice/context.hpp>
#include <sluice/detail/batch_semaphore.hpp>
#include <sluice/poll.hpp>
#include <sluice/result.hpp>

namespace sluice {

/// Error of Semaphore::acquire*: the semaphore was closed.
using AcquireError = detail::AcquireError;
/// Why Semaphore::try_acquire* failed: Closed, or NoPermits (none left, or others queued first).
using TryAcquireError = detail::TryAcquireError;

class Semaphore;

/// Permits taken from a Semaphore; gives them back when destroyed.
///
/// Example:
/// ```cpp
/// auto p = sem.try_acquire_many(2);
/// if (p) { assert(p->num_permits() == 2); }   // released at the end of the scope
/// ```
class [[nodiscard]] SemaphorePermit {
 public:
  /// Takes over `o`'s permits; `o` holds none afterwards.
  SemaphorePermit(SemaphorePermit&& o) noexcept
      : sem_(std::exchange(o.sem_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  /// Releases the permits held now, then takes over `o`'s.
  SemaphorePermit& operator=(SemaphorePermit&& o) noexcept {
    if (this != &o) {
      release();
      sem_ = std::exchange(o.sem_, nullptr);
      n_ = std::exchange(o.n_, 0);
    }
    return *this;
  }
  SemaphorePermit(const SemaphorePermit&) = delete;
  SemaphorePermit& operator=(const SemaphorePermit&) = delete;
  /// Gives the permits back to the semaphore (none after forget()).
  ~SemaphorePermit() { release(); }

  /// How many permits this guard holds.
  std::size_t num_permits() const noexcept { return n_; }
  /// Keeps the permits out of the semaphore for good (its capacity shrinks).
  ///
  /// Example: `permit.forget();   // the semaphore now has one permit less`
  void forget() noexcept {
    sem_ = nullptr;
    n_ = 0;
  }
  /// Adds `other`'s permits to this guard; both must come from the same semaphore
  /// (std::invalid_argument otherwise).
  ///
  /// Example: `a.merge(std::move(b));   // a.num_permits() == 2`
  void merge(SemaphorePermit&& other);

 private:
  friend class Semaphore;
  SemaphorePermit(detail::BatchSemaphore* sem, std::size_t n) noexcept : sem_(sem), n_(n) {}
  void release() noexcept;

  detail::BatchSemaphore* sem_ = nullptr;
  std::size_t n_ = 0;
};

/// Like SemaphorePermit, but keeps its Semaphore alive through a shared_ptr.
///
/// Example:
/// ```cpp
/// auto sem = std::make_shared<sluice::Semaphore>(1);
/// auto p = co_await sluice::Semaphore::acquire_owned(sem);   // movable into a spawned task
/// ```
class [[nodiscard]] OwnedSemaphorePermit {
 public:
  /// Takes over the permits and the semaphore reference of the moved-from guard.
  OwnedSemaphorePermit(OwnedSemaphorePermit&&) noexcept = default;
  /// Releases the permits held now, then takes over `o`'s.
  OwnedSemaphorePermit& operator=(OwnedSemaphorePermit&& o) noexcept {
    if (this != &o) {
      release();
      sem_ = std::move(o.sem_);
      n_ = std::exchange(o.n_, 0);
    }
    return *this;
  }
  /// Gives the permits back (none after forget()) and drops the semaphore reference.
  ~OwnedSemaphorePermit() { release(); }

  /// How many permits this guard holds.
  std::size_t num_permits() const noexcept { return n_; }
  /// Keeps the permits out of the semaphore for good.
  void forget() noexcept {
    sem_.reset();
    n_ = 0;
  }
  /// The semaphore the permits came from.
  const std::shared_ptr<Semaphore>& semaphore() const noexcept { return sem_; }

 private:
  friend class Semaphore;
  OwnedSemaphorePermit(std::shared_ptr<Semaphore> sem, std::size_t n) noexcept
      : sem_(std::move(sem)), n_(n) {}
  void release() noexcept;

  std::shared_ptr<Semaphore> sem_;
  std::size_t n_ = 0;
};

/// A fair (FIFO) async counting semaphore (see semaphore.hpp). Not copyable or movable: share
/// it by reference, or through a shared_ptr for the *_owned functions.
class Semaphore {
 public:
  /// Largest number of permits a semaphore can hold.
  static constexpr std::size_t kMaxPermits = detail::BatchSemaphore::kMaxPermits;

  /// A semaphore with `permits` permits (std::logic_error above kMaxPermits).
  ///
  /// Example: `sluice::Semaphore sem(10);`
  explicit Semaphore(std::size_t permits) : sem_(permits) {}
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  template <class Permit, class Owner>
  class AcquireFuture;

  /// Future of one permit: Result<SemaphorePermit, AcquireError> (the error once closed).
  ///
  /// Example: `auto p = co_await sem.acquire();`
  ///
  /// Cancel safety: cancel safe, and fair: a cancelled acquire gives back whatever it was
  /// already assigned, to the next waiters in order.
  AcquireFuture<SemaphorePermit, Semaphore*> acquire();
  /// Future of `n` permits at once (FIFO with the other waiters).
  ///
  /// Example: `auto p = co_await sem.acquire_many(3);`
  ///
  /// Cancel safety: as acquire().
  AcquireFuture<SemaphorePermit, Semaphore*> acquire_many(std::size_t n);
  /// Future of one OwnedSemaphorePermit that keeps `self` alive.
  ///
  /// Example: `auto p = co_await sluice::Semaphore::acquire_owned(sem);`
  ///
  /// Cancel safety: as acquire().
  static AcquireFuture<OwnedSemaphorePermit, std::shared_ptr<Semaphore>> acquire_owned(
      std::shared_ptr<Semaphore> self);
  /// Future of `n` owned permits.
  ///
  /// Cancel safety: as acquire().
  static AcquireFuture<OwnedSemaphorePermit, std::shared_ptr<Semaphore>> acquire_many_owned(
      std::shared_ptr<Semaphore> self, std::size_t n);

  /// One permit now, or NoPermits / Closed.
  ///
  /// Example: `if (auto p = sem.try_acquire()) { ... }`
  Result<SemaphorePermit, TryAcquireError> try_acquire() { return try_acquire_many(1); }
  /// `n` permits now, or NoPermits / Closed. Never overtakes queued waiters.
  Result<SemaphorePermit, TryAcquireError> try_acquire_many(std::size_t n) {
    auto r = sem_.try_acquire(n);
    if (!r) return Err(r.error());
    return SemaphorePermit(&sem_, n);
  }
  /// One owned permit now, or NoPermits / Closed.
  static Result<OwnedSemaphorePermit, TryAcquireError> try_acquire_owned(
      std::shared_ptr<Semaphore> self) {
    return try_acquire_many_owned(std::move(self), 1);
  }
  /// `n` owned permits now, or NoPermits / Closed.
  static Result<OwnedSemaphorePermit, TryAcquireError> try_acquire_many_owned(
      std::shared_ptr<Semaphore> self, std::size_t n) {
    auto r = self->sem_.try_acquire(n);
    if (!r) return Err(r.error());
    return OwnedSemaphorePermit(std::move(self), n);
  }

  /// Adds `n` permits (to the queued waiters first, in order).
  ///
  /// Example: `sem.add_permits(2);`
  void add_permits(std::size_t n) { sem_.release(n); }
  /// Removes up to `n` available permits for good; returns how many were removed.
  std::size_t forget_permits(std::size_t n) { return sem_.forget_permits(n); }
  /// Closes: every queued and later acquire fails with AcquireError; held permits stay valid.
  ///
  /// Example: `sem.close();`
  void close() { sem_.close(); }
  /// True once close() was called.
  bool is_closed() const { return sem_.is_closed(); }
  /// Permits available right now (zero while waiters are queued).
  std::size_t available_permits() const { return sem_.available_permits(); }

  /// The underlying fair semaphore. Its type, detail::BatchSemaphore, is an implementation
  /// detail outside the documented API.
  detail::BatchSemaphore& raw() noexcept { return sem_; }

 private:
  friend class SemaphorePermit;
  friend class OwnedSemaphorePermit;
  detail::BatchSemaphore sem_;
};

/// Future of Semaphore::acquire*: maps the fair acquire to a permit guard.
template <class Permit, class Owner>
class [[nodiscard]] Semaphore::AcquireFuture {
 public:
  /// The permit guard, or AcquireError once the semaphore is closed.
  using Output = Result<Permit, AcquireError>;

  /// Queues for `n` permits of `owner` (a Semaphore* or a shared_ptr<Semaphore>) when first
  /// polled; made by Semaphore::acquire*().
  AcquireFuture(Owner owner, std::size_t n)
      : owner_(std::move(owner)), acq_(owner_->sem_.acquire(n)), n_(n) {}

  /// Ready with the permit guard once every permit was assigned, or AcquireError when closed.
  Poll<Output> poll(Context& cx) {
    auto p = acq_.poll(cx);
    if (p.is_pending()) return pending;
    if (!p.value()) return Output(Err(AcquireError{}));
    if constexpr (std::is_same_v<Permit, SemaphorePermit>) {
      return Output(SemaphorePermit(&owner_->sem_, n_));
    } else {
      return Output(OwnedSemaphorePermit(std::move(owner_), n_));
    }
  }

 private:
  Owner owner_;
  detail::BatchSemaphore::Acquire acq_;
  std::size_t n_;
};

inline Semaphore::AcquireFuture<SemaphorePermit, Semaphore*> Semaphore::acquire() {
  return {this, 1};
}
inline Semaphore::AcquireFuture<SemaphorePermit, Semaphore*> Semaphore::acquire_many(
    std::size_t n) {
  return {this, n};
}
inline Semaphore::AcquireFuture<OwnedSemaphorePermit, std::shared_ptr<Semaphore>>
Semaphore::acquire_owned(std::shared_ptr<Semaphore> self) {
  return {std::move(self), 1};
}
inline Semaphore::AcquireFuture<OwnedSemaphorePermit, std::shared_ptr<Semaphore>>
Semaphore::acquire_many_owned(std::shared_ptr<Semaphore> self, std::size_t n) {
  return {std::move(self), n};
}

inline void SemaphorePermit::release() noexcept {
  if (sem_ && n_ > 0) sem_->release(n_);
  sem_ = nullptr;
  n_ = 0;
}

inline void SemaphorePermit::merge(SemaphorePermit&& other) {
  if (other.n_ == 0) return;
  if (sem_ != nullptr && other.sem_ != sem_) {
    throw std::invalid_argument(
        "sluice::SemaphorePermit::merge: permits from different semaphores");
  }
  sem_ = other.sem_;
  n_ += std::exchange(other.n_, 0);
  other.sem_ = nullptr;
}

inline void OwnedSemaphorePermit::release() noexcept {
  if (sem_ && n_ > 0) sem_->sem_.release(n_);
  sem_.reset();
  n_ = 0;
}

}  // namespace sluice
