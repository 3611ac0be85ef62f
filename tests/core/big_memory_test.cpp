// tests/core/big_memory_test.cpp: buffers of alloc_big, below and above the
// size that maps them, keep what is written; containers over BigAllocator
// keep their contents as they grow across that size.
#include "core/big_memory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/bytes.h"

namespace {

using mr::core::kBigBufferBytes;

TEST(BigMemory, BuffersOnEitherSideOfTheThresholdHoldTheirBytes) {
  for (std::size_t bytes : {std::size_t(0), std::size_t(1), kBigBufferBytes - 1,
                            kBigBufferBytes, kBigBufferBytes * 2 + 12345}) {
    mr::core::BigBuffer b = mr::core::big_buffer(bytes);
    ASSERT_NE(b.get(), nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b.get()) % alignof(std::max_align_t), 0u);
    for (std::size_t i = 0; i < bytes; i += 4093)
      b[i] = static_cast<char>(i * 7);
    for (std::size_t i = 0; i < bytes; i += 4093)
      ASSERT_EQ(b[i], static_cast<char>(i * 7)) << bytes << " bytes, at " << i;
  }
}

TEST(BigMemory, VectorGrowsAcrossTheThresholdKeepingItsValues) {
  std::vector<std::uint64_t, mr::core::BigAllocator<std::uint64_t>> v;
  const std::size_t n = 3 * kBigBufferBytes / sizeof(std::uint64_t);
  for (std::size_t i = 0; i < n; ++i)
    v.push_back(i * 2654435761u);
  for (std::size_t i = 0; i < n; i += 997)
    ASSERT_EQ(v[i], i * 2654435761u);
  v.clear();
  v.shrink_to_fit();
  EXPECT_EQ(v.capacity(), 0u);
}

TEST(BigMemory, ArenaKeepsItsBytesWhenItOutgrowsMalloc) {
  mr::core::ByteArena arena;
  const std::string piece = "0123456789abcdef";
  const std::size_t count = 2 * kBigBufferBytes / piece.size() + 3;
  for (std::size_t i = 0; i < count; ++i)
    arena.append(piece, "");
  ASSERT_EQ(arena.size(), count * piece.size());
  for (std::size_t at = 0; at < arena.size(); at += 16 * 4099)
    ASSERT_EQ(std::memcmp(arena.data() + at, piece.data(), piece.size()), 0) << at;
  mr::core::ByteArena copy = arena; // copies go through the same memory
  EXPECT_EQ(std::memcmp(copy.data(), arena.data(), arena.size()), 0);
}

// Map output is shrunk when stored, in place: within malloc's memory, or
// a mapping's tail unmapped (a mapping keeps at least kBigBufferBytes).
TEST(BigMemory, ArenaShrunkToFitKeepsItsBytesOnEitherSideOfTheThreshold) {
  for (std::size_t size : {std::size_t(0), std::size_t(5000), kBigBufferBytes - 100,
                           kBigBufferBytes + 100, 3 * kBigBufferBytes}) {
    for (std::size_t room : {size + 1, 2 * size + 4096, size + 2 * kBigBufferBytes}) {
      mr::core::ByteArena arena;
      arena.reserve(room);
      for (std::size_t i = 0; i < size; ++i)
        arena.extend(1)[0] = static_cast<char>(i % 251);
      arena.shrink_to_fit();
      // A mapping stays one, of at least kBigBufferBytes.
      const std::size_t held =
          room >= kBigBufferBytes ? std::max(size, kBigBufferBytes) : size;
      ASSERT_EQ(arena.capacity(), held) << size << " of " << room;
      ASSERT_EQ(arena.size(), size);
      for (std::size_t i = 0; i < size; i += 997)
        ASSERT_EQ(arena.data()[i], static_cast<char>(i % 251)) << i;
      arena.extend(10)[9] = 'z'; // grows again from there
      EXPECT_EQ(arena.data()[size + 9], 'z');
    }
  }
}

TEST(BigMemory, ReleasedPagesReadAsZerosAndTheirNeighboursKeepTheirBytes) {
  const std::size_t bytes = kBigBufferBytes + 3 * 4096;
  mr::core::BigBuffer b = mr::core::big_buffer(bytes);
  std::memset(b.get(), 'x', bytes);
  const std::size_t from = 100, to = bytes - 5000; // not on page boundaries
  mr::core::release_pages(b.get() + from, b.get() + to);
  for (std::size_t i = 0; i < from; ++i)
    ASSERT_EQ(b[i], 'x') << i;
  for (std::size_t i = to; i < bytes; ++i)
    ASSERT_EQ(b[i], 'x') << i;
  std::size_t zeros = 0;
  for (std::size_t i = from; i < to; ++i) {
    ASSERT_TRUE(b[i] == 'x' || b[i] == 0) << i;
    zeros += b[i] == 0;
  }
  EXPECT_GT(zeros, to - from - 2 * 65536); // all but the partial pages at the edges
}

// No size is rounded past the end of the address space into a small one.
TEST(BigMemory, ImpossibleSizesAreRefused) {
  for (std::size_t bytes : {std::numeric_limits<std::size_t>::max(),
                            std::numeric_limits<std::size_t>::max() - 4096,
                            std::numeric_limits<std::size_t>::max() / 2 + 1})
    EXPECT_THROW(mr::core::alloc_big(bytes), std::bad_alloc) << bytes;
}

// A mapping starts on a huge-page boundary: the kernel maps a huge page only
// at an aligned address, and does not align a mapping whose length is not a
// multiple of 2 MiB (a map task's 4.3 MB partition buffer got 4 KiB faults).
TEST(BigMemory, MappedBuffersStartOnAHugePageBoundary) {
  constexpr std::uintptr_t kHugePage = std::uintptr_t(2) << 20;
  for (std::size_t bytes :
       {kBigBufferBytes, kBigBufferBytes + 4096 * 77 + 5, 3 * kBigBufferBytes + 12345}) {
    std::vector<mr::core::BigBuffer> buffers; // several: not aligned by chance
    for (int i = 0; i < 8; ++i) {
      buffers.push_back(mr::core::big_buffer(bytes));
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(buffers.back().get()) % kHugePage, 0u)
          << bytes << " bytes";
      buffers.back()[bytes - 1] = 'x'; // the last byte is there
      EXPECT_EQ(buffers.back()[bytes - 1], 'x');
    }
  }
}

} // namespace
