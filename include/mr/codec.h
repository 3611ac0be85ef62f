// include/mr/codec.h: turning typed values into the byte strings the engine moves.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace mr {

/// An unsigned 64-bit integer as 8 little-endian bytes; converts to a
/// string_view that stays valid as long as this object lives.
class U64Bytes {
public:
  explicit U64Bytes(std::uint64_t v) {
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(bytes_, &v, 8);
    } else {
      for (int i = 0; i < 8; ++i)
        bytes_[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    }
  }
  operator std::string_view() const { return {bytes_, 8}; }

private:
  char bytes_[8];
};

/// `out.emit(word, mr::u64_bytes(1))`
inline U64Bytes u64_bytes(std::uint64_t v) {
  return U64Bytes(v);
}

/// Reads a value made by u64_bytes; throws if `bytes` is not 8 bytes long.
inline std::uint64_t read_u64(std::string_view bytes) {
  if (bytes.size() != 8)
    throw std::invalid_argument("mr::read_u64: value is not 8 bytes long");
  std::uint64_t v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, bytes.data(), 8);
  } else {
    for (int i = 7; i >= 0; --i)
      v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  }
  return v;
}

} // namespace mr
