// src/engine/plan.h: the first step of a run, on rank 0: check everything the
// user gave, fix the run's shape (reducers, split size: the checkpoint's or
// the finished output's on --resume), cut the input into map tasks, sample
// the split points of a range-partitioned job, fingerprint the job and open
// its checkpoint. What every rank needs of it travels as a SharedPlan.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/checkpoint.h"
#include "core/splitter.h"
#include "engine/crash_record.h"
#include "engine/memory_budget.h"
#include "engine/options.h"
#include "mr/job.h"

namespace mr::engine {

struct Plan {
  std::uint32_t reducers = 0;
  std::vector<core::Split> splits;
  std::uint64_t input_bytes = 0;
  std::uint64_t split_size = 0;
  double split_seconds = 0;
  std::vector<std::string> split_points; // range partitioning only
  double sample_seconds = 0;
  std::string fingerprint;    // XXH3 of the fingerprint's fields, hex
  bool already_done = false;  // --resume: the output is this job's, complete
  std::string run_id;         // names this run's temporary files
  std::string partial_output; // the output, until it is complete
  std::unique_ptr<ckpt::Checkpoint> checkpoint; // with its manifest; null: none
  std::vector<crash::Crash> crashes; // --resume: records that crashed ranks before
  /// The checkpoint's manifest (rank 0), or nullptr without a checkpoint.
  ckpt::Manifest *manifest() const {
    return checkpoint ? checkpoint->manifest() : nullptr;
  }
};

/// Checks everything the user gave and plans the run for `workers` workers
/// (rank 0). Throws io::InputError (or RefusedFile) for what the user must fix.
Plan plan_job(const RunOptions &o, int workers, const MemoryBudget &budget);

/// What every rank needs of the plan, sent by rank 0 as bytes.
struct SharedPlan {
  std::vector<std::string> split_points;
  std::string run_id, partial_output, fingerprint;
  std::string checkpoint_dir; // empty: no checkpoint
  std::uint32_t reducers = 0;
  std::uint64_t split_size = 0;
  std::map<std::uint32_t, ckpt::Commit> partitions; // committed before this run

  static SharedPlan of(const Plan &plan);
  std::string encode() const;
  static SharedPlan decode(std::string_view bytes);
};

/// The job's declared parameters with defaults filled in, and the job made
/// with them; both throw io::InputError for an unknown job or a bad parameter.
Params job_params(const RunOptions &o);
std::unique_ptr<Job> make_job(const RunOptions &o);
std::string describe_parameters(const Params &params, std::uint32_t reducers);

/// This rank's --memory-limit in bytes (0: none). Auto: half the node's
/// memory (the smallest of its physical memory, the cgroup's limit and
/// Slurm's allocation: engine/node_memory.h), shared by the workers on it
/// (the coordinator, rank 0, holds no pairs; a lone rank is a worker).
std::uint64_t memory_limit_of(const RunOptions &o, int workers_on_node);
/// Where that limit comes from, for the report.
std::string memory_limit_source(const RunOptions &o);

} // namespace mr::engine
