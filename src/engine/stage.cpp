// src/engine/stage.cpp: see stage.h.
#include "engine/stage.h"

#include <algorithm>
#include <cstdio>

#include "ckpt/durable_file.h"
#include "core/partitioner.h"
#include "engine/commits.h"
#include "engine/worker.h"
#include "io/input_file.h"
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
  meta.input = o.input;
  meta.reducers = shared.reducers;
  meta.uint64_values = job.output_value_type() == ValueType::uint64;
  meta.export_format = export_format_name(job.export_format());
  meta.partitioning = job.partitioning() == Partitioning::range ? "range" : "hash";
  meta.fingerprint = shared.fingerprint;
  meta.split_size = shared.split_size;
  return meta;
}

/// Says on rank 0 what a resume reuses and what it does again.
void tell_resume(const RunOptions &o, const Plan &plan,
                 const std::vector<std::optional<ckpt::Commit>> &committed_tasks,
                 std::uint64_t partitions_reused, bool map_needed) {
  if (!plan.manifest || !plan.manifest->resumed() || o.quiet)
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
                 o.checkpoint_dir.c_str(), plan.splits.size() - tasks_committed,
                 static_cast<unsigned long long>(plan.reducers - partitions_reused));
  else
    std::fprintf(stderr,
                 "resume: reusing all %u partition(s) from '%s': no map, shuffle or "
                 "reduce\n",
                 plan.reducers, o.checkpoint_dir.c_str());
  if (plan.manifest->damaged_records())
    std::fprintf(stderr, "resume: %zu damaged manifest record(s) ignored\n",
                 plan.manifest->damaged_records());
}

} // namespace

StageResult run_stage(const RunOptions &o, const Plan &plan, const SharedPlan &shared,
                      const MemoryBudget &budget, const std::vector<std::string> &hosts,
                      const comm::Comm &world, Timeline &timeline) {
  const int me = world.rank();
  const bool single = world.size() == 1;
  const int workers = single ? 1 : world.size() - 1;
  const std::uint32_t reducers = shared.reducers;
  std::unique_ptr<Job> job = make_job(o);
  const core::Partitioner partitioner = job->partitioning() == Partitioning::range
                                            ? core::Partitioner(shared.split_points)
                                            : core::Partitioner(reducers);
  const bool is_worker = single || me != 0;
  const comm::Comm worker_comm = world.subset(is_worker);
  StageResult result;

  // Partitions committed by an earlier run: their owners check them now,
  // and every rank learns which ones need no shuffle or reduce.
  std::optional<CommitNames> commit_names;
  if (shared.checkpointing)
    commit_names =
        CommitNames{o.checkpoint_dir, shared.run_id + "-r" + std::to_string(me),
                    std::stoull(shared.fingerprint, nullptr, 16)};
  ReusedPartitions reused_here;
  if (is_worker && commit_names)
    reused_here = load_committed_partitions(
        shared.partitions, *commit_names,
        core::partitions_of_worker(worker_comm.rank(), worker_comm.size(), reducers),
        o.quiet);
  std::vector<std::uint64_t> ids;
  for (const auto &[p, commit] : reused_here.commits)
    ids.push_back(p);
  std::vector<bool> reused(reducers, false);
  for (std::uint64_t p : world.all_gather(ids))
    reused[p] = true;
  result.partitions_reused =
      static_cast<std::uint64_t>(std::count(reused.begin(), reused.end(), true));
  result.map_needed = result.partitions_reused < reducers;

  // Map tasks committed by an earlier run: handed out to be loaded.
  std::vector<std::optional<ckpt::Commit>> committed_tasks(plan.splits.size());
  if (plan.manifest)
    for (const auto &[t, c] : plan.manifest->maps())
      if (t < committed_tasks.size())
        committed_tasks[t] = c;
  if (me == 0)
    tell_resume(o, plan, committed_tasks, result.partitions_reused, result.map_needed);
  const std::vector<core::Split> no_tasks;
  const std::vector<core::Split> &tasks = result.map_needed ? plan.splits : no_tasks;

  CoordinatorSetup setup;
  setup.workers = workers;
  setup.hosts = hosts;
  setup.task_timeout = o.task_timeout;
  setup.bytes_per_worker = plan.input_bytes / workers;
  setup.backups = o.backup_tasks && !single;
  setup.deadlines = !single; // a single rank has no other to watch
  setup.quiet = o.quiet;
  setup.manifest = plan.manifest.get();
  if (!is_worker) {
    const auto t = Clock::now();
    coordinate_ranks(tasks, committed_tasks, setup, result.coordinated);
    timeline.add("coordinate", t);
    return result;
  }

  auto t = Clock::now();
  io::InputFile input = io::InputFile::open(o.input, worker_comm.native());
  job->start(input.info());
  timeline.add("open input", t);
  WorkerPlan wp;
  wp.options = &o;
  wp.partitioner = &partitioner;
  wp.partial_output = shared.partial_output;
  wp.meta = output_meta(o, *job, shared);
  wp.budget = budget;
  wp.timeline = &timeline;
  wp.scratch_dir = !o.scratch_dir.empty()      ? o.scratch_dir
                   : !o.checkpoint_dir.empty() ? o.checkpoint_dir
                                               : ckpt::folder_of(o.output);
  wp.checkpoint = commit_names;
  if (single) {
    LocalTaskSource source(tasks, committed_tasks, setup);
    result.stats = run_worker(*job, wp, worker_comm, source, input, reused, reused_here,
                              result.counters);
    result.coordinated = source.report();
  } else {
    RemoteTaskSource source;
    result.stats = run_worker(*job, wp, worker_comm, source, input, reused, reused_here,
                              result.counters);
  }
  return result;
}

} // namespace mr::engine
