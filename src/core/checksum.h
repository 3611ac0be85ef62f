// src/core/checksum.h: XXH3-64 (Debian's libxxhash), the checksum of every
// committed checkpoint file, input chunk and output partition: a specified
// hash, stable across versions and
// machines, and faster than the disk that stores what it covers.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace mr::core {

/// XXH3-64 over several pieces, as if they were one buffer.
class Hasher {
public:
  Hasher() { XXH3_64bits_reset(&state_); }
  void update(std::string_view bytes) {
    XXH3_64bits_update(&state_, bytes.data(), bytes.size());
  }
  std::uint64_t digest() const { return XXH3_64bits_digest(&state_); }

private:
  XXH3_state_t state_;
};

inline std::uint64_t xxh3(std::string_view bytes) {
  return XXH3_64bits(bytes.data(), bytes.size());
}

inline std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

} // namespace mr::core
