// src/core/key_sort.h: sorting key/value views by key bytes, fast.
//
// Keys live scattered in arenas, so a comparison that reads them costs cache
// misses. Each entry carries the key's first 8 bytes as a big-endian number:
// comparing those numbers orders most pairs without touching the keys.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

namespace mr::core {

struct KeyValueRef {
  std::uint64_t prefix = 0; // first 8 key bytes, big-endian, zero-padded
  std::string_view key;
  std::string_view value;
};

inline std::uint64_t key_prefix(std::string_view key) {
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
/// full keys do), so only ties need the keys themselves.
inline bool key_less(const KeyValueRef &a, const KeyValueRef &b) {
  if (a.prefix != b.prefix)
    return a.prefix < b.prefix;
  return a.key < b.key;
}

/// Sorts by key; with `then_value`, equal keys by value bytes.
inline void sort_by_key(std::vector<KeyValueRef> &refs, bool then_value) {
  if (then_value)
    std::sort(refs.begin(), refs.end(), [](const KeyValueRef &a, const KeyValueRef &b) {
      if (a.prefix != b.prefix)
        return a.prefix < b.prefix;
      if (a.key != b.key)
        return a.key < b.key;
      return a.value < b.value;
    });
  else
    std::sort(refs.begin(), refs.end(), key_less);
}

} // namespace mr::core
