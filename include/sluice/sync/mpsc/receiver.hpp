/// @file
/// sluice::mpsc::Receiver: the receiving half of a bounded channel.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::mpsc::channel<int>(4);
/// (void)tx.try_send(1);
/// std::optional<int> v = co_await rx.recv();   // 1
/// ```
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

#include <sluice/detail/mpsc_chan.hpp>
#include <sluice/detail/mpsc_rx.hpp>

namespace sluice::mpsc {

/// @cond
namespace detail_impl {
struct Access;
}  // namespace detail_impl
/// @endcond

/// The receiving half of a bounded channel. Move-only (one receiver per channel). The methods
/// are those of detail::mpsc::RxBase: recv, recv_many, try_recv, blocking_recv,
/// blocking_recv_many, close, is_closed, is_empty, len, sender_strong_count, sender_weak_count,
/// poll_recv, poll_recv_many; plus capacity() and max_capacity(). Futures it returns borrow it.
///
/// Destroying the Receiver closes the channel: later sends fail (the value comes back in the
/// error) and every unread message is destroyed right then.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::mpsc::channel<int>(100);
/// sluice::spawn([](sluice::mpsc::Sender<int> tx) -> sluice::Task<> {
///   for (int i = 0; i < 10; ++i) (void)co_await tx.send(i);
/// }(std::move(tx))).detach();
/// while (auto i = co_await rx.recv()) std::cout << "got = " << *i << "\n";
/// ```
///
/// Cancel safety: recv() and recv_many() are cancel safe.
template <class T>
class Receiver
    : public ::sluice::detail::mpsc::RxBase<T, ::sluice::detail::mpsc::BoundedSemaphore> {
  using Base = ::sluice::detail::mpsc::RxBase<T, ::sluice::detail::mpsc::BoundedSemaphore>;

 public:
  /// Takes over `o`'s channel; `o` must not be used afterwards.
  Receiver(Receiver&&) noexcept = default;
  /// Drops the current receiver (closing its channel), then takes over the other's.
  Receiver& operator=(Receiver&&) noexcept = default;

  /// Free slots right now (senders may send that many without waiting).
  ///
  /// Example:
  /// ```cpp
  /// assert(rx.capacity() == rx.max_capacity() - rx.len());   // when no permit is out
  /// ```
  std::size_t capacity() const { return this->chan().sem.available(); }

  /// The capacity given to channel().
  ///
  /// Example:
  /// ```cpp
  /// assert(rx.max_capacity() == 100);
  /// ```
  std::size_t max_capacity() const { return this->chan().sem.bound(); }

 private:
  friend struct detail_impl::Access;
  explicit Receiver(std::shared_ptr<typename Base::ChanT> c) noexcept : Base(std::move(c)) {}
};

}  // namespace sluice::mpsc
