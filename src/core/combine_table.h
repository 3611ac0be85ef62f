// src/core/combine_table.h: an open-addressing hash table that merges the
// values of equal keys as they arrive (the combiner of map and reduce sides).
//
// Keys and values live in one byte arena; slots hold offsets, so the table
// costs 24 bytes a distinct key plus the bytes themselves, and no allocation
// per pair. A merged value of the same size is written over the old one.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/hash.h"

namespace mr::core {

/// A pair to insert, with its key's hash_bytes.
struct HashedPair {
  std::uint64_t hash;
  std::string_view key, value;
};

/// How a table merges the values of equal keys.
enum class MergeMode {
  call,    ///< through the merge function given (the job's combine)
  add_u64, ///< 8-byte counts, added in place (Job::combine_sums_u64)
  append,  ///< a + b, appended in place (Job::combine_appends)
};

class CombineTable {
public:
  /// Pairs a caller should gather for insert_batch(): enough for the memory
  /// loads of one pair to overlap those of the others. Map seconds on 256
  /// MB (1M-word vocabulary), side by side, medians of 3: batch 8: 6.48,
  /// 16: 5.74, 32: 5.18; a later run 16: 5.44, 32: 5.29, 64: 5.73.
  static constexpr std::size_t kBatch = 32;

  /// Inserts a batch of pairs in three passes: prefetch their slots; then
  /// the keys found there; then insert. A table larger than the caches
  /// otherwise waits on two memory loads per pair (measured in reduce: 180
  /// ns a pair unbatched). Values merge as `mode` says; through `merge`
  /// for MergeMode::call.
  template <class Merge>
  void insert_batch(const HashedPair *pairs, std::size_t n, MergeMode mode,
                    Merge &&merge) {
    for (std::size_t i = 0; i < n; ++i)
      prefetch_slot(pairs[i].hash);
    for (std::size_t i = 0; i < n; ++i)
      prefetch_key(pairs[i].hash);
    // One loop per mode: word count's map phase inserts ~90 M pairs a worker.
    switch (mode) {
    case MergeMode::add_u64:
      for (std::size_t i = 0; i < n; ++i)
        add_u64_hashed(pairs[i].hash, pairs[i].key, pairs[i].value);
      break;
    case MergeMode::append:
      for (std::size_t i = 0; i < n; ++i)
        append_hashed(pairs[i].hash, pairs[i].key, pairs[i].value);
      break;
    case MergeMode::call:
      for (std::size_t i = 0; i < n; ++i)
        insert_hashed(pairs[i].hash, pairs[i].key, pairs[i].value, merge);
      break;
    }
  }

  CombineTable() { slots_.resize(kInitialSlots); }

  /// Adds (key, value); if the key is present, its value becomes
  /// merge(key, old, value, out) -> out.
  template <class Merge>
  void insert(std::string_view key, std::string_view value, Merge &&merge) {
    insert_hashed(hash_bytes(key), key, value, merge);
  }

  /// insert() for a key whose hash_bytes is `h`.
  template <class Merge>
  void insert_hashed(std::uint64_t h, std::string_view key, std::string_view value,
                     Merge &&merge) {
    Slot *s = find_or_add(h, key, value);
    if (!s)
      return;
    merge(key, value_of(*s), value, scratch_);
    if (scratch_.size() > kMaxValue)
      throw std::length_error(too_long(key));
    if (scratch_.size() == s->value_size) {
      std::memcpy(arena_.data() + s->offset + s->key_size, scratch_.data(),
                  scratch_.size());
    } else {
      s->offset = append(key, scratch_);
      s->value_size = static_cast<std::uint32_t>(scratch_.size());
    }
  }

  /// insert_hashed() for 8-byte counts that merge by addition: the sum is
  /// made in place (`value` must be 8 bytes; see Job::combine_sums_u64).
  void add_u64_hashed(std::uint64_t h, std::string_view key, std::string_view value) {
    // mr::u64_bytes is little-endian: added as native integers here.
    static_assert(std::endian::native == std::endian::little);
    Slot *s = find_or_add(h, key, value);
    if (!s)
      return;
    char *at = arena_.data() + s->offset + s->key_size;
    std::uint64_t sum, add;
    std::memcpy(&sum, at, 8);
    std::memcpy(&add, value.data(), 8);
    sum += add;
    std::memcpy(at, &sum, 8);
  }

