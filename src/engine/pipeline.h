// src/engine/pipeline.h: several runs in one MPI launch (docs/running.md,
// "Pipelines"). Every stage is a whole `run` (planned, checked, written,
// committed as one); the launch, and the queue wait before it, are paid once.
#pragma once

#include <string>
#include <vector>

#include "engine/options.h"

namespace mr::engine {

struct PipelineOptions {
  /// Every stage commits into a folder of its own here (stage-1, stage-2,
  /// ...); empty: no checkpoint.
  std::string checkpoint_dir;
  bool resume = false, restart_fresh = false, keep_checkpoint = false;
  /// Keep the outputs that later stages read (removed once the whole
  /// pipeline has succeeded, otherwise).
  bool keep_intermediates = false;
  bool quiet = false;
};

/// The outputs that a later stage reads, in stage order.
std::vector<std::string> intermediates(const std::vector<RunOptions> &stages);

/// Runs `stages` in order, on every rank (collective); stops at the first
/// that fails, with its exit code, the same on every rank.
int run_pipeline(std::vector<RunOptions> stages, const PipelineOptions &p);

} // namespace mr::engine
