// include/mr/driver.h: jobs of several stages (an iteration, a chain), run
// in one MPI launch. A driver runs stages (each a whole `mapreduce run` of
// a registered job: checked, checkpointed, written and committed as one),
// reads their counters, and decides what to run next. PageRank is one
// (jobs/pagerank.cpp); docs/writing-a-job.md, "Drivers", shows how.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "mr/job.h"
#include "mr/registry.h"

namespace mr {

/// One stage: a registered job, its inputs, output and parameters.
struct Stage {
  std::string job;
  std::vector<std::string> inputs;
  std::string output;
  Params params;
};

/// What a stage did, the same on every rank.
struct StageResult {
  int exit_code = 0; ///< 0: done; otherwise the run's exit code
  /// Under --resume, its output was already complete (a relaunch after a
  /// failure): it did not run again, and `counters` are those its output
  /// recorded when it was written.
  bool already_complete = false;
  std::uint64_t rows = 0; ///< of its output
  std::map<std::string, std::uint64_t> counters;
  /// False only for an already complete output written by a build older
  /// than 2026-12-04, which did not record its counters.
  bool counters_known = true;

  std::uint64_t counter(const std::string &name) const {
    const auto it = counters.find(name);
    return it == counters.end() ? 0 : it->second;
  }
};

/// What a driver is given. Every rank runs the driver, and must take the
/// same decisions: base them on StageResults (the same on every rank).
class DriverContext {
public:
  virtual ~DriverContext() = default;
  /// The driver's own -i, -o and --param (with defaults filled in).
  virtual const std::vector<std::string> &inputs() const = 0;
  virtual const std::string &output() const = 0;
  virtual const Params &params() const = 0;
  virtual bool quiet() const = 0;
  virtual int rank() const = 0;
  /// Runs `stage` with the run's other flags (memory limit, split size,
  /// --overwrite, --resume, ...); with --checkpoint-dir DIR, it commits in
  /// DIR/`name`. Collective: every rank calls it, in the same order.
  virtual StageResult run(const Stage &stage, const std::string &name) = 0;
  /// A folder beside the output for intermediate outputs (OUTPUT.work),
  /// made when first asked; removed after the driver succeeds unless the
  /// run keeps its checkpoint (--keep-checkpoint).
  virtual std::string work_dir() = 0;
  /// Writes a small text file durably (rank 0; tmp, fsync, rename) and
  /// reads it back (every rank): what a driver must remember across a
  /// relaunch beyond its stages' outputs (their counters, say).
  virtual void save_text(const std::string &path, const std::string &text) = 0;
  virtual std::string load_text(const std::string &path) = 0;
};

/// A driver returns the exit code of the run (0: success).
using DriverFn = std::function<int(DriverContext &)>;

/// Makes a driver available to `mapreduce run NAME`. Returns true so it can
/// initialise a static. Throws on a duplicate name.
bool register_driver(std::string name, std::string description, ParamSpecs params,
                     DriverFn run);

#define MR_REGISTER_DRIVER(NAME, FUNCTION, DESCRIPTION, PARAMS)                          \
  [[maybe_unused]] static const bool mr_driver_registered_##FUNCTION =                   \
      ::mr::register_driver(NAME, DESCRIPTION, PARAMS, FUNCTION)

/// For a program of one's own (see examples/): MPI for the program's life.
class Launch {
public:
  Launch(int &argc, char **&argv);
  ~Launch();
  Launch(const Launch &) = delete;
  Launch &operator=(const Launch &) = delete;
  int rank() const;
};

/// In such a program: runs one stage given as the words that would follow
/// `mapreduce run` ({"wordcount", "-i", "in.h5", "-o", "out.h5"}).
/// Collective. Throws std::invalid_argument for words that do not parse.
StageResult run_stage(const std::vector<std::string> &words);

} // namespace mr
