// src/core/partitioner.h: which reduce partition a key goes to. By hash
// (the default: balanced and stable) or by range (split points sampled from
// the input, so partition p holds only keys below partition p+1's).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash.h"

namespace mr::core {

class Partitioner {
public:
  /// Hash partitioning over `partitions` (> 0).
  explicit Partitioner(std::uint32_t partitions) : count_(partitions) {}
  /// Range partitioning: key k goes to the number of split points <= k, so
  /// there are split_points.size() + 1 partitions. Points must be sorted.
  explicit Partitioner(std::vector<std::string> split_points)
      : count_(static_cast<std::uint32_t>(split_points.size() + 1)), ranges_(true),
        points_(std::move(split_points)) {}

  std::uint32_t count() const { return count_; }
  bool by_range() const { return ranges_; }
  const std::vector<std::string> &split_points() const { return points_; }

  std::uint32_t of(std::string_view key) const {
    return ranges_ ? of_range(key) : partition_of(key, count_);
  }
  /// As `of`, when hash_bytes(key) is already known.
  std::uint32_t of_hashed(std::uint64_t hash, std::string_view key) const {
    return ranges_ ? of_range(key) : partition_of_hash(hash, count_);
  }

private:
  std::uint32_t of_range(std::string_view key) const {
    return static_cast<std::uint32_t>(
        std::upper_bound(points_.begin(), points_.end(), key,
                         [](std::string_view k, const std::string &p) { return k < p; }) -
        points_.begin());
  }

  std::uint32_t count_;
  bool ranges_ = false;
  std::vector<std::string> points_;
};

/// Split points for `partitions` ranges from a sample of keys: the sample's
/// quantiles, so each partition gets about the same share of the sample.
inline std::vector<std::string> split_points_from_sample(std::vector<std::string> sample,
                                                         std::uint32_t partitions) {
  std::sort(sample.begin(), sample.end());
  std::vector<std::string> points;
  if (sample.empty())
    return std::vector<std::string>(partitions - 1); // all keys >= "": last partition
  for (std::uint32_t i = 1; i < partitions; ++i)
    points.push_back(sample[std::uint64_t(i) * sample.size() / partitions]);
  return points;
}

} // namespace mr::core
