// src/engine/sample.h: split points for range partitioning, from the keys
// that the job's map emits for a sample of the input's records (rank 0).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/input.h"
#include "mr/job.h"

namespace mr::engine {

struct SampleResult {
  std::vector<std::string> split_points; // partitions - 1 of them, sorted
  std::uint64_t records_sampled = 0;
  std::uint64_t keys_sampled = 0;
};

/// Maps about max(10000, 100 x partitions) records, chosen at seeded-random
/// positions (the same every run), and takes the quantiles of the keys.
SampleResult sample_split_points(Job &job, const io::Input &input,
                                 std::uint32_t partitions);

} // namespace mr::engine
