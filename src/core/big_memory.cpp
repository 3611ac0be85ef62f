// src/core/big_memory.cpp: see big_memory.h.
#include "core/big_memory.h"

#include <sys/mman.h>

#include <cstdlib>

namespace mr::core {

void *alloc_big(std::size_t bytes) {
  if (bytes < kBigBufferBytes) {
    // operator new's alignment, as malloc gives it; 0 bytes still a pointer
    void *p = std::malloc(bytes ? bytes : 1);
    if (!p)
      throw std::bad_alloc();
    return p;
  }
  void *p =
      ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    throw std::bad_alloc();
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

} // namespace mr::core
