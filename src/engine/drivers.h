// src/engine/drivers.h: `mapreduce run NAME` of a driver (include/mr/driver.h):
// the registry, and the context a driver runs its stages through.
#pragma once

#include <string>
#include <vector>

#include "engine/options.h"
#include "mr/driver.h"

namespace mr::engine {

/// The driver called `name`, or nullptr.
const JobEntry *find_driver(const std::string &name);
/// Every registered driver (its name, description and parameters).
std::vector<const JobEntry *> registered_drivers();

/// Runs the driver `o.job` on every rank; returns the exit code, the same on
/// every rank.
int run_driver(const RunOptions &o);

/// One stage as run_job runs it, its outcome learnt by every rank.
StageResult run_stage_options(const RunOptions &o);

} // namespace mr::engine
