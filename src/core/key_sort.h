// src/core/key_sort.h: sorting key/value views by key bytes, fast.
//
// Keys live scattered in arenas, so a comparison that reads them costs cache
// misses. Each entry carries the key's first 8 bytes as a big-endian number:
// comparing those numbers orders most pairs without touching the keys.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace mr::core {

struct KeyValueRef {
  std::uint64_t prefix = 0; // first 8 key bytes, big-endian, zero-padded
  std::string_view key;
  std::string_view value;
};

inline std::uint64_t key_prefix(std::string_view key) {
  if (std::endian::native == std::endian::little && key.size() >= 8) {
    std::uint64_t v;
    std::memcpy(&v, key.data(), 8);
    return __builtin_bswap64(v);
  }
  std::uint64_t p = 0;
  const std::size_t n = std::min<std::size_t>(8, key.size());
  for (std::size_t i = 0; i < n; ++i)
    p |= std::uint64_t(static_cast<unsigned char>(key[i])) << (56 - 8 * i);
  return p;
}

inline KeyValueRef make_ref(std::string_view key, std::string_view value) {
  return {key_prefix(key), key, value};
}

/// Byte order of keys (as `LC_ALL=C sort`): equal prefixes mean the first
/// bytes agree (a shorter key is padded with zeros, and then compares as the
/// full keys do), so only ties need the keys themselves, and not even those
/// when both keys fit in the prefix: then the shorter one is less.
inline bool key_less(const KeyValueRef &a, const KeyValueRef &b) {
  if (a.prefix != b.prefix)
    return a.prefix < b.prefix;
  if (a.key.size() <= 8 && b.key.size() <= 8)
    return a.key.size() < b.key.size();
  return a.key < b.key;
}

/// a < b in byte order, through their prefixes as key_less does.
inline bool bytes_less(std::string_view a, std::string_view b) {
  const std::uint64_t pa = key_prefix(a), pb = key_prefix(b);
  if (pa != pb)
    return pa < pb;
  if (a.size() <= 8 && b.size() <= 8)
    return a.size() < b.size();
  return a < b;
}

inline bool same_key(const KeyValueRef &a, const KeyValueRef &b) {
  if (a.prefix != b.prefix || a.key.size() != b.key.size())
    return false;
  return a.key.size() <= 8 || a.key == b.key;
}

/// Sorts by key; with `then_value`, equal keys by value bytes. (Sorting
/// the values of each key afterwards, rather than comparing keys and values
/// in one pass, spares a key comparison per step when keys repeat a lot:
/// see bench/RESULTS.md, inverted-index.)
inline void sort_by_key(std::vector<KeyValueRef> &refs, bool then_value) {
  std::sort(refs.begin(), refs.end(), key_less);
  if (!then_value)
    return;
  for (auto group = refs.begin(); group != refs.end();) {
    auto end = group + 1;
    while (end != refs.end() && same_key(*group, *end))
      ++end;
    if (end - group > 1)
      std::sort(group, end, [](const KeyValueRef &a, const KeyValueRef &b) {
        return bytes_less(a.value, b.value);
      });
    group = end;
  }
}

} // namespace mr::core
