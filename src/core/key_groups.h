// src/core/key_groups.h: the pairs of a reduce partition grouped by key, the
// keys in byte order and each key's values in byte order, without sorting
// every pair.
//
// MapReduce's reduce input repeats keys: a streaming word count's partition
// holds 1.6M pairs of 96k words, an inverted index far more pairs a word.
// Sorting all pairs by key (40-byte refs, a radix sort) costs per pair; here
// each pair is hashed once to its key's number, only the distinct keys are
// sorted, and the values are placed by a counting sort into their key's
// slice. When keys hardly repeat (sort's records), grouping only adds a pass:
// a census of the whole partition says so first and the caller sorts the
// pairs instead.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/big_memory.h"
#include "core/key_sort.h"

namespace mr::core {

/// How many pairs a partition holds, and about how many distinct keys.
struct KeyCensus {
  std::size_t pairs = 0;
  double distinct_keys = 0; // a HyperLogLog estimate: within a few percent
};

/// The census of the pairs packed in `runs` (core/kv_buffer.h format), in
/// one pass that hashes every key. Over the whole partition, not its first
/// pairs: an inverted index's first pairs are one document's words, all
/// distinct, though each word comes again from every other document.
KeyCensus take_census(const std::vector<std::string_view> &runs);

class KeyGroups {
public:
  /// Below this many pairs a key on average, sorting the pairs is faster.
  /// Measured on join's reduce (bench/RESULTS.md): at 2 and 3 pairs a key
  /// sorting took 15-20% less time, at 4 the two were within the noise; at
  /// 17 (a streaming word count) and 32 (an inverted index) grouping wins.
  static constexpr double kMinPairsPerKey = 3.5;

  /// Groups the pairs packed in `runs`, whose census is `census`. Returns
  /// false, having grouped nothing, when keys repeat less than
  /// `min_pairs_per_key` times on average: the caller sorts the pairs.
  bool group(const std::vector<std::string_view> &runs, const KeyCensus &census,
             double min_pairs_per_key = kMinPairsPerKey);

  std::size_t keys() const { return sorted_.size(); }
  std::size_t pairs() const { return values_.size(); }
  /// The i-th key in byte order, and its values in byte order.
  std::string_view key(std::size_t i) const { return sorted_[i].key; }
  std::span<const std::string_view> values(std::size_t i) const {
    const Key &k = keys_[sorted_[i].id];
    return {values_.data() + k.begin, k.count};
  }

  /// Gives back the memory (kept from one partition to the next otherwise).
  void release();
  std::uint64_t bytes() const;

private:
  struct Key {
    std::string_view bytes;
    std::uint64_t prefix = 0; // its first 8 bytes (key_prefix), to compare without them
    std::uint64_t count = 0;
    std::uint64_t begin = 0; // its first value's index in values_
    std::uint64_t next = 0;  // where its next value goes, while placing them
    // The last value placed, by its first 8 bytes (key_prefix) and size:
    // values are checked for order as they go by, while in cache, and only
    // a key whose values may be out of order is looked at again.
    std::uint64_t last_prefix = 0;
    std::uint64_t last_size = 0;
    bool unsure = false; // its values may be out of byte order
  };
  struct Sorted {
    std::string_view key;
    std::uint32_t id;
  };

  /// The slot holding `key` (hashed `hash`, first bytes `prefix`), or the
  /// empty slot where it would go.
  std::size_t probe(std::string_view key, std::uint64_t hash, std::uint64_t prefix) const;
  /// The number of `key` (hashed `hash`), added if new.
  std::uint32_t find_or_add(std::string_view key, std::uint64_t hash);
  void grow();
  void sort_keys();

  std::vector<Key> keys_; // by number
  // A slot: the hash's high 32 bits, then the key's number + 1 (0: empty).
  std::vector<std::uint64_t> slots_;
  std::vector<std::uint32_t, BigAllocator<std::uint32_t>> ids_; // a pair's key
  std::vector<std::string_view, BigAllocator<std::string_view>> values_;
  std::vector<Sorted> sorted_;
  RefVector refs_, scratch_; // for sorting the distinct keys
  int bits_ = 0;             // slots_.size() == 1 << bits_
};

} // namespace mr::core
