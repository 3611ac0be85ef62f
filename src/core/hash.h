// src/core/hash.h: a fast 64-bit hash of byte strings that never changes
// between runs, machines or builds, so partitions are stable (checkpoints
// written by one run are valid for the next).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace mr::core {

// Loads below read integers in native byte order; the hash must not change
// with the machine, so only little-endian machines are supported for now.
static_assert(std::endian::native == std::endian::little,
              "mr::core::hash_bytes assumes a little-endian machine");

inline std::uint64_t mix64(std::uint64_t x) {
  // The finaliser of SplitMix64: every input bit affects every output bit.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

inline std::uint64_t load_u64(const unsigned char *p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline std::uint64_t load_u32(const unsigned char *p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline std::uint64_t hash_bytes(std::string_view s) {
  const auto *p = reinterpret_cast<const unsigned char *>(s.data());
  const std::size_t n = s.size();
  // Short keys (most words) in two overlapping loads that cover every byte.
  if (n <= 16) {
    std::uint64_t a = 0, b = 0;
    if (n >= 8) {
      a = load_u64(p);
      b = load_u64(p + n - 8);
    } else if (n >= 4) {
      a = load_u32(p);
      b = load_u32(p + n - 4);
    } else if (n > 0) {
      a = (std::uint64_t(p[0]) << 16) | (std::uint64_t(p[n / 2]) << 8) | p[n - 1];
    }
    return mix64((a * 0x9e3779b97f4a7c15ULL) ^
                 mix64(b + n * 0xff51afd7ed558ccdULL + 0x2545f4914f6cdd1dULL));
  }
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL);
  std::size_t left = n;
  while (left >= 8) {
    h = (h ^ mix64(load_u64(p))) * 0x9fb21c651e98df25ULL;
    p += 8;
    left -= 8;
  }
  // The last 8 bytes (overlapping what came before when n is not a multiple of 8).
  h ^= mix64(load_u64(p + left - 8) + 0x2545f4914f6cdd1dULL);
  return mix64(h);
}

/// The reduce partition of a key whose hash_bytes is `hash`.
inline std::uint32_t partition_of_hash(std::uint64_t hash, std::uint32_t partitions) {
  return static_cast<std::uint32_t>(hash % partitions);
}

/// The reduce partition of `key` out of `partitions` (> 0).
inline std::uint32_t partition_of(std::string_view key, std::uint32_t partitions) {
  return partition_of_hash(hash_bytes(key), partitions);
}

} // namespace mr::core

namespace mr::core {

/// Reduce partitions [begin, end) are owned by one worker.
struct PartitionRange {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

/// Worker w of `workers` owns a consecutive block of the `partitions`, so
/// that the output file holds partitions in order, one block per worker.
inline PartitionRange partitions_of_worker(std::uint32_t w, std::uint32_t workers,
                                           std::uint32_t partitions) {
  return {static_cast<std::uint32_t>(std::uint64_t(w) * partitions / workers),
          static_cast<std::uint32_t>(std::uint64_t(w + 1) * partitions / workers)};
}

} // namespace mr::core
