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
// group() says so early and the caller sorts the pairs instead.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/big_memory.h"
#include "core/key_sort.h"

namespace mr::core {

class KeyGroups {
public:
  /// Groups the `n` pairs packed in `runs` (core/kv_buffer.h format).
  /// Returns false, having grouped nothing, when the first pairs are mostly
  /// of distinct keys: sorting the pairs is then cheaper.
  bool group(const std::vector<std::string_view> &runs, std::size_t n);

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

  /// The slot holding `key` (hashed `hash`), or the empty slot where it
  /// would go.
  std::size_t probe(std::string_view key, std::uint64_t hash) const;
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
