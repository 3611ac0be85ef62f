// src/core/bytes.h: copying and comparing short byte strings inline, and
// an arena of bytes appended without zeroing or per-call library copies.
//
// Most keys are words and most values 8-byte counts: a libc call per copy or
// comparison of a few bytes showed in word count's profiles.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

#include "core/big_memory.h"

namespace mr::core {

/// Copies n bytes, inline for short ones (most words and counts): a libc
/// memcpy call per staged key and value showed in word count's profile.
/// Never reads or writes past n.
inline void copy_bytes(char *dst, const char *src, std::size_t n) {
  if (n >= 8 && n <= 16) {
    std::uint64_t a, b;
    std::memcpy(&a, src, 8);
    std::memcpy(&b, src + n - 8, 8);
    std::memcpy(dst, &a, 8);
    std::memcpy(dst + n - 8, &b, 8);
  } else if (n >= 4 && n < 8) {
    std::uint32_t a, b;
    std::memcpy(&a, src, 4);
    std::memcpy(&b, src + n - 4, 4);
    std::memcpy(dst, &a, 4);
    std::memcpy(dst + n - 4, &b, 4);
  } else if (n < 4) {
    for (std::size_t i = 0; i < n; ++i)
      dst[i] = src[i];
  } else {
    std::memcpy(dst, src, n);
  }
}

/// a[0..n) == b[0..n), inline for short keys (most words): a libc memcmp
/// call per probe cost 12% of word count's map phase. Never reads past n.
inline bool same_bytes(const char *a, const char *b, std::size_t n) {
  if (n >= 8 && n <= 16) {
    std::uint64_t a0, b0, a1, b1;
    std::memcpy(&a0, a, 8);
    std::memcpy(&b0, b, 8);
    std::memcpy(&a1, a + n - 8, 8);
    std::memcpy(&b1, b + n - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  if (n >= 4 && n < 8) {
    std::uint32_t a0, b0, a1, b1;
    std::memcpy(&a0, a, 4);
    std::memcpy(&b0, b, 4);
    std::memcpy(&a1, a + n - 4, 4);
    std::memcpy(&b1, b + n - 4, 4);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  if (n < 4) {
    for (std::size_t i = 0; i < n; ++i)
      if (a[i] != b[i])
        return false;
    return true;
  }
  return std::memcmp(a, b, n) == 0;
}

/// Bytes appended end to end, growing by doubling, never zeroed first;
/// clear() keeps the memory. The storage of the combine table's keys and
/// values and of map output (a std::vector<char> appended through insert()
/// cost a memmove call per key and per value: 4-7% of word count's map).
class ByteArena {
public:
  ByteArena() = default;
  ByteArena(const ByteArena &other) { *this = other; }
  ByteArena &operator=(const ByteArena &other) {
    if (this != &other) {
      size_ = 0;
      if (other.size_ > 0)
        std::memcpy(extend(other.size_), other.data(), other.size_);
    }
    return *this;
  }
  ByteArena(ByteArena &&other) noexcept { *this = std::move(other); }
  ByteArena &operator=(ByteArena &&other) noexcept {
    bytes_ = std::move(other.bytes_);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    return *this;
  }

  char *data() { return bytes_.get(); }
  const char *data() const { return bytes_.get(); }
  std::size_t size() const { return size_; }
  /// Memory held (at least size()).
  std::size_t capacity() const { return capacity_; }
  void clear() { size_ = 0; }
  void reserve(std::size_t n) {
    if (n <= capacity_)
      return;
    if (void *grown = grow_big(bytes_.get(), capacity_, n)) { // a mapping: no copy
      (void)bytes_.release();
      bytes_ = BigBuffer(static_cast<char *>(grown), BigFree{n});
      capacity_ = n;
      return;
    }
    BigBuffer bigger = big_buffer(n);
    if (size_ > 0)
      std::memcpy(bigger.get(), bytes_.get(), size_);
    bytes_ = std::move(bigger);
    capacity_ = n;
  }
  /// Gives back the memory beyond size(), in place, so capacity() is what
  /// is held (a mapping keeps at least kBigBufferBytes: core/big_memory.h).
  void shrink_to_fit() {
    if (capacity_ == size_)
      return;
    std::size_t smaller = size_;
    void *q = shrink_big(bytes_.get(), capacity_, smaller);
    if (!q)
      return;               // kept as it was
    (void)bytes_.release(); // now q's, of `smaller` bytes
    bytes_ = BigBuffer(static_cast<char *>(q), BigFree{smaller});
    capacity_ = smaller;
  }
  /// Makes the arena n bytes longer; returns the new bytes (uninitialised)
  /// for the caller to write.
  char *extend(std::size_t n) {
    if (n > capacity_ - size_)
      reserve(std::max(2 * capacity_, size_ + n));
    size_ += n;
    return bytes_.get() + size_ - n;
  }
  /// Drops the bytes from `n` on (n at most size()).
  void truncate(std::size_t n) { size_ = n; }
  /// Appends a then b; returns the offset of a.
  std::size_t append(std::string_view a, std::string_view b) {
    char *at = extend(a.size() + b.size());
    copy_bytes(at, a.data(), a.size());
    copy_bytes(at + a.size(), b.data(), b.size());
    return static_cast<std::size_t>(at - bytes_.get());
  }

private:
  BigBuffer bytes_;
  std::size_t size_ = 0, capacity_ = 0;
};

} // namespace mr::core
