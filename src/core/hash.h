// src/core/hash.h: the hash of keys: which partition a key goes to, and
// where it sits in the combine tables. It must never change between runs,
// machines or builds, so that partitions are stable (checkpoints written by
// one run are valid for the next): it is XXH3-64 with seed 0, a specified
// hash (the one checksums use). Measured against the hand-written hash it
// replaced, on 54 M words of real text (bench/programs/hash_bench.cpp): 4.4-5.3 ns a
// word against 5.8-6.1, partitions as even (max/min 1.008 against 1.007 over
// 1.7 M distinct words into 7).
#pragma once

#include <cstdint>
#include <string_view>

#include "core/checksum.h"

namespace mr::core {

inline std::uint64_t hash_bytes(std::string_view s) {
  return XXH3_64bits(s.data(), s.size());
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
