// src/engine/merge_mode.h: how the engine merges the values of a job's equal
// keys (see Job::combine_sums_u64 and Job::combine_appends).
#pragma once

#include "core/combine_table.h"
#include "mr/job.h"

namespace mr::engine {

inline core::MergeMode merge_mode(const Job &job) {
  if (job.combine_sums_u64())
    return core::MergeMode::add_u64;
  if (job.combine_appends())
    return core::MergeMode::append;
  return core::MergeMode::call;
}

/// value = combine(key, value, more), for merges outside a combine table.
inline void merge_into(Job &job, core::MergeMode mode, std::string_view key,
                       std::string &value, std::string_view more, std::string &scratch) {
  if (mode == core::MergeMode::append) {
    value.append(more);
    return;
  }
  job.combine(key, value, more, scratch);
  value.swap(scratch);
}

} // namespace mr::engine
