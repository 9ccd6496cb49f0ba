// Frame pool: see include/sluice/detail/frame_allocator.hpp.
//
// Magazines after Bonwick's slab allocator: each thread holds, per size class, a loaded
// magazine (a free list of at most kBatch blocks) and one spare full magazine. Frees fill the
// loaded magazine; when it is full it becomes the spare, and an older spare goes to a global
// depot. Allocations empty the loaded magazine, then take the spare, then a magazine from the
// depot, then the heap. So a thread that only frees (a worker finishing tasks spawned elsewhere)
// feeds the thread that only allocates (the spawner) with one mutex operation per kBatch
// blocks, and neither touches malloc in steady state. The depot keeps at most kDepotBytes per
// class; beyond that, blocks go back to the heap.
#include <mutex>
#include <new>
#include <vector>

#include <sluice/detail/frame_allocator.hpp>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SLUICE_FRAME_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SLUICE_FRAME_POOL 0
#endif
#endif
#if !defined(SLUICE_FRAME_POOL)
#define SLUICE_FRAME_POOL 1
#endif

namespace sluice::detail {

#if SLUICE_FRAME_POOL

namespace {

struct FreeNode {
  FreeNode* next;
};

constexpr std::size_t kClasses = kMaxPooled / kFrameClass;
constexpr std::size_t kBatch = 64;                         // blocks per magazine
constexpr std::size_t kDepotBytes = std::size_t{2} << 20;  // per class

std::size_t class_of(std::size_t size) noexcept {
  return (size + kFrameClass - 1) / kFrameClass - 1;
}
std::size_t class_bytes(std::size_t c) noexcept { return (c + 1) * kFrameClass; }

void free_list(FreeNode* n) noexcept {
  while (n) {
    FreeNode* next = n->next;
    ::operator delete(n);
    n = next;
  }
}

/// Full magazines shared by all threads, per class. Never destroyed: threads may exit after
/// static destruction began.
class Depot {
 public:
  /// Takes a full magazine, or returns false (depot full: the caller frees it to the heap).
  bool put(std::size_t c, FreeNode* mag) {
    std::lock_guard lock(mu_[c]);
    if (mags_[c].size() * kBatch * class_bytes(c) >= kDepotBytes) return false;
    mags_[c].push_back(mag);
    return true;
  }
  /// A full magazine, or null.
  FreeNode* take(std::size_t c) {
    std::lock_guard lock(mu_[c]);
    if (mags_[c].empty()) return nullptr;
    FreeNode* m = mags_[c].back();
    mags_[c].pop_back();
    return m;
  }

 private:
  std::mutex mu_[kClasses];
  std::vector<FreeNode*> mags_[kClasses];
};

Depot& depot() {
  static Depot* d = new Depot();  // intentionally leaked, see above
  return *d;
}

// Set once this thread's pool is destroyed: frames freed by later thread-exit destructors go
// straight to the heap.
thread_local bool t_pool_gone = false;

struct Magazines {
  FreeNode* loaded[kClasses] = {};
  std::size_t count[kClasses] = {};
  FreeNode* spare[kClasses] = {};  // a full magazine (kBatch blocks) or null

  ~Magazines() {
    t_pool_gone = true;
    for (std::size_t c = 0; c < kClasses; ++c) {
      free_list(loaded[c]);
      if (spare[c] && !depot().put(c, spare[c])) free_list(spare[c]);
    }
  }
};

thread_local Magazines t_mags;

}  // namespace

void* frame_alloc(std::size_t size) {
  if (size > kMaxPooled || t_pool_gone) return ::operator new(size);
  const std::size_t c = class_of(size);
  Magazines& m = t_mags;
  if (FreeNode* n = m.loaded[c]) {
    m.loaded[c] = n->next;
    --m.count[c];
    return n;
  }
  FreeNode* mag = m.spare[c];
  if (mag) {
    m.spare[c] = nullptr;
  } else {
    mag = depot().take(c);
  }
  if (!mag) return ::operator new(class_bytes(c));
  m.loaded[c] = mag->next;
  m.count[c] = kBatch - 1;
  return mag;
}

void frame_free(void* p, std::size_t size) noexcept {
  if (size > kMaxPooled || t_pool_gone) {
    ::operator delete(p);
    return;
  }
  const std::size_t c = class_of(size);
  Magazines& m = t_mags;
  if (m.count[c] == kBatch) {
    // The loaded magazine is full: it becomes the spare; an older spare goes to the depot.
    if (FreeNode* old = m.spare[c]) {
      bool kept = false;
      try {
        kept = depot().put(c, old);
      } catch (...) {  // vector growth failed: give the blocks back to the heap
      }
      if (!kept) free_list(old);
    }
    m.spare[c] = m.loaded[c];
    m.loaded[c] = nullptr;
    m.count[c] = 0;
  }
  auto* n = static_cast<FreeNode*>(p);
  n->next = m.loaded[c];
  m.loaded[c] = n;
  ++m.count[c];
}

#else

void* frame_alloc(std::size_t size) { return ::operator new(size); }
void frame_free(void* p, std::size_t) noexcept { ::operator delete(p); }

#endif

}  // namespace sluice::detail
