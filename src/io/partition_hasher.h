// src/io/partition_hasher.h: a partition's checksum in the output file (see
// output_file.h), built from four streams fed piece by piece.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "core/checksum.h"

namespace mr::io {

class PartitionHasher {
public:
  void keys(std::string_view bytes) { k_.update(bytes); }
  void values(std::string_view bytes) { v_.update(bytes); }
  /// Offsets `o[0..n)`, made relative to the partition's first offset.
  void key_offsets(const std::uint64_t *o, std::size_t n, std::uint64_t base) {
    rebased(ko_, o, n, base);
  }
  void value_offsets(const std::uint64_t *o, std::size_t n, std::uint64_t base) {
    rebased(vo_, o, n, base);
  }
  std::uint64_t digest() const {
    const std::uint64_t parts[4] = {k_.digest(), ko_.digest(), v_.digest(), vo_.digest()};
    return core::xxh3({reinterpret_cast<const char *>(parts), sizeof parts});
  }

private:
  static void rebased(core::Hasher &h, const std::uint64_t *o, std::size_t n,
                      std::uint64_t base) {
    std::uint64_t batch[512];
    for (std::size_t i = 0; i < n;) {
      const std::size_t m = std::min<std::size_t>(512, n - i);
      for (std::size_t j = 0; j < m; ++j)
        batch[j] = o[i + j] - base;
      h.update({reinterpret_cast<const char *>(batch), m * 8});
      i += m;
    }
  }
  core::Hasher k_, ko_, v_, vo_;
};

} // namespace mr::io
