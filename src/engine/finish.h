// src/engine/finish.h: the last step of a run. Every rank sends rank 0 what
// it measured and counted; rank 0 reads the partial output back (rows per
// partition, the job's own summary), puts it under its final name, removes
// the checkpoint, then writes the report and the closing lines.
#pragma once

#include <string>
#include <vector>

#include "comm/comm.h"
#include "engine/options.h"
#include "engine/plan.h"
#include "engine/stage.h"
#include "engine/stats.h"

namespace mr::engine {

/// The run's shape for its report: options, ranks, partitions, input, tasks.
JobSummary summary_of(const RunOptions &o, const Plan &plan, int ranks, int workers);

/// Collective: gathers every worker's figures and counters into `summary`
/// on rank 0. Throws on failure.
void gather_results(const StageResult &stage, const comm::Comm &world,
                    JobSummary &summary, Timeline &timeline);

/// Rank 0, after gather_results: reads the partial output back, puts it
/// under its final name, removes the checkpoint (see above). Throws on
/// failure (an output that appeared meanwhile, a damaged partial file).
void commit_result(const RunOptions &o, const Plan &plan, const SharedPlan &shared,
                   const StageResult &stage, const MemoryBudget &budget,
                   JobSummary &summary, Timeline &timeline);

/// Rank 0: the report (--report) and the closing lines on stderr; returns
/// the exit code (kExitFailed when the report cannot be written).
int report_run(const RunOptions &o, JobSummary &summary);

/// Writes --report (if asked); false, having said why, when it cannot.
bool write_report(const RunOptions &o, const JobSummary &summary);

} // namespace mr::engine
