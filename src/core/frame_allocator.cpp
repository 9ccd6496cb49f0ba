#include <sluice/detail/frame_allocator.hpp>

#include <new>

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

// One thread's free lists. Destroyed at thread exit, returning its frames to the heap.
// Set once this thread's pool is destroyed: frames freed by later thread-exit destructors
// go straight to the heap.
thread_local bool t_pool_gone = false;

struct FramePool {
  FreeNode* head[kClasses] = {};
  std::size_t count[kClasses] = {};
  ~FramePool() {
    t_pool_gone = true;
    for (auto* n : head) {
      while (n) {
        auto* next = n->next;
        ::operator delete(n);
        n = next;
      }
    }
  }
};

thread_local FramePool t_pool;

std::size_t class_of(std::size_t size) noexcept { return (size + kFrameClass - 1) / kFrameClass - 1; }

}  // namespace

void* frame_alloc(std::size_t size) {
  if (size > kMaxPooled || t_pool_gone) return ::operator new(size);
  auto c = class_of(size);
  auto& pool = t_pool;
  if (FreeNode* n = pool.head[c]) {
    pool.head[c] = n->next;
    --pool.count[c];
    return n;
  }
  return ::operator new((c + 1) * kFrameClass);
}

void frame_free(void* p, std::size_t size) noexcept {
  if (size > kMaxPooled || t_pool_gone) {
    ::operator delete(p);
    return;
  }
  auto c = class_of(size);
  auto& pool = t_pool;
  if (pool.count[c] >= kMaxPerClass) {
    ::operator delete(p);
    return;
  }
  auto* n = static_cast<FreeNode*>(p);
  n->next = pool.head[c];
  pool.head[c] = n;
  ++pool.count[c];
}

#else

void* frame_alloc(std::size_t size) { return ::operator new(size); }
void frame_free(void* p, std::size_t) noexcept { ::operator delete(p); }

#endif

}  // namespace sluice::detail
