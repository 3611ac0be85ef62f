// src/core/partitioner.h: which reduce partition a key goes to. By hash
// (the default: balanced and stable), by range (split points sampled from
// the input, so partition p holds only keys below partition p+1's), or by a
// job's own rule.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <stdexcept>
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
      : count_(static_cast<std::uint32_t>(split_points.size() + 1)), mode_(Mode::range),
        points_(std::move(split_points)) {}
  /// A rule of the job's: `rule(key)` must be below `partitions`.
  using Rule = std::function<std::uint32_t(std::string_view key)>;
  Partitioner(std::uint32_t partitions, Rule rule)
      : count_(partitions), mode_(Mode::rule), rule_(std::move(rule)) {}

  std::uint32_t count() const { return count_; }
  bool by_range() const { return mode_ == Mode::range; }
  const std::vector<std::string> &split_points() const { return points_; }

  std::uint32_t of(std::string_view key) const {
    return mode_ == Mode::hash ? partition_of(key, count_) : of_key(key);
  }
  /// As `of`, when hash_bytes(key) is already known (the map's hot path:
  /// hashing is one test away).
  std::uint32_t of_hashed(std::uint64_t hash, std::string_view key) const {
    return mode_ == Mode::hash ? partition_of_hash(hash, count_) : of_key(key);
  }

private:
  enum class Mode { hash, range, rule };

  std::uint32_t of_key(std::string_view key) const {
    if (mode_ == Mode::range)
      return of_range(key);
    const std::uint32_t p = rule_(key);
    if (p >= count_)
      throw std::runtime_error(
          "the job's partition() put key '" + std::string(key.substr(0, 64)) +
          "' in partition " + std::to_string(p) + " of " + std::to_string(count_) +
          " (partitions are 0 to " + std::to_string(count_ - 1) + ")");
    return p;
  }

  std::uint32_t of_range(std::string_view key) const {
    return static_cast<std::uint32_t>(
        std::upper_bound(points_.begin(), points_.end(), key,
                         [](std::string_view k, const std::string &p) { return k < p; }) -
        points_.begin());
  }

  std::uint32_t count_;
  Mode mode_ = Mode::hash;
  std::vector<std::string> points_;
  Rule rule_;
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
