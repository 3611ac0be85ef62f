// src/core/key_groups.cpp: see key_groups.h.
#include "core/key_groups.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "core/hash.h"
#include "core/kv_buffer.h"

namespace mr::core {

namespace {

/// HyperLogLog (Flajolet et al. 2007) with 2^12 one-byte registers: a
/// standard error of 1.04 / 64, 1.6%, whatever the count.
class DistinctCounter {
public:
  void add(std::uint64_t hash) {
    // The top 12 bits choose the register; the rest, led by its zeros, say
    // how rare the hash is (a set guard bit bounds the count).
    const std::uint64_t rest = (hash << kBits) | (std::uint64_t(1) << (kBits - 1));
    const auto rank = static_cast<std::uint8_t>(__builtin_clzll(rest) + 1);
    std::uint8_t &r = registers_[hash >> (64 - kBits)];
    r = std::max(r, rank);
  }
  double estimate() const {
    constexpr double m = kRegisters;
    double sum = 0;
    std::size_t zeros = 0;
    for (std::uint8_t r : registers_) {
      sum += std::ldexp(1.0, -r);
      zeros += r == 0;
    }
    const double raw = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    // Few keys: linear counting of the empty registers, rounded (a count
    // is whole; exact for the first few dozen keys).
    return raw <= 2.5 * m && zeros > 0
               ? std::round(m * std::log(m / static_cast<double>(zeros)))
               : raw;
  }

private:
  static constexpr int kBits = 12;
  static constexpr std::size_t kRegisters = std::size_t(1) << kBits;
  std::array<std::uint8_t, kRegisters> registers_{};
};

/// A partition's keys share their hash modulo the partition count: slots
/// are chosen by the hash's high bits.
std::size_t slot_of(std::uint64_t hash, int bits) {
  return static_cast<std::size_t>(hash >> (64 - bits));
}

} // namespace

std::size_t KeyGroups::probe(std::string_view key, std::uint64_t hash,
                             std::uint64_t prefix) const {
  const std::uint64_t tag = hash & 0xffffffff00000000ull;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t s = slot_of(hash, bits_);; s = (s + 1) & mask) {
    const std::uint64_t slot = slots_[s];
    if (slot == 0)
      return s;
    if ((slot & 0xffffffff00000000ull) != tag)
      continue;
    // Compared by the prefix and size kept with the key: a key of up to 8
    // bytes (most words) is never read again where it lies, a cache miss.
    const Key &k = keys_[(slot & 0xffffffffu) - 1];
    if (k.prefix == prefix && k.bytes.size() == key.size() &&
        (key.size() <= 8 ||
         std::memcmp(k.bytes.data() + 8, key.data() + 8, key.size() - 8) == 0))
      return s;
  }
}

std::uint32_t KeyGroups::find_or_add(std::string_view key, std::uint64_t hash) {
  const std::uint64_t prefix = key_prefix(key);
  const std::size_t s = probe(key, hash, prefix);
  if (slots_[s] != 0)
    return static_cast<std::uint32_t>((slots_[s] & 0xffffffffu) - 1);
  const auto id = static_cast<std::uint32_t>(keys_.size());
  keys_.push_back({key, prefix});
  slots_[s] = (hash & 0xffffffff00000000ull) | (std::uint64_t(id) + 1);
  if (keys_.size() * 2 > slots_.size())
    grow();
  return id;
}

void KeyGroups::grow() {
  std::vector<std::uint64_t> old(std::size_t(1) << (bits_ + 1), 0);
  old.swap(slots_);
  ++bits_;
  const std::size_t mask = slots_.size() - 1;
  for (std::uint64_t slot : old) {
    if (slot == 0)
      continue;
    const std::uint32_t id = static_cast<std::uint32_t>((slot & 0xffffffffu) - 1);
    const std::uint64_t hash = hash_bytes(keys_[id].bytes);
    std::size_t s = slot_of(hash, bits_);
    while (slots_[s] != 0)
      s = (s + 1) & mask;
    slots_[s] = slot;
  }
}

KeyCensus take_census(const std::vector<std::string_view> &runs) {
  KeyCensus census;
  DistinctCounter distinct;
  for (std::string_view run : runs)
    for_each_pair(run, [&](std::string_view k, std::string_view) {
      distinct.add(hash_bytes(k));
      ++census.pairs;
    });
  census.distinct_keys = census.pairs ? distinct.estimate() : 0;
  return census;
}

