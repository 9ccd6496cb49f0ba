/// @file
/// sluice::mpsc::Permit / PermitIterator: capacity reserved in a bounded channel, to be filled
/// later without waiting and without failing (Sender::reserve / reserve_many / try_reserve*).
///
/// Example:
/// ```cpp
/// auto p = co_await tx.reserve();            // waits for a slot
/// if (p) std::move(*p).send(compute());      // sending cannot fail or wait now
/// ```
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>

#include <sluice/detail/mpsc_chan.hpp>

namespace sluice::mpsc {

/// One reserved slot of a bounded channel. `send(v)` puts `v` in the channel at once; destroying
/// an unused Permit gives the slot back (waking the next waiting sender). Move-only. It borrows
/// the Sender it came from: it must not outlive that Sender.
///
/// Example:
/// ```cpp
/// auto permit = tx.try_reserve();
/// if (permit) permit->send(42);
/// ```
template <class T>
class [[nodiscard]] Permit {
 public:
  /// A permit for one slot of `chan` (used by Sender; the slot was acquired already).
  explicit Permit(::sluice::detail::mpsc::BoundedChan<T>* chan) noexcept : chan_(chan) {}
  /// Takes over `o`'s slot; `o` is left used (false, its send() throws).
  Permit(Permit&& o) noexcept : chan_(std::exchange(o.chan_, nullptr)) {}
  /// Gives back the slot held now (if unused), then takes over `o`'s.
  Permit& operator=(Permit&& o) noexcept {
    if (this != &o) {
      give_back();
      chan_ = std::exchange(o.chan_, nullptr);
    }
    return *this;
  }
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;
  /// Gives the slot back if unused.
  ~Permit() { give_back(); }

  /// Sends `value` into the reserved slot: never waits, never fails (even if the receiver closed
  /// meanwhile: the value is then destroyed with the channel's unread messages).
  ///
  /// Errors: throws std::logic_error if this permit was already used.
  ///
  /// Example:
  /// ```cpp
  /// permit.send(std::string("hello"));
  /// ```
  void send(T value) {
    if (chan_ == nullptr) throw std::logic_error("sluice::mpsc::Permit: already used");
    std::exchange(chan_, nullptr)->push(std::move(value));
  }

  /// True while the permit holds its slot.
  explicit operator bool() const noexcept { return chan_ != nullptr; }

 private:
  void give_back() noexcept {
    if (chan_ != nullptr) std::exchange(chan_, nullptr)->release_permits(1);
  }
  ::sluice::detail::mpsc::BoundedChan<T>* chan_;
};

/// `n` reserved slots of a bounded channel, handed out one Permit at a time by next().
/// Destroying it gives back the slots not handed out. Move-only; must not outlive its Sender.
///
/// Example:
/// ```cpp
/// auto many = co_await tx.reserve_many(3);
/// if (many) while (auto p = many->next()) p->send(i++);
/// ```
template <class T>
class [[nodiscard]] PermitIterator {
 public:
  /// `n` slots of `chan`, already acquired.
  PermitIterator(::sluice::detail::mpsc::BoundedChan<T>* chan, std::size_t n) noexcept
      : chan_(chan), n_(n) {}
  /// Takes over `o`'s remaining slots; `o` has none left.
  PermitIterator(PermitIterator&& o) noexcept : chan_(o.chan_), n_(std::exchange(o.n_, 0)) {}
  /// Gives back the slots not handed out yet, then takes over `o`'s.
  PermitIterator& operator=(PermitIterator&& o) noexcept {
    if (this != &o) {
      give_back();
      chan_ = o.chan_;
      n_ = std::exchange(o.n_, 0);
    }
    return *this;
  }
  PermitIterator(const PermitIterator&) = delete;
  PermitIterator& operator=(const PermitIterator&) = delete;
  /// Gives back the slots not handed out.
  ~PermitIterator() { give_back(); }

  /// The next Permit, or nullopt when all were handed out (and forever after).
  ///
  /// Example:
  /// ```cpp
  /// while (auto p = it.next()) p->send(v);
  /// ```
  std::optional<Permit<T>> next() {
    if (n_ == 0) return std::nullopt;
    --n_;
    return std::optional<Permit<T>>(std::in_place, chan_);
  }

  /// Permits not handed out yet.
  ///
  /// Example:
  /// ```cpp
  /// assert(it.size() == 3);
  /// ```
  std::size_t size() const noexcept { return n_; }

 private:
  void give_back() noexcept {
    if (n_ > 0) chan_->release_permits(std::exchange(n_, 0));
  }
  ::sluice::detail::mpsc::BoundedChan<T>* chan_;
  std::size_t n_;
};

}  // namespace sluice::mpsc
