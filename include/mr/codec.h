// include/mr/codec.h: typed values as the byte strings the engine moves.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mr {

namespace detail {
/// An unsigned 64-bit integer as 8 bytes in a fixed byte order, whatever the
/// machine's; converts to a string_view valid as long as this object lives.
template <std::endian Order> class Fixed8 {
public:
  explicit Fixed8(std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
      bytes_[i] = static_cast<char>(
          (v >> (8 * (Order == std::endian::little ? i : 7 - i))) & 0xff);
  }
  operator std::string_view() const { return {bytes_, 8}; }

private:
  char bytes_[8];
};
} // namespace detail

/// 8 little-endian bytes: the uint64 values of counting jobs.
using U64Bytes = detail::Fixed8<std::endian::little>;
/// 8 big-endian bytes: byte order is numeric order, so it makes keys that
/// sort by number (input offsets, for example).
using SortableU64 = detail::Fixed8<std::endian::big>;

/// `out.emit(word, mr::u64_bytes(1))`
inline U64Bytes u64_bytes(std::uint64_t v) {
  return U64Bytes(v);
}
inline SortableU64 sortable_u64(std::uint64_t v) {
  return SortableU64(v);
}

/// Reads a value made by u64_bytes; throws if `bytes` is not 8 bytes long.
inline std::uint64_t read_u64(std::string_view bytes) {
  if (bytes.size() != 8)
    throw std::invalid_argument("mr::read_u64: value is not 8 bytes long");
  std::uint64_t v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, bytes.data(), 8); // the hot case: combining counts
  } else {
    for (int i = 7; i >= 0; --i)
      v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  }
  return v;
}

/// Reads a value made by sortable_u64; throws if `bytes` is not 8 bytes long.
inline std::uint64_t read_sortable_u64(std::string_view bytes) {
  if (bytes.size() != 8)
    throw std::invalid_argument("mr::read_sortable_u64: value is not 8 bytes long");
  std::uint64_t v = 0;
  for (unsigned char c : bytes)
    v = (v << 8) | c;
  return v;
}

// Lists of byte strings in one value: each string is a varint length then
// its bytes.

/// Appends `s` to the list in `list`.
inline void append_string(std::string &list, std::string_view s) {
  std::uint64_t n = s.size();
  while (n >= 0x80) {
    list.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  list.push_back(static_cast<char>(n));
  list.append(s);
}

/// Reads the string at `at` of a list made by append_string and moves `at`
/// past it; throws std::invalid_argument if the list is cut.
inline std::string_view read_string(std::string_view list, std::size_t &at) {
  std::uint64_t n = 0;
  for (int shift = 0;; shift += 7) {
    if (at >= list.size() || shift > 63)
      throw std::invalid_argument("mr::read_string: cut or corrupt list");
    const auto byte = static_cast<unsigned char>(list[at++]);
    n |= std::uint64_t(byte & 0x7f) << shift;
    if (!(byte & 0x80))
      break;
  }
  if (n > list.size() - at)
    throw std::invalid_argument("mr::read_string: cut or corrupt list");
  at += n;
  return list.substr(at - n, n);
}

/// Calls f(string) for each string of a list made by append_string.
template <class F> void for_each_string(std::string_view list, F &&f) {
  for (std::size_t at = 0; at < list.size();)
    f(read_string(list, at));
}

/// Merges two lists whose strings are in strictly increasing byte order into
/// `merged`, dropping duplicates: the union of two sorted sets (a combine for
/// jobs whose values are sets).
inline void merge_sorted_sets(std::string_view a, std::string_view b,
                              std::string &merged) {
  merged.clear();
  std::size_t ia = 0, ib = 0;
  std::string_view x, y;
  bool hx = ia < a.size(), hy = ib < b.size();
  if (hx)
    x = read_string(a, ia);
  if (hy)
    y = read_string(b, ib);
  while (hx || hy) {
    const bool take_x = hx && (!hy || x <= y);
    const bool take_y = hy && (!hx || y <= x);
    append_string(merged, take_x ? x : y);
    if (take_x && (hx = ia < a.size()))
      x = read_string(a, ia);
    if (take_y && (hy = ib < b.size()))
      y = read_string(b, ib);
  }
}

} // namespace mr
