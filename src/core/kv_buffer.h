// src/core/kv_buffer.h: key/value pairs packed into one contiguous byte buffer.
//
// Each pair is `varint(key size) key varint(value size) value`. This is the
// format of map output, of shuffled data and (later) of checkpointed map
// output: one memcpy-able run of bytes, no per-pair allocation.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace mr::core {

inline void put_varint(std::vector<char> &out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

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

class KvBuffer {
public:
  void append(std::string_view key, std::string_view value) {
    put_varint(bytes_, key.size());
    bytes_.insert(bytes_.end(), key.begin(), key.end());
    put_varint(bytes_, value.size());
    bytes_.insert(bytes_.end(), value.begin(), value.end());
    ++pairs_;
  }
  std::string_view bytes() const { return {bytes_.data(), bytes_.size()}; }
  std::uint64_t pairs() const { return pairs_; }
  bool empty() const { return bytes_.empty(); }
  /// Memory held (at least bytes().size()).
  std::size_t capacity() const { return bytes_.capacity(); }
  /// Takes pairs already packed in this format (a checkpointed run).
  void assign(std::string_view packed, std::uint64_t pairs) {
    bytes_.assign(packed.begin(), packed.end());
    pairs_ = pairs;
  }
  void clear() {
    bytes_.clear();
    pairs_ = 0;
  }

private:
  std::vector<char> bytes_;
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
