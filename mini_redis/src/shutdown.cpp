// See shutdown.hpp.
#include "shutdown.hpp"

namespace mini_redis::detail {

sluice::Task<void> shutdown_requested(sluice::watch::Receiver<bool>& rx) {
  for (;;) {
    bool requested = false;
    {
      auto value = rx.borrow_and_update();  // a read lock: released before any co_await
      requested = *value;
    }
    if (requested) co_return;
    auto changed = co_await rx.changed();
    if (!changed) co_return;  // every sender dropped: treated as a shutdown
  }
}

}  // namespace mini_redis::detail
