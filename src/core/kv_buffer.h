// src/core/kv_buffer.h: key/value pairs packed into one contiguous byte buffer.
//
// Each pair is `varint(key size) key varint(value size) value`. This is the
// format of map output, of shuffled data and (later) of checkpointed map
// output: one memcpy-able run of bytes, no per-pair allocation.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "core/bytes.h"

namespace mr::core {

/// Reads a varint at `p`, advancing it; throws if the buffer ends first.
inline std::uint64_t get_varint(const char *&p, const char *end) {
  std::uint64_t v = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    const auto byte = static_cast<unsigned char>(*p++);
    v |= std::uint64_t(byte & 0x7f) << shift;
    if (!(byte & 0x80))
      return v;
  }
  throw std::runtime_error("corrupt key/value buffer: truncated length");
}

/// Writes v as a varint at `p` (room for 10 bytes); returns the end.
inline char *write_varint(char *p, std::uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

inline void put_varint(std::vector<char> &out, std::uint64_t v) {
  char bytes[10];
  out.insert(out.end(), bytes, write_varint(bytes, v));
}

class KvBuffer {
public:
  /// Appends through one size check and inline copies (vector::insert cost
  /// a memmove call per key and per value: 4% of word count's map profile).
  void append(std::string_view key, std::string_view value) {
    char *p = write_varint(bytes_.extend(key.size() + value.size() + 20), key.size());
    copy_bytes(p, key.data(), key.size());
    p = write_varint(p + key.size(), value.size());
    copy_bytes(p, value.data(), value.size());
    bytes_.truncate(static_cast<std::size_t>(p + value.size() - bytes_.data()));
    ++pairs_;
  }
  std::string_view bytes() const { return {bytes_.data(), bytes_.size()}; }
  std::uint64_t pairs() const { return pairs_; }
  bool empty() const { return bytes_.size() == 0; }
  /// Memory held (at least bytes().size()).
  std::size_t capacity() const { return bytes_.capacity(); }
  /// Room for n bytes in all, so appends up to it neither copy nor move.
  void reserve(std::size_t n) { bytes_.reserve(n); }
  /// Gives back the memory beyond bytes() (growth by doubling leaves up to
  /// as much again), mostly in place.
  void shrink_to_fit() { bytes_.shrink_to_fit(); }
  /// Takes pairs already packed in this format (a checkpointed run).
  void assign(std::string_view packed, std::uint64_t pairs) {
    bytes_.clear();
    if (!packed.empty())
      std::memcpy(bytes_.extend(packed.size()), packed.data(), packed.size());
    pairs_ = pairs;
  }
  void clear() {
    bytes_.clear();
    pairs_ = 0;
  }

private:
  ByteArena bytes_;
  std::uint64_t pairs_ = 0;
};

/// Reads the pair at `p` (which must not pass `end`), advancing `p` past it;
/// throws if the pair is cut.
inline void read_pair(const char *&p, const char *end, std::string_view &key,
                      std::string_view &value) {
  const std::uint64_t klen = get_varint(p, end);
  if (klen > std::uint64_t(end - p))
    throw std::runtime_error("corrupt key/value buffer: key runs past end");
  key = std::string_view(p, klen);
  p += klen;
  const std::uint64_t vlen = get_varint(p, end);
  if (vlen > std::uint64_t(end - p))
    throw std::runtime_error("corrupt key/value buffer: value runs past end");
  value = std::string_view(p, vlen);
  p += vlen;
}

/// Calls f(key, value) for each pair packed in `bytes`; throws if a pair is cut.
template <class F> void for_each_pair(std::string_view bytes, F &&f) {
  const char *p = bytes.data();
  const char *end = p + bytes.size();
  std::string_view key, value;
  while (p < end) {
    read_pair(p, end, key, value);
    f(key, value);
  }
}

} // namespace mr::core
