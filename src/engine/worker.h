// src/engine/worker.h: what a worker rank does: map the tasks it is handed
// (or take their output from the checkpoint), shuffle with the other
// workers, reduce its partitions (or take them from the checkpoint), write
// its rows. With a checkpoint folder, every task's and partition's output is
// committed before it is reported.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ckpt/checkpoint.h"
#include "ckpt/manifest.h"
#include "comm/comm.h"
#include "comm/control.h"
#include "core/partitioner.h"
#include "core/splitter.h"
#include "engine/coordinator.h"
#include "engine/counters.h"
#include "engine/memory_budget.h"
#include "engine/options.h"
#include "engine/stats.h"
#include "io/input.h"
#include "io/input_error.h"
#include "io/output_file.h"
#include "mr/job.h"

namespace mr::engine {

struct TaskToDo {
  comm::TaskKind kind = comm::TaskKind::map;
  core::Split split;
  std::optional<ckpt::Commit> commit; // load: what the manifest says of the task
  std::vector<std::uint64_t> skip;    // records not to map (--skip-bad-records)
  bool isolate = false;               // narrow a failure down to a record
  bool backup = false;                // a backup copy (for the report)
};

/// Where a worker gets its next map task from, and whom it tells what it
/// committed.
class TaskSource {
public:
  virtual ~TaskSource() = default;
  /// Reports how the last task went (`report`) and returns the next task, or
  /// nothing when the map phase is over for this worker. A `failed` report
  /// does not return: the error is raised once for the whole job. `accepted` says
  /// whether the reported output is the one kept (a backup may have won).
  virtual std::optional<TaskToDo> next(const comm::WorkerMessage &report,
                                       bool &accepted) = 0;
  /// Whether the task being mapped was cancelled (another copy won).
  virtual bool cancelled(std::uint32_t task) = 0;
  /// A reduce partition was committed.
  virtual void committed(const ckpt::Commit &partition) = 0;
  /// What it does during the map (narrowing a failure down to a record).
  virtual void progress(const std::string &what) = 0;
  /// Where it is after the map: `amount` of `of` done in `phase` (bytes
  /// received in the shuffle, partitions reduced), `what` for messages.
  virtual void phase(Phase phase, const std::string &what, std::uint64_t amount,
                     std::uint64_t of) = 0;
  virtual void finished() = 0;
  /// Receives cancellations sent after this worker's last task ended.
  virtual void drain_cancellations() {}
};

/// Tasks from the coordinator on world rank 0.
class RemoteTaskSource : public TaskSource {
public:
  std::optional<TaskToDo> next(const comm::WorkerMessage &report,
                               bool &accepted) override;
  bool cancelled(std::uint32_t task) override;
  void committed(const ckpt::Commit &partition) override;
  void progress(const std::string &what) override;
  void phase(Phase phase, const std::string &what, std::uint64_t amount,
             std::uint64_t of) override;
  void finished() override;
  void drain_cancellations() override;

private:
  comm::ControlClient client_;
};

/// Tasks for a single-rank run: the same coordinator as over MPI, in
/// process, with one worker and no deadlines.
class LocalTaskSource : public TaskSource {
public:
  LocalTaskSource(const std::vector<core::Split> &splits,
                  const std::vector<std::optional<ckpt::Commit>> &committed,
                  const CoordinatorSetup &setup);
  std::optional<TaskToDo> next(const comm::WorkerMessage &report,
                               bool &accepted) override;
  bool cancelled(std::uint32_t) override { return false; }
  void committed(const ckpt::Commit &partition) override;
  void progress(const std::string &what) override;
  void phase(Phase phase, const std::string &what, std::uint64_t amount,
             std::uint64_t of) override;
  void finished() override;
  const CoordinatorReport &report() const { return report_; }

private:
  void send(comm::WorkerMessage m);

  CoordinatorReport report_;
  comm::LocalChannel channel_;
  Coordinator coordinator_;
};

struct WorkerPlan {
  const RunOptions *options = nullptr;
  const core::Partitioner *partitioner = nullptr; // R = partitioner->count()
  std::string partial_output; // written here, renamed by rank 0 on success
  io::OutputMeta meta;
  const ckpt::Checkpoint *checkpoint = nullptr; // when checkpointing
  MemoryBudget budget;                          // of --memory-limit
  std::string scratch_dir;                      // spill files go here
  Timeline *timeline = nullptr;                 // phases are recorded here
};

/// Partitions a worker takes from the checkpoint instead of reducing them
/// (checked before the shuffle, loaded in their turn in the reduce phase).
struct ReusedPartitions {
  std::map<std::uint32_t, ckpt::Commit> commits;
};

/// Checks the committed partitions this worker owns; a damaged one is
/// reported on stderr and left out (it is reduced again).
ReusedPartitions
load_committed_partitions(const std::map<std::uint32_t, ckpt::Commit> &committed,
                          const ckpt::Checkpoint &checkpoint, core::PartitionRange mine,
                          bool quiet);

/// Runs the worker's part of the job; collective over `workers`.
/// `reused[p]` is true for every partition some worker took from the
/// checkpoint: those are neither shuffled nor reduced.
WorkerStats run_worker(Job &job, const WorkerPlan &plan, const comm::Comm &workers,
                       TaskSource &tasks, const io::Input &input,
                       const std::vector<bool> &reused, ReusedPartitions &mine_reused,
                       CounterSums &counters);

} // namespace mr::engine
