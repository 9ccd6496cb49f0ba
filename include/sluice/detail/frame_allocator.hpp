// Recycling allocator for coroutine frames (detail: users never name it).
//
// Coroutine frames of Task<T> and spawned task cells are allocated through frame_alloc /
// frame_free. Blocks up to kMaxPooled bytes are recycled per 64-byte size class through
// per-thread magazines and a global depot (src/core/frame_allocator.cpp), so spawn/join and the
// request/response hot path do not call malloc in steady state, also when one thread allocates
// and another frees. The depot keeps at most 2 MiB per class; the rest goes back to the heap.
// Sanitizer builds bypass the pool so ASan still sees every use-after-free.
#pragma once

#include <cstddef>

namespace sluice::detail {

inline constexpr std::size_t kFrameClass = 64;
inline constexpr std::size_t kMaxPooled = 1024;

/// Allocates `size` bytes for a coroutine frame.
void* frame_alloc(std::size_t size);
/// Frees a frame allocated by frame_alloc with the same size.
void frame_free(void* p, std::size_t size) noexcept;

}  // namespace sluice::detail
