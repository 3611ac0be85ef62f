// src/engine/coordinator.h: rank 0's part of a run. In the map phase it hands
// tasks to the workers that ask (mapping, or taking a task's committed output
// from the checkpoint), runs backup copies of the last tasks on idle workers,
// records every commit in the manifest, and aborts the job, naming the rank,
// when a worker stops answering. After the map phase it records the workers'
// committed partitions and watches them until all have written their rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ckpt/manifest.h"
#include "core/splitter.h"

namespace mr::engine {

/// Exit code of a run that a rank stopped answering (see --task-timeout).
constexpr int kExitHung = 4;

struct CoordinatorSetup {
  int workers = 0;                    // world ranks 1..workers
  std::vector<std::string> hosts;     // by world rank, for messages
  double task_timeout = 600;          // seconds, for a task of up to 64 MiB
  std::uint64_t bytes_per_worker = 0; // scales the deadline after the map phase
  bool backups = true;
  bool quiet = false;
  ckpt::Manifest *manifest = nullptr; // when checkpointing
};

struct CoordinatorReport {
  std::uint64_t tasks_mapped = 0;  // map copies accepted
  std::uint64_t tasks_reused = 0;  // taken from the checkpoint
  std::uint64_t tasks_damaged = 0; // checkpointed but unusable: mapped again
  std::uint64_t backups_started = 0;
  std::uint64_t backups_won = 0;
  std::uint64_t partitions_committed = 0;
};

/// Serves the whole run until every worker said it has finished: the map
/// phase, then the workers' partition commits and progress. `committed[t]`
/// is task t's manifest record when its output can be taken from the
/// checkpoint.
void coordinate(const std::vector<core::Split> &splits,
                const std::vector<std::optional<ckpt::Commit>> &committed,
                const CoordinatorSetup &setup, CoordinatorReport &report);

} // namespace mr::engine