  /// insert_hashed() for values that merge by concatenation: `value` is
  /// appended to the key's value in place. A value has room for the next
  /// power of two of its size (8 at least) and moves when it outgrows it, so
  /// a key met n times costs O(n) copying, and the room left over (moved-from
  /// copies, unused tails) is at most about twice the values' bytes.
  void append_hashed(std::uint64_t h, std::string_view key, std::string_view value) {
    Slot *s = find_or_add(h, key, value);
    if (!s) { // added last in the arena: its room follows it
      arena_.extend(append_room(value.size()) - value.size());
      return;
    }
    const std::size_t old = s->value_size, now = old + value.size();
    if (now > kMaxValue)
      throw std::length_error(too_long(key));
    if (now > append_room(old)) { // move it to the arena's end, with room
      const std::size_t at = arena_.size();
      arena_.extend(s->key_size + append_room(now));
      std::memcpy(arena_.data() + at, arena_.data() + s->offset, s->key_size + old);
      s->offset = at;
    }
    copy_bytes(arena_.data() + s->offset + s->key_size + old, value.data(), value.size());
    s->value_size = static_cast<std::uint32_t>(now);
  }

  /// Asks the CPU to fetch the slot where a key hashing to `h` starts its
  /// probe. With a table larger than the caches, an insert waits on two
  /// memory loads (slot, then key); batches of inserts that prefetch first
  /// overlap those waits.
  void prefetch_slot(std::uint64_t h) const {
    __builtin_prefetch(&slots_[h & (slots_.size() - 1)]);
  }

  /// Once the slot is cached: fetch the key bytes of the first entry whose
  /// hash is `h`, if any.
  void prefetch_key(std::uint64_t h) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask; slots_[i].offset != kEmpty; i = (i + 1) & mask)
      if (slots_[i].hash == h) {
        __builtin_prefetch(arena_.data() + slots_[i].offset);
        return;
      }
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  /// Bytes the entries need: keys, values and their share of slots (two
  /// slots an entry, as the table is at most half full). Not the slots
  /// allocated: clear() keeps those, and an emptied table needs nothing.
  std::size_t memory_bytes() const { return arena_.size() + size_ * 2 * sizeof(Slot); }

  /// Calls f(key, value) for every entry, in no particular order.
  template <class F> void for_each(F &&f) const {
    for (const Slot &s : slots_)
      if (s.offset != kEmpty)
        f(std::string_view(arena_.data() + s.offset, s.key_size), value_of(s));
  }

  /// Calls f(hash_bytes(key), key, value) for every entry, reusing the hash.
  template <class F> void for_each_hashed(F &&f) const {
    for (const Slot &s : slots_)
      if (s.offset != kEmpty)
        f(s.hash, std::string_view(arena_.data() + s.offset, s.key_size), value_of(s));
  }

  /// Entries as views into the table, sorted by key bytes.
  std::vector<std::pair<std::string_view, std::string_view>> sorted_entries() const;

  /// Empties the table but keeps its slots, so refilling it does not grow
  /// it again.
  void clear() {
    arena_.clear();
    std::fill(slots_.begin(), slots_.end(), Slot{});
    size_ = 0;
  }

private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t(0);
  static constexpr std::size_t kInitialSlots = 1024;
  static constexpr std::size_t kMaxValue = UINT32_MAX; // Slot::value_size

  /// Bytes kept for an appended value of `size` bytes.
  static std::size_t append_room(std::size_t size) {
    return size <= 8 ? 8 : std::bit_ceil(size);
  }
  static std::string too_long(std::string_view key);

  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t offset = kEmpty; // of the key in arena_; value follows it
    std::uint32_t key_size = 0;
    std::uint32_t value_size = 0;
  };

  /// The slot holding `key` (hash `h`); or, when there is none, adds (key,
  /// value) in a new one, at the arena's end, and returns nullptr.
  Slot *find_or_add(std::uint64_t h, std::string_view key, std::string_view value) {
    std::size_t i = h & (slots_.size() - 1);
    for (;; i = (i + 1) & (slots_.size() - 1)) {
      Slot &s = slots_[i];
      if (s.offset == kEmpty)
        break;
      if (s.hash == h && s.key_size == key.size() &&
          same_bytes(arena_.data() + s.offset, key.data(), key.size()))
        return &s;
    }
    Slot &s = slots_[i];
    s.hash = h;
    s.offset = append(key, value);
    s.key_size = static_cast<std::uint32_t>(key.size());
    s.value_size = static_cast<std::uint32_t>(value.size());
    // At most half full: a lookup of a new key (most lookups, with a large
    // vocabulary) then probes ~2.5 slots, against ~8.5 at three quarters.
    if (++size_ * 2 > slots_.size())
      grow();
    return nullptr;
  }

  std::string_view value_of(const Slot &s) const {
    return {arena_.data() + s.offset + s.key_size, s.value_size};
  }

  std::uint64_t append(std::string_view key, std::string_view value) {
    return arena_.append(key, value);
  }

  void grow();

  ByteArena arena_;
  std::vector<Slot, BigAllocator<Slot>> slots_;
  std::string scratch_;
  std::size_t size_ = 0;
};

} // namespace mr::core
