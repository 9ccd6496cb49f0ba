/// @file
/// sluice::mpsc::channel<T>(capacity): a bounded multi-producer, single-consumer channel.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::mpsc::channel<int>(32);
/// ```
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include <sluice/detail/batch_semaphore.hpp>
#include <sluice/detail/mpsc_chan.hpp>
#include <sluice/sync/mpsc/receiver.hpp>
#include <sluice/sync/mpsc/sender.hpp>

namespace sluice::mpsc {

/// The two halves of a bounded channel (use with structured bindings).
///
/// Example:
/// ```cpp
/// sluice::mpsc::Channel<int> ch = sluice::mpsc::channel<int>(1);
/// auto [tx, rx] = std::move(ch);
/// ```
template <class T>
struct Channel {
  Sender<T> tx;    ///< The first sender.
  Receiver<T> rx;  ///< The receiver.
};

/// @cond
namespace detail_impl {
/// Builds handles from a Chan: the handles' constructors are private.
struct Access {
  template <class T>
  static Channel<T> bounded(std::size_t capacity) {
    auto chan = std::make_shared<::sluice::detail::mpsc::BoundedChan<T>>(capacity);
    return Channel<T>{Sender<T>(chan), Receiver<T>(std::move(chan))};
  }
  template <class Ch, class Tx, class Rx, class ChanT>
  static Ch unbounded() {
    auto chan = std::make_shared<ChanT>();
    return Ch{Tx(chan), Rx(std::move(chan))};
  }
};
}  // namespace detail_impl
/// @endcond

/// Creates a bounded channel holding at most `capacity` messages; senders wait (send) or fail
/// (try_send) when it is full. Messages are received in the order they were sent (FIFO across
/// all senders).
///
/// Errors: throws std::invalid_argument when `capacity` is 0 or exceeds
/// detail::BatchSemaphore::kMaxPermits (SIZE_MAX >> 3).
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::mpsc::channel<std::string>(16);
/// ```
template <class T>
Channel<T> channel(std::size_t capacity) {
  if (capacity == 0) {
    throw std::invalid_argument("sluice::mpsc::channel: capacity must be greater than 0");
  }
  if (capacity > ::sluice::detail::BatchSemaphore::kMaxPermits) {
    throw std::invalid_argument(
        "sluice::mpsc::channel: capacity exceeds the maximum (SIZE_MAX >> 3)");
  }
  return detail_impl::Access::bounded<T>(capacity);
}

}  // namespace sluice::mpsc
