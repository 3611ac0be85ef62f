// src/engine/stage.cpp: see stage.h.
#include "engine/stage.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "ckpt/checkpoint.h"
#include "ckpt/durable_file.h"
#include "core/partitioner.h"
#include "engine/crash_record.h"
#include "engine/worker.h"
#include "io/input.h"
#include "io/output_file.h"
#include "mr/job.h"

namespace mr::engine {

namespace {

const char *export_format_name(ExportFormat f) {
  switch (f) {
  case ExportFormat::value_lines:
    return "value_lines";
  case ExportFormat::raw_keys:
    return "raw_keys";
  case ExportFormat::ranked:
    return "ranked";
  default:
    return "key_tab_value";
  }
}

/// What the output file says of the run that made it.
io::OutputMeta output_meta(const RunOptions &o, const Job &job,
                           const SharedPlan &shared) {
  io::OutputMeta meta;
  meta.job = o.job;
  meta.parameters = describe_parameters(job_params(o), shared.reducers);
  meta.input = o.input_list();
  meta.reducers = shared.reducers;
  meta.uint64_values = job.output_value_type() == ValueType::uint64;
  meta.export_format = export_format_name(job.export_format());
  meta.partitioning = job.partitioning() == Partitioning::range    ? "range"
                      : job.partitioning() == Partitioning::custom ? "custom"
                                                                   : "hash";
  meta.fingerprint = shared.fingerprint;
  meta.split_size = shared.split_size;
  return meta;
}

/// Says on rank 0 what a resume reuses and what it does again.
void tell_resume(const RunOptions &o, const Plan &plan,
                 const std::vector<std::optional<ckpt::Commit>> &committed_tasks,
                 std::uint64_t partitions_reused, bool map_needed) {
  const ckpt::Manifest *manifest = plan.manifest();
  if (!manifest || !manifest->resumed() || o.quiet)
    return;
  const std::size_t tasks_committed = static_cast<std::size_t>(
      std::count_if(committed_tasks.begin(), committed_tasks.end(),
                    [](auto &c) { return c.has_value(); }));
  if (map_needed)
    std::fprintf(stderr,
                 "resume: reusing %zu of %zu map task(s) and %llu of %u "
                 "partition(s) from '%s'; mapping %zu task(s) and reducing %llu "
                 "partition(s)\n",
                 tasks_committed, plan.splits.size(),
                 static_cast<unsigned long long>(partitions_reused), plan.reducers,
                 plan.checkpoint->dir().c_str(), plan.splits.size() - tasks_committed,
                 static_cast<unsigned long long>(plan.reducers - partitions_reused));
  else
    std::fprintf(stderr,
                 "resume: reusing all %u partition(s) from '%s': no map, shuffle or "
                 "reduce\n",
                 plan.reducers, plan.checkpoint->dir().c_str());
  if (manifest->damaged_records())
    std::fprintf(stderr, "resume: %zu damaged manifest record(s) ignored\n",
                 manifest->damaged_records());
}

/// Partitions committed by an earlier run: their owners check them now, and
/// every rank learns which ones need no shuffle or reduce.
struct Reused {
  ReusedPartitions here;   // this worker's, checked
  std::vector<bool> every; // by partition, over all workers
};
Reused reused_partitions(const RunOptions &o, const SharedPlan &shared,
                         const ckpt::Checkpoint *checkpoint, bool is_worker,
                         const comm::Comm &world, const comm::Comm &worker_comm) {
  Reused r;
  if (is_worker && checkpoint)
    r.here = load_committed_partitions(shared.partitions, *checkpoint,
                                       core::partitions_of_worker(worker_comm.rank(),
                                                                  worker_comm.size(),
                                                                  shared.reducers),
                                       o.quiet);
  std::vector<std::uint64_t> ids;
  for (const auto &[p, commit] : r.here.commits)
    ids.push_back(p);
  r.every.assign(shared.reducers, false);
  for (std::uint64_t p : world.all_gather(ids))
    r.every[p] = true;
  return r;
}

/// Map tasks committed by an earlier run, by task id: handed out to be loaded.
std::vector<std::optional<ckpt::Commit>> committed_map_tasks(const Plan &plan) {
  std::vector<std::optional<ckpt::Commit>> committed(plan.splits.size());
  if (plan.checkpoint)
    for (const auto &[t, c] : plan.checkpoint->manifest()->maps())
      if (t < committed.size())
        committed[t] = c;
  return committed;
}

CoordinatorSetup coordinator_setup(const RunOptions &o, const Plan &plan, int workers,
                                   const std::vector<std::string> &hosts, bool single) {
  CoordinatorSetup setup;
  setup.workers = workers;
  setup.hosts = hosts;
  setup.task_timeout = o.task_timeout;
  setup.bytes_per_worker = plan.input_bytes / workers;
  setup.backups = o.backup_tasks && !single;
  setup.task_attempts = o.task_attempts;
  setup.skip_bad_records = o.skip_bad_records;
  setup.crashes = plan.crashes;
  setup.deadlines = !single; // a single rank has no other to watch
  setup.quiet = o.quiet;
  setup.manifest = plan.manifest();
  setup.progress_out = stderr;
  setup.progress_redraw = ::isatty(STDERR_FILENO) == 1;
  setup.progress_seconds = o.progress_seconds;
  return setup;
}

WorkerPlan worker_plan(const RunOptions &o, const Job &job, const SharedPlan &shared,
                       const core::Partitioner &partitioner, const MemoryBudget &budget,
                       Timeline &timeline, const ckpt::Checkpoint *checkpoint) {
  WorkerPlan wp;
  wp.options = &o;
  wp.partitioner = &partitioner;
  wp.partial_output = shared.partial_output;
  wp.meta = output_meta(o, job, shared);
  wp.budget = budget;
  wp.timeline = &timeline;
  wp.scratch_dir = !o.scratch_dir.empty()      ? o.scratch_dir
                   : !o.checkpoint_dir.empty() ? o.checkpoint_dir
                                               : ckpt::folder_of(o.output);
  wp.checkpoint = checkpoint;
  return wp;
}

/// Where keys go: by the sampled split points, by the job's own rule, or by
/// hash.
core::Partitioner partitioner_of(const Job &job, const SharedPlan &shared) {
  switch (job.partitioning()) {
  case Partitioning::range:
    return core::Partitioner(shared.split_points);
  case Partitioning::custom:
    return core::Partitioner(
        shared.reducers,
        [&job, n = shared.reducers](std::string_view k) { return job.partition(k, n); });
  case Partitioning::hash:
    break;
  }
  return core::Partitioner(shared.reducers);
}

} // namespace

StageResult run_stage(const RunOptions &o, const Plan &plan, const SharedPlan &shared,
                      const MemoryBudget &budget, const std::vector<std::string> &hosts,
                      const comm::Comm &world, Timeline &timeline) {
  const int me = world.rank();
  const bool single = world.size() == 1;
  const int workers = single ? 1 : world.size() - 1;
  std::unique_ptr<Job> job = make_job(o);
  const core::Partitioner partitioner = partitioner_of(*job, shared);
  const bool is_worker = single || me != 0;
  const comm::Comm worker_comm = world.subset(is_worker);
  StageResult result;

  // Rank 0's checkpoint came with the plan (with the manifest); the others
  // make theirs from what the plan shared.
  std::optional<ckpt::Checkpoint> mine;
  if (me != 0 && !shared.checkpoint_dir.empty())
    mine.emplace(shared.checkpoint_dir, shared.run_id + "-r" + std::to_string(me),
                 std::stoull(shared.fingerprint, nullptr, 16));
  const ckpt::Checkpoint *checkpoint = me == 0 ? plan.checkpoint.get()
                                       : mine  ? &*mine
                                               : nullptr;
  Reused reused = reused_partitions(o, shared, checkpoint, is_worker, world, worker_comm);
  result.partitions_reused = static_cast<std::uint64_t>(
      std::count(reused.every.begin(), reused.every.end(), true));
  result.map_needed = result.partitions_reused < shared.reducers;

  const std::vector<std::optional<ckpt::Commit>> committed_tasks =
      committed_map_tasks(plan);
  if (me == 0)
    tell_resume(o, plan, committed_tasks, result.partitions_reused, result.map_needed);
  const std::vector<core::Split> no_tasks;
  const std::vector<core::Split> &tasks = result.map_needed ? plan.splits : no_tasks;
  const CoordinatorSetup setup = coordinator_setup(o, plan, workers, hosts, single);
  if (!is_worker) {
    const auto t = Clock::now();
    coordinate_ranks(tasks, committed_tasks, setup, result.coordinated);
    timeline.add("coordinate", t);
    return result;
  }

  const auto t = Clock::now();
  const std::unique_ptr<io::Input> opened =
      io::open_inputs(o.inputs, worker_comm.native());
  const io::Input &input = *opened;
  job->start(input.info());
  timeline.add("open input", t);
  // A crash in the job's code names its record or key (and records the
  // record in the checkpoint, for --skip-bad-records after a relaunch).
  crash::install(me, &input.info(),
                 checkpoint ? checkpoint->dir() + "/crash-r" + std::to_string(me) : "");
  struct Uninstall {
    ~Uninstall() { crash::install(-1, nullptr, ""); } // the input goes with the stage
  } uninstall;
  const WorkerPlan wp =
      worker_plan(o, *job, shared, partitioner, budget, timeline, checkpoint);
  if (single) {
    LocalTaskSource source(tasks, committed_tasks, setup);
    result.stats = run_worker(*job, wp, worker_comm, source, input, reused.every,
                              reused.here, result.counters);
    result.coordinated = source.report();
  } else {
    RemoteTaskSource source;
    result.stats = run_worker(*job, wp, worker_comm, source, input, reused.every,
                              reused.here, result.counters);
  }
  return result;
}

} // namespace mr::engine