bool KeyGroups::group(const std::vector<std::string_view> &runs, const KeyCensus &census,
                      double min_pairs_per_key) {
  const std::size_t n = census.pairs;
  if (census.distinct_keys * min_pairs_per_key > static_cast<double>(n))
    return false;
  keys_.clear();
  sorted_.clear();
  values_.clear();
  // Slots for the keys counted (with a margin for the estimate's error),
  // at most half full: the table need not grow as it fills.
  const auto expected = static_cast<std::size_t>(census.distinct_keys * 1.1) + 16;
  bits_ = 10;
  while ((std::size_t(1) << bits_) < 2 * expected)
    ++bits_;
  slots_.assign(std::size_t(1) << bits_, 0);
  keys_.reserve(expected);
  ids_.resize(n);

  // Each pair's key number, and each key's count. Keys are hashed kAhead
  // pairs before they are looked up, and their slots prefetched: the table
  // is larger than the caches, and its miss was most of a pair's time.
  constexpr std::size_t kAhead = 8;
  struct Hashed {
    std::string_view key;
    std::uint64_t hash;
  };
  std::array<Hashed, kAhead> ahead;
  std::size_t i = 0, hashed = 0;
  auto look_up = [&](const Hashed &h) {
    const std::uint32_t id = find_or_add(h.key, h.hash);
    ++keys_[id].count;
    ids_[i++] = id;
  };
  for (std::string_view run : runs)
    for_each_pair(run, [&](std::string_view k, std::string_view) {
      const std::uint64_t hash = hash_bytes(k);
      __builtin_prefetch(slots_.data() + slot_of(hash, bits_));
      Hashed &h = ahead[hashed++ % kAhead];
      if (hashed > kAhead)
        look_up(h);
      h = {k, hash};
    });
  for (std::size_t j = hashed > kAhead ? hashed - kAhead : 0; j < hashed; ++j)
    look_up(ahead[j % kAhead]);

  sort_keys();
  std::uint64_t at = 0;
  for (const Sorted &s : sorted_) {
    Key &k = keys_[s.id];
    k.begin = k.next = at;
    at += k.count;
  }
  // The values into their keys' slices, in the order they came, each
  // compared with its key's previous value by their first bytes (the
  // values are read here in the order they lie in memory; later, in key
  // order, each would be a cache miss).
  values_.resize(n);
  i = 0;
  for (std::string_view run : runs)
    for_each_pair(run, [&](std::string_view, std::string_view v) {
      Key &k = keys_[ids_[i++]];
      const std::uint64_t prefix = key_prefix(v);
      if (k.next != k.begin) {
        // Equal first 8 bytes (zero-padded) and one value within them: it
        // is the start of the other, so the shorter is less. Both longer:
        // unknown until compared whole.
        if (prefix < k.last_prefix ||
            (prefix == k.last_prefix &&
             (v.size() < k.last_size || (v.size() > 8 && k.last_size > 8))))
          k.unsure = true;
      }
      k.last_prefix = prefix;
      k.last_size = v.size();
      values_[k.next++] = v;
    });
  for (Key &k : keys_) {
    if (!k.unsure)
      continue;
    auto *first = values_.data() + k.begin;
    auto *last = first + k.count;
    if (!std::is_sorted(first, last, bytes_less))
      std::sort(first, last, bytes_less);
    k.unsure = false;
  }
  return true;
}

void KeyGroups::sort_keys() {
  refs_.clear();
  refs_.reserve(keys_.size());
  for (const Key &k : keys_)
    refs_.push_back(make_ref(k.bytes, {}));
  radix_sort_refs(refs_, scratch_);
  // Each sorted key's number, found again by its hash (refs carry no room
  // for it, and a lookup a distinct key is little next to a pass of pairs).
  sorted_.resize(refs_.size());
  for (std::size_t r = 0; r < refs_.size(); ++r) {
    const std::string_view key = refs_[r].key;
    const std::uint64_t slot = slots_[probe(key, hash_bytes(key), key_prefix(key))];
    if (slot == 0)
      throw std::logic_error("KeyGroups: a sorted key is not in the table");
    sorted_[r] = {key, static_cast<std::uint32_t>((slot & 0xffffffffu) - 1)};
  }
}

void KeyGroups::release() {
  decltype(keys_)().swap(keys_);
  decltype(slots_)().swap(slots_);
  decltype(ids_)().swap(ids_);
  decltype(values_)().swap(values_);
  decltype(sorted_)().swap(sorted_);
  RefVector().swap(refs_);
  RefVector().swap(scratch_);
  bits_ = 0;
}

std::uint64_t KeyGroups::bytes() const {
  return keys_.capacity() * sizeof(Key) + slots_.capacity() * 8 + ids_.capacity() * 4 +
         values_.capacity() * sizeof(std::string_view) +
         sorted_.capacity() * sizeof(Sorted) +
         (refs_.capacity() + scratch_.capacity()) * sizeof(KeyValueRef);
}

} // namespace mr::core
