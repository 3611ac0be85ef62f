// src/engine/stage.h: one map-shuffle-reduce-write stage, on every rank: the
// workers take the partitions a checkpoint holds, map the tasks they are
// handed, shuffle, reduce and write their rows into the partial output; rank
// 0 coordinates (in a single-rank run, one process does both). A pipeline
// runs several stages in one launch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "comm/comm.h"
#include "engine/coordinator.h"
#include "engine/counters.h"
#include "engine/memory_budget.h"
#include "engine/options.h"
#include "engine/plan.h"
#include "engine/stats.h"

namespace mr::engine {

struct StageResult {
  WorkerStats stats;                   // this worker's (empty on the coordinator)
  CounterSums counters;                // this worker's accepted counter increments
  CoordinatorReport coordinated;       // rank 0
  std::uint64_t partitions_reused = 0; // taken from the checkpoint, all ranks
  bool map_needed = true;              // false: every partition was reused
};

/// Runs the stage; collective over `world`. `plan` is rank 0's (the others
/// pass an empty one), `shared` what every rank learnt of it. Throws on
/// failure; the caller ends the job.
StageResult run_stage(const RunOptions &o, const Plan &plan, const SharedPlan &shared,
                      const MemoryBudget &budget, const std::vector<std::string> &hosts,
                      const comm::Comm &world, Timeline &timeline);

} // namespace mr::engine
