// src/engine/worker.h: what a worker rank does: map the tasks it is handed,
// shuffle with the other workers, reduce its partitions, write its rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "comm/comm.h"
#include "core/partitioner.h"
#include "core/splitter.h"
#include "engine/options.h"
#include "engine/stats.h"
#include "io/input_file.h"
#include "io/output_file.h"
#include "mr/job.h"

namespace mr::engine {

/// Where a worker gets its next map task from.
class TaskSource {
public:
  virtual ~TaskSource() = default;
  /// Reports `completed` (a task id, or -1) and returns the next task, or
  /// nothing when the map phase is over for this worker.
  virtual std::optional<core::Split> next(std::int64_t completed) = 0;
};

/// Tasks from the coordinator on world rank 0.
class RemoteTaskSource : public TaskSource {
public:
  std::optional<core::Split> next(std::int64_t completed) override;
};

/// Tasks from a list, for a single-rank run.
class LocalTaskSource : public TaskSource {
public:
  explicit LocalTaskSource(std::vector<core::Split> splits)
      : splits_(std::move(splits)) {}
  std::optional<core::Split> next(std::int64_t completed) override;

private:
  std::vector<core::Split> splits_;
  std::size_t next_ = 0;
};

struct WorkerPlan {
  const RunOptions *options = nullptr;
  const core::Partitioner *partitioner = nullptr; // R = partitioner->count()
  std::string partial_output; // written here, renamed by rank 0 on success
  io::OutputMeta meta;
};

/// Runs the worker's part of the job; collective over `workers`.
WorkerStats run_worker(Job &job, const WorkerPlan &plan, const comm::Comm &workers,
                       TaskSource &tasks, const io::InputFile &input);

} // namespace mr::engine
