// src/engine/options.h: everything `mapreduce run` is told.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mr/job.h"

namespace mr::engine {

struct RunOptions {
  /// The inputs as one text: "a.h5" or "a.h5, b.h5" (messages, reports).
  std::string input_list() const {
    std::string s;
    for (const std::string &i : inputs)
      s += (s.empty() ? "" : ", ") + i;
    return s;
  }

  std::string job;
  Params params;
  std::vector<std::string> inputs; // -i, in order (most jobs take one)
  std::string output;
  std::uint32_t reducers = 0;                // 0: four per worker (run.cpp)
  std::uint64_t split_size = 0;              // bytes of input per map task; 0: auto
  std::uint64_t round_bytes = 64ull << 20;   // shuffle bytes a rank sends per round
  std::string shuffle_send = "packed";       // or "datatypes" (comm/shuffle.h)
  std::uint64_t combine_bytes = 64ull << 20; // map-side combine table, per worker
  // Memory per rank for buffers that grow with the input (docs/performance.md, "Memory"):
  // nullopt: auto (half the node's memory shared by its workers); 0: no limit.
  std::optional<std::uint64_t> memory_limit;
  std::string scratch_dir; // spill files; empty: checkpoint or output folder
  bool overwrite = false;
  std::string report; // JSON report path, or empty
  bool quiet = false;
  double progress_seconds = 10; // between two progress lines in a log (not a terminal)

  // Recovery (see docs/failures.md).
  std::string checkpoint_dir; // commit work here; empty: no checkpoint
  bool resume = false;        // continue the checkpoint in checkpoint_dir
  bool restart_fresh = false; // discard the checkpoint in checkpoint_dir first
  bool keep_checkpoint = false;
  double task_timeout = 600;       // seconds without word from a rank, per 64 MiB
  bool backup_tasks = true;        // run backup copies of the last map tasks
  std::uint32_t task_attempts = 4; // a map task failing in job code: tries
  // Skip a record map fails on twice, up to this many (docs/failures.md);
  // nothing: never skip, results stay exact.
  std::optional<std::uint64_t> skip_bad_records;
};

/// Exit codes of `mapreduce run` (docs/failures.md, "Exit codes").
constexpr int kExitRefused = 1; // bad input or options: fix and run again
constexpr int kExitFailed = 3;  // failed while working (I/O error, full disk)

/// What a run did, as every rank learns it (for a driver that loops).
struct RunOutcome {
  int exit_code = 0;
  /// --resume found the output already complete: nothing ran, and the
  /// counters are those the output recorded.
  bool already_complete = false;
  std::uint64_t rows = 0;                        // of the output
  std::map<std::string, std::uint64_t> counters; // the job's, summed over ranks
  bool counters_recorded = true; // false: an output of an older build, without them
};

/// Runs a job on every rank of MPI_COMM_WORLD (rank 0 coordinates, the others
/// work; a single rank does both). Returns the process exit code, the same on
/// every rank. Problems with the user's input are reported once, by rank 0.
/// With `outcome`, every rank also learns the run's counters and rows.
int run_job(const RunOptions &options, RunOutcome *outcome = nullptr);

} // namespace mr::engine
