// Recycling allocator for coroutine frames (detail: users never name it).
//
// Coroutine frames of Task<T> are allocated through frame_alloc/frame_free. Each thread keeps a
// free list per 64-byte size class (frames up to kMaxPooled bytes), capped at kMaxPerClass
// entries, so the request/response hot path reuses frames instead of calling malloc. A frame
// freed on another thread than the one that allocated it simply joins that thread's list.
// Sanitizer builds bypass the pool so ASan still sees every use-after-free.
#pragma once

#include <cstddef>

namespace sluice::detail {

inline constexpr std::size_t kFrameClass = 64;
inline constexpr std::size_t kMaxPooled = 1024;
inline constexpr std::size_t kMaxPerClass = 256;

/// Allocates `size` bytes for a coroutine frame.
void* frame_alloc(std::size_t size);
/// Frees a frame allocated by frame_alloc with the same size.
void frame_free(void* p, std::size_t size) noexcept;

}  // namespace sluice::detail
