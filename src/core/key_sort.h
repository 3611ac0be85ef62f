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

#include "core/big_memory.h"

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

/// Refs in memory for large buffers (core/big_memory.h): millions of them.
using RefVector = std::vector<KeyValueRef, BigAllocator<KeyValueRef>>;

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

namespace detail {

/// Below this many refs a comparison sort of a range is cheaper than a pass.
constexpr std::size_t kSmallRange = 48;

/// key_less for refs whose keys share their first `skip` bytes and whose
/// prefixes hold the 8 bytes after those.
inline bool key_less_from(const KeyValueRef &a, const KeyValueRef &b, std::size_t skip) {
  if (a.prefix != b.prefix)
    return a.prefix < b.prefix;
  if (a.key.size() <= skip + 8 && b.key.size() <= skip + 8)
    return a.key.size() < b.key.size();
  return a.key < b.key;
}

inline void radix_sort(KeyValueRef *data, KeyValueRef *scratch, std::size_t n,
                       std::size_t skip, int byte, bool data_is_home);

/// The refs of a range whose prefixes (8 bytes after `skip`) are all equal:
/// the keys that end within those bytes differ only in length and come
/// first, shortest first (each is the start of the longer ones); the others
/// share skip + 8 bytes and are sorted by the next 8, loaded from the keys
/// once (text has many: 403 k of 755 k words of Debian's docs share their
/// first 8 bytes with another: paths, URLs, options).
inline void sort_equal_prefixes(KeyValueRef *data, KeyValueRef *scratch, std::size_t n,
                                std::size_t skip, bool data_is_home) {
  KeyValueRef *longer = std::partition(
      data, data + n, [&](const KeyValueRef &r) { return r.key.size() <= skip + 8; });
  std::sort(data, longer, [](const KeyValueRef &a, const KeyValueRef &b) {
    return a.key.size() < b.key.size();
  });
  const std::size_t shorter = static_cast<std::size_t>(longer - data);
  if (!data_is_home)
    std::copy(data, longer, scratch);
  const std::size_t rest = n - shorter;
  if (rest < kSmallRange) {
    std::sort(longer, data + n,
              [](const KeyValueRef &a, const KeyValueRef &b) { return a.key < b.key; });
    if (!data_is_home)
      std::copy(longer, data + n, scratch + shorter);
    return;
  }
  for (KeyValueRef *r = longer; r != data + n; ++r)
    r->prefix = key_prefix(r->key.substr(skip + 8));
  radix_sort(longer, scratch + shorter, rest, skip + 8, 0, data_is_home);
  // Back to the keys' own first 8 bytes (same_key compares them).
  KeyValueRef *home = (data_is_home ? data : scratch) + shorter;
  for (KeyValueRef *r = home; r != home + rest; ++r)
    r->prefix = key_prefix(r->key);
}

/// Most significant digit first radix sort of n refs whose keys share their
/// first `skip` bytes, by their prefixes' bytes from `byte` on (the bytes
/// before are equal within the range), out of place: the refs are in
/// `data`, and `scratch` is as large. Each pass moves them to the other
/// array, so the sorted refs must end in `data` if `data_is_home`, else in
/// `scratch`.
inline void radix_sort(KeyValueRef *data, KeyValueRef *scratch, std::size_t n,
                       std::size_t skip, int byte, bool data_is_home) {
  if (n < kSmallRange) {
    std::sort(data, data + n, [skip](const KeyValueRef &a, const KeyValueRef &b) {
      return key_less_from(a, b, skip);
    });
    if (!data_is_home)
      std::copy(data, data + n, scratch);
    return;
  }
  if (byte == 8)
    return sort_equal_prefixes(data, scratch, n, skip, data_is_home);
  const int shift = 56 - 8 * byte;
  std::size_t count[256] = {};
  for (std::size_t i = 0; i < n; ++i)
    ++count[(data[i].prefix >> shift) & 0xff];
  for (std::size_t d = 0; d < 256; ++d)
    if (count[d] == n) // one digit: nothing to move at this byte
      return radix_sort(data, scratch, n, skip, byte + 1, data_is_home);
  std::size_t start[256];
  std::size_t at = 0;
  for (std::size_t d = 0; d < 256; ++d) {
    start[d] = at;
    at += count[d];
  }
  std::size_t next[256];
  std::copy(start, start + 256, next);
  for (std::size_t i = 0; i < n; ++i)
    scratch[next[(data[i].prefix >> shift) & 0xff]++] = data[i];
  // The refs now live in scratch, `data` is the next byte's scratch space,
  // and home flips.
  for (std::size_t d = 0; d < 256; ++d)
    if (count[d] > 0)
      radix_sort(scratch + start[d], data + start[d], count[d], skip, byte + 1,
                 !data_is_home);
}

} // namespace detail

/// Sorts refs by key_less: a radix sort on the 8-byte prefixes (each pass
/// moves the refs once, where a comparison sort of 755 k keys took ~20
/// comparisons each and 0.15-0.2 s), std::sort for small ranges and ties.
/// `scratch` is working space, kept by a caller that sorts again (memory
/// touched for the first time costs more than the sort: bench/RESULTS.md).
inline void radix_sort_refs(RefVector &refs, RefVector &scratch) {
  scratch.resize(refs.size());
  detail::radix_sort(refs.data(), scratch.data(), refs.size(), 0, 0, true);
}

/// Sorts by key; with `then_value`, equal keys by value bytes. (Sorting
/// the values of each key afterwards, rather than comparing keys and values
/// in one pass, spares a key comparison per step when keys repeat a lot:
/// see bench/RESULTS.md, inverted-index.)
inline void sort_by_key(RefVector &refs, bool then_value, RefVector &scratch) {
  radix_sort_refs(refs, scratch);
  if (!then_value)
    return;
  for (auto group = refs.begin(); group != refs.end();) {
    auto end = group + 1;
    while (end != refs.end() && same_key(*group, *end))
      ++end;
    auto by_value = [](const KeyValueRef &a, const KeyValueRef &b) {
      return bytes_less(a.value, b.value);
    };
    // Values often come in order already (word count's "1"s, a sorted
    // input): a pass that checks costs less than a sort of them.
    if (end - group > 1 && !std::is_sorted(group, end, by_value))
      std::sort(group, end, by_value);
    group = end;
  }
}

/// The same with working space of its own.
inline void sort_by_key(RefVector &refs, bool then_value) {
  RefVector scratch;
  sort_by_key(refs, then_value, scratch);
}

} // namespace mr::core
