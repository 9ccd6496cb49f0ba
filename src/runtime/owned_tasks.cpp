// OwnedTasks: see include/sluice/detail/owned_tasks.hpp.
#include <sluice/detail/owned_tasks.hpp>

namespace sluice::detail {

bool OwnedTasks::bind(TaskHeader* t) {
  auto idx = shard_of(t);
  Shard& s = shards_[idx];
  std::lock_guard lock(s.mu);
  if (s.closed) return false;
  t->owned_shard = static_cast<std::uint32_t>(idx);
  t->owned_prev = nullptr;
  t->owned_next = s.head;
  if (s.head) s.head->owned_prev = t;
  s.head = t;
  t->owned_linked = true;
  return true;
}

bool OwnedTasks::remove(TaskHeader* t) noexcept {
  Shard& s = shards_[t->owned_shard];
  std::lock_guard lock(s.mu);
  if (!t->owned_linked) return false;
  if (t->owned_prev)
    t->owned_prev->owned_next = t->owned_next;
  else
    s.head = t->owned_next;
  if (t->owned_next) t->owned_next->owned_prev = t->owned_prev;
  t->owned_prev = t->owned_next = nullptr;
  t->owned_linked = false;
  return true;
}

void OwnedTasks::close_and_shutdown_all() {
  closed_.store(true, mo::release);
  for (auto& s : shards_) {
    std::lock_guard lock(s.mu);
    s.closed = true;
  }
  for (auto& s : shards_) {
    for (;;) {
      TaskHeader* t = nullptr;
      {
        std::lock_guard lock(s.mu);
        t = s.head;
        if (!t) break;
        s.head = t->owned_next;
        if (s.head) s.head->owned_prev = nullptr;
        t->owned_prev = t->owned_next = nullptr;
        t->owned_linked = false;
      }
      t->vtable->shutdown(t);  // consumes the list's reference
    }
  }
}

}  // namespace sluice::detail
