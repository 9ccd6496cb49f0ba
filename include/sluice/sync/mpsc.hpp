/// @file
/// sluice::mpsc: multi-producer, single-consumer channels (Tokio's tokio::sync::mpsc).
///
/// ```text
/// channel<T>(capacity)   bounded, with backpressure: Sender / Receiver / Permit / OwnedPermit
/// unbounded_channel<T>() never waits to send: UnboundedSender / UnboundedReceiver
/// ```
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::mpsc::channel<int>(100);
/// auto producer = [](sluice::mpsc::Sender<int> tx) -> sluice::Task<> {
///   for (int i = 0; i < 10; ++i) {
///     if (auto r = co_await tx.send(i); r.is_err()) co_return;   // receiver gone
///   }
/// };
/// sluice::spawn(producer(std::move(tx))).detach();
/// while (auto i = co_await rx.recv()) std::cout << "got = " << *i << "\n";
/// ```
#pragma once

#include <sluice/sync/mpsc/channel.hpp>
#include <sluice/sync/mpsc/error.hpp>
#include <sluice/sync/mpsc/permit.hpp>
#include <sluice/sync/mpsc/receiver.hpp>
#include <sluice/sync/mpsc/sender.hpp>
#include <sluice/sync/mpsc/unbounded.hpp>

/// @namespace sluice::mpsc
/// @brief Multi-producer, single-consumer channels, bounded (channel()) and unbounded
/// (unbounded_channel()): Tokio's tokio::sync::mpsc.
