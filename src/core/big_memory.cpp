// src/core/big_memory.cpp: see big_memory.h.
#include "core/big_memory.h"

#include <sys/mman.h> // mremap: g++ defines _GNU_SOURCE

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace mr::core {

namespace {

// x86-64's, and arm64's with 4 KiB pages.
constexpr std::size_t kHugePageBytes = std::size_t(2) << 20;

/// `bytes` rounded up to whole pages.
std::size_t page_round(std::size_t bytes) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

} // namespace

void *alloc_big(std::size_t bytes) {
  if (bytes < kBigBufferBytes) {
    // operator new's alignment, as malloc gives it; 0 bytes still a pointer
    void *p = std::malloc(bytes ? bytes : 1);
    if (!p)
      throw std::bad_alloc();
    return p;
  }
  // Mapped with room to start on a huge-page boundary, the room then given
  // back: a huge page is mapped only at an aligned address, and the kernel
  // aligns a mapping only when its length is a multiple of one (a 4.3 MB
  // buffer would otherwise get one huge page, or none).
  if (bytes > std::numeric_limits<std::size_t>::max() / 2) // the room would wrap
    throw std::bad_alloc();
  const std::size_t mapped = bytes + kHugePageBytes;
  void *m =
      ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    throw std::bad_alloc();
  const auto at = reinterpret_cast<std::uintptr_t>(m);
  const std::uintptr_t aligned =
      (at + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  if (aligned > at)
    ::munmap(m, aligned - at);
  const std::uintptr_t end = aligned + page_round(bytes);
  const std::uintptr_t mapped_end = at + page_round(mapped);
  if (mapped_end > end)
    ::munmap(reinterpret_cast<void *>(end), mapped_end - end);
  void *p = reinterpret_cast<void *>(aligned);
#ifdef MADV_HUGEPAGE
  ::madvise(p, bytes, MADV_HUGEPAGE); // a hint: without THP it does nothing
#endif
  return p;
}

void free_big(void *p, std::size_t bytes) noexcept {
  if (!p)
    return;
  if (bytes < kBigBufferBytes)
    std::free(p);
  else
    ::munmap(p, bytes);
}

void *grow_big(void *p, std::size_t bytes, std::size_t larger) noexcept {
  if (!p || bytes < kBigBufferBytes || larger < bytes)
    return nullptr;
  void *q = ::mremap(p, bytes, larger, MREMAP_MAYMOVE);
  if (q == MAP_FAILED)
    return nullptr;
#ifdef MADV_HUGEPAGE
  ::madvise(q, larger, MADV_HUGEPAGE); // for the new part, as alloc_big marks
#endif
  return q;
}

void *shrink_big(void *p, std::size_t bytes, std::size_t &smaller) noexcept {
  if (bytes >= kBigBufferBytes && smaller < kBigBufferBytes)
    smaller = kBigBufferBytes;
  if (!p || smaller >= bytes)
    return p;
  if (bytes < kBigBufferBytes) // realloc shrinks a chunk in place
    return std::realloc(p, smaller ? smaller : 1);
  const std::size_t keep = page_round(smaller), mapped = page_round(bytes);
  if (mapped > keep) // the tail pages go; the mapping stays
    ::munmap(static_cast<char *>(p) + keep, mapped - keep);
  return p;
}

void release_pages(char *begin, char *end) noexcept {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const std::uintptr_t first =
      (reinterpret_cast<std::uintptr_t>(begin) + page - 1) / page * page;
  const std::uintptr_t last = reinterpret_cast<std::uintptr_t>(end) / page * page;
  if (last > first)
    ::madvise(reinterpret_cast<void *>(first), last - first, MADV_DONTNEED); // a hint
}

} // namespace mr::core
