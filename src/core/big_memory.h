// src/core/big_memory.h: memory for the engine's large buffers (received
// pairs, sort refs, arenas, hash slots), mapped for each buffer and marked
// for transparent huge pages.
//
// Why: a buffer of tens of MB is touched for the first time page by page,
// and each 4 KiB fault costs (on the 2-core VM of bench/RESULTS.md, ~13 us:
// a streaming word count's reduce spent more collecting refs into fresh
// memory than sorting them). With huge pages a fault maps 2 MiB. Kernels
// set to THP "madvise" (Debian's default) give them only to memory so
// marked; "always" gives them anyway, and "never" ignores the mark.
#pragma once

#include <cstddef>
#include <memory>
#include <new>

namespace mr::core {

/// Buffers at least this large are mapped on their own, from a huge-page
/// boundary, and marked; smaller ones come from malloc (a huge page would
/// round them up). Map tasks' partition buffers are a few MB each (a 32 MB
/// task over 8 partitions): from malloc they took 4 KiB faults, ~10% of a
/// sort worker's time (bench/RESULTS.md, "map buffers in huge pages").
constexpr std::size_t kBigBufferBytes = std::size_t(2) << 20;

/// `bytes` of memory (uninitialised), aligned for any type; throws
/// std::bad_alloc. Free with free_big(p, bytes), the same `bytes`.
void *alloc_big(std::size_t bytes);
void free_big(void *p, std::size_t bytes) noexcept;

/// Grows a buffer of alloc_big of at least kBigBufferBytes to `larger`
/// bytes without copying them (mremap moves the pages, not their bytes);
/// returns it, to be freed with free_big(q, larger), or nullptr when it
/// cannot (p is unchanged: copy it, as for a smaller buffer).
void *grow_big(void *p, std::size_t bytes, std::size_t larger) noexcept;

/// Shrinks a buffer of alloc_big from `bytes` to `smaller` bytes (at most
/// `bytes`), keeping its first `smaller` bytes, in place (realloc, or the
/// tail of a mapping unmapped). A mapping stays one: `smaller` is raised to
/// kBigBufferBytes if below (copying it into malloc's memory cost more than
/// the untouched tail). Returns the buffer, to be freed with free_big(q,
/// smaller), or nullptr when it cannot (p is unchanged).
void *shrink_big(void *p, std::size_t bytes, std::size_t &smaller) noexcept;

/// Gives the whole pages inside [begin, end) back to the system (their
/// contents are lost: they read as zeros if touched again); the rest of the
/// mapping stays. For memory of alloc_big that is done with before its
/// buffer is (a partition's received pairs once it is reduced): the pages
/// serve the next allocations instead of adding to the peak.
void release_pages(char *begin, char *end) noexcept;

/// A standard allocator over alloc_big (std::vector<T, BigAllocator<T>>).
template <class T> struct BigAllocator {
  using value_type = T;
  BigAllocator() = default;
  template <class U> BigAllocator(const BigAllocator<U> &) noexcept {}
  T *allocate(std::size_t n) {
    if (n > std::size_t(-1) / sizeof(T))
      throw std::bad_alloc();
    return static_cast<T *>(alloc_big(n * sizeof(T)));
  }
  void deallocate(T *p, std::size_t n) noexcept { free_big(p, n * sizeof(T)); }
  template <class U> bool operator==(const BigAllocator<U> &) const noexcept {
    return true;
  }
};

/// Frees a char buffer of alloc_big (a std::unique_ptr's deleter).
struct BigFree {
  std::size_t bytes = 0;
  void operator()(char *p) const noexcept { free_big(p, bytes); }
};
using BigBuffer = std::unique_ptr<char[], BigFree>;

/// A BigBuffer of `bytes` (uninitialised).
inline BigBuffer big_buffer(std::size_t bytes) {
  return BigBuffer(static_cast<char *>(alloc_big(bytes)), BigFree{bytes});
}

} // namespace mr::core
