// src/core/key_groups.cpp: see key_groups.h.
#include "core/key_groups.h"

#include <algorithm>
#include <stdexcept>

#include "core/hash.h"
#include "core/kv_buffer.h"

namespace mr::core {

namespace {

/// Pairs looked at before deciding whether keys repeat enough.
constexpr std::size_t kProbe = 1 << 16;

/// A partition's keys share their hash modulo the partition count: slots
/// are chosen by the hash's high bits.
std::size_t slot_of(std::uint64_t hash, int bits) {
  return static_cast<std::size_t>(hash >> (64 - bits));
}

} // namespace

std::size_t KeyGroups::probe(std::string_view key, std::uint64_t hash) const {
  const std::uint64_t tag = hash & 0xffffffff00000000ull;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t s = slot_of(hash, bits_);; s = (s + 1) & mask) {
    const std::uint64_t slot = slots_[s];
    if (slot == 0 || ((slot & 0xffffffff00000000ull) == tag &&
                      keys_[(slot & 0xffffffffu) - 1].bytes == key))
      return s;
  }
}

std::uint32_t KeyGroups::find_or_add(std::string_view key, std::uint64_t hash) {
  const std::size_t s = probe(key, hash);
  if (slots_[s] != 0)
    return static_cast<std::uint32_t>((slots_[s] & 0xffffffffu) - 1);
  const auto id = static_cast<std::uint32_t>(keys_.size());
  keys_.push_back({key});
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

bool KeyGroups::group(const std::vector<std::string_view> &runs, std::size_t n) {
  keys_.clear();
  sorted_.clear();
  values_.clear();
  // As many slots as the last partition needed: partitions are alike.
  bits_ = std::max(bits_, 10);
  slots_.assign(std::size_t(1) << bits_, 0);
  ids_.resize(n);

  // Each pair's key number, and each key's count. Once kProbe pairs (or all)
  // are seen, mostly distinct keys mean a sort of the pairs is cheaper.
  const std::size_t probe = std::min(n, kProbe);
  std::size_t i = 0;
  bool distinct = false;
  for (std::string_view run : runs) {
    for_each_pair(run, [&](std::string_view k, std::string_view) {
      if (distinct)
        return;
      const std::uint32_t id = find_or_add(k, hash_bytes(k));
      ++keys_[id].count;
      ids_[i++] = id;
      if (i == probe && keys_.size() * 2 > probe)
        distinct = true;
    });
    if (distinct)
      return false;
  }

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
    const std::uint64_t slot = slots_[probe(key, hash_bytes(key))];
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
