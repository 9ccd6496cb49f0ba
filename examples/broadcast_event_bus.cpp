// The broadcast event bus from the channels lesson: three services subscribe to one broadcast
// channel; every service sees every event and reacts to the ones it cares about.
//
// Differences from the seed: instead of sleeping 100 ms at the end and hoping the services are
// done, main drops the sender (the services' recv() then reports Closed) and joins them.
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <sluice/runtime.hpp>
#include <sluice/sync/broadcast.hpp>
#include <sluice/task.hpp>
#include <sluice/time.hpp>

namespace {

/// UserCreated(name), OrderPlaced(id) or SystemAlert(message); copyable, as broadcast needs.
struct Event {
  enum class Kind { UserCreated, OrderPlaced, SystemAlert } kind;
  std::string text;
  std::uint64_t id = 0;

  static Event user_created(std::string n) { return {Kind::UserCreated, std::move(n)}; }
  static Event order_placed(std::uint64_t id) { return {Kind::OrderPlaced, {}, id}; }
  static Event system_alert(std::string m) { return {Kind::SystemAlert, std::move(m)}; }

  /// Rust's {:?} rendering of the seed's enum.
  std::string debug() const {
    switch (kind) {
      case Kind::UserCreated:
        return "UserCreated(\"" + text + "\")";
      case Kind::OrderPlaced:
        return "OrderPlaced(" + std::to_string(id) + ")";
      case Kind::SystemAlert:
        break;
    }
    return "SystemAlert(\"" + text + "\")";
  }
};

using sluice::broadcast::Receiver;

/// Email service: only cares about user events.
sluice::Task<void> email(Receiver<Event> rx) {
  for (auto ev = co_await rx.recv(); ev; ev = co_await rx.recv()) {
    if (ev->kind == Event::Kind::UserCreated)
      std::printf("[email] Sending welcome email to %s\n", ev->text.c_str());
  }
}

/// Analytics service: cares about everything.
sluice::Task<void> analytics(Receiver<Event> rx) {
  for (auto ev = co_await rx.recv(); ev; ev = co_await rx.recv()) {
    std::printf("[analytics] Event: %s\n", ev->debug().c_str());
  }
}

/// Alerting service.
sluice::Task<void> alerting(Receiver<Event> rx) {
  for (auto ev = co_await rx.recv(); ev; ev = co_await rx.recv()) {
    if (ev->kind == Event::Kind::SystemAlert) std::printf("[alert] ALERT: %s\n", ev->text.c_str());
  }
}

sluice::Task<void> run() {
  auto [tx, unused] = sluice::broadcast::channel<Event>(100);
  std::vector<sluice::JoinHandle<void>> services;
  services.push_back(sluice::spawn(email(tx.subscribe())));
  services.push_back(sluice::spawn(analytics(tx.subscribe())));
  services.push_back(sluice::spawn(alerting(tx.subscribe())));
  { auto drop = std::move(unused); }

  co_await sluice::sleep(
      std::chrono::milliseconds(10));  // let subscribers start (not needed: they subscribed above)

  (void)tx.send(Event::user_created("Alice"));
  (void)tx.send(Event::order_placed(42));
  (void)tx.send(Event::system_alert("High CPU usage"));

  { auto drop = std::move(tx); }  // closes the bus: each service ends after the last event
  for (auto& h : services) (void)co_await std::move(h);
}

}  // namespace

int main() {
  auto rt = sluice::Runtime::multi_thread();
  rt.block_on(run());
  return 0;
}
