// src/engine/run.cpp: one `mapreduce run` on every rank; see options.h. The
// run is four steps: plan (rank 0 checks and plans; every rank learns the
// verdict), share the plan, one stage (map, shuffle, reduce, write), finish
// (commit the output, report). A failure once the work has started ends
// every rank at once.
#include "engine/options.h"

#include <cstdio>
#include <malloc.h>
#include <unistd.h>

#include "comm/comm.h"
#include "comm/wire.h"
#include "core/temp_files.h"
#include "engine/coordinator.h"
#include "engine/crash_record.h"
#include "engine/finish.h"
#include "engine/plan.h"
#include "engine/stage.h"
#include "engine/stats.h"
#include "io/h5.h"
#include "io/input_error.h"
#include "io/output_reader.h"

namespace boost::serialization {
template <class Archive>
void serialize(Archive &ar, mr::engine::RunOutcome &o, unsigned) {
  ar &o.exit_code &o.already_complete &o.rows &o.counters &o.counters_recorded;
}
} // namespace boost::serialization

namespace mr::engine {

namespace {

/// The exit code for a failure while working: the user's to fix (bad data,
/// an output that appeared meanwhile), or worth a retry (I/O error).
int code_of_failure(const std::exception &e) {
  // A task that cannot be done (damaged input, or job code that failed on
  // it every attempt) is not worth a relaunch either.
  return dynamic_cast<const io::InputError *>(&e) ||
                 dynamic_cast<const io::RefusedFile *>(&e) ||
                 dynamic_cast<const TaskFailed *>(&e)
             ? kExitRefused
             : kExitFailed;
}

/// The one message of a failed run, and its partial output removed.
void say_failure(int rank, const std::exception &e, const std::string &partial) {
  if (dynamic_cast<const TaskFailed *>(&e)) // the coordinator's verdict (one rank)
    std::fprintf(stderr, "mapreduce: error: %s\n", e.what());
  else
    std::fprintf(stderr, "mapreduce: error on rank %d: %s\n", rank, e.what());
  std::fflush(stderr);
  ::unlink(partial.c_str());
}

std::string host_name() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

/// glibc keeps freed blocks for reuse, and after a large one is freed it
/// serves even larger ones from that kept heap (its dynamic mmap threshold):
/// a 4 MiB budget then held 1.5-1.9x its size. With a fixed threshold,
/// blocks of 64 KiB and more go back to the system when freed (measured:
/// 1.1x).
void keep_heap_within_limit(const RunOptions &o) {
  if (o.memory_limit && *o.memory_limit > 0) {
    ::mallopt(M_MMAP_THRESHOLD, 64 << 10);
    ::mallopt(M_TRIM_THRESHOLD, 128 << 10);
  }
}

/// Step 1: rank 0 plans; every rank learns the verdict. Returns the exit
/// code of a refusal (rank 0 has said why), or 0.
int plan_on_rank0(const RunOptions &o, int workers, const MemoryBudget &budget,
                  const comm::Comm &world, Plan &plan) {
  int code = 0;
  std::string message;
  if (world.rank() == 0) {
    try {
      plan = plan_job(o, workers, budget);
    } catch (const std::exception &e) {
      code = kExitRefused;
      message = e.what();
    }
  }
  world.broadcast(code, message, 0);
  if (code != 0 && world.rank() == 0)
    std::fprintf(stderr, "mapreduce: error: %s\n", message.c_str());
  return code;
}

/// --resume of a job whose output is already complete: nothing to do but
/// say so, and write the report (its counters are the earlier run's).
int finish_already_done(const RunOptions &o, Plan &plan, int ranks, int workers,
                        Clock::time_point start, RunOutcome &outcome) {
  if (plan.checkpoint && !o.keep_checkpoint)
    crash::remove_records(plan.checkpoint->dir());
  plan.checkpoint->manifest()->remove_all();
  if (!o.quiet)
    std::fprintf(stderr,
                 "resume: '%s' is already this job's complete output (an earlier run "
                 "finished it); nothing to do\n",
                 o.output.c_str());
  JobSummary summary = summary_of(o, plan, ranks, workers);
  summary.checkpointing = !o.checkpoint_dir.empty();
  summary.resumed = summary.already_complete = true;
  try {
    const io::OutputReader output(o.output);
    summary.output_rows = output.rows();
    summary.counters = output.meta().counters;
    outcome.counters_recorded = output.meta().counters_recorded;
  } catch (const std::exception &) { // checked as this job's: readable
  }
  outcome.already_complete = true;
  outcome.rows = summary.output_rows;
  outcome.counters = summary.counters;
  summary.wall_seconds = seconds_since(start);
  return write_report(o, summary) ? 0 : kExitFailed;
}

/// Rank 0 commits the output while the others wait; returns, on every
/// rank, 0 or the exit code of its failure (an output that appeared
/// meanwhile). No MPI_Abort here: nothing is in flight, and an aborted
/// mpirun (Open MPI 4.1.4, PMIx 4.2.2) now and then hung in its own shutdown
/// (PMIx_server_finalize), deaf to SIGTERM, under load.
int commit_on_rank0(const RunOptions &o, const Plan &plan, const SharedPlan &shared,
                    const StageResult &stage, const MemoryBudget &budget,
                    const comm::Comm &world, JobSummary &summary, Timeline &timeline) {
  int code = 0;
  std::string none_said;
  if (world.rank() == 0)
    try {
      commit_result(o, plan, shared, stage, budget, summary, timeline);
    } catch (const std::exception &e) {
      say_failure(0, e, shared.partial_output);
      code = code_of_failure(e);
    }
  world.broadcast(code, none_said, 0);
  return code;
}

} // namespace

namespace {

int run_on_ranks(const RunOptions &o, RunOutcome &outcome) {
  const auto start = Clock::now();
  Timeline timeline;
  timeline.add("start-up (loading, MPI_Init)", Timeline::process_start());
  const comm::Comm world = comm::Comm::world();
  const int me = world.rank();
  core::exit_cleanly_on_signals(me == 0);
  const int workers = world.size() == 1 ? 1 : world.size() - 1;
  const std::vector<std::string> hosts = world.gather_bytes(host_name(), 0);
  // The coordinator holds no pairs: the node's memory is shared by the
  // workers on it (at -n 3 on one node, by 2, not 3).
  const int holders = world.ranks_on_node(me != 0 || world.size() == 1);
  const MemoryBudget budget =
      MemoryBudget::of(memory_limit_of(o, holders), o.combine_bytes, o.round_bytes);
  keep_heap_within_limit(o);

  auto t = Clock::now();
  Plan plan;
  if (const int code = plan_on_rank0(o, workers, budget, world, plan))
    return code;
  if (me == 0)
    timeline.add("plan", t);
  int done = plan.already_done ? 1 : 0;
  std::string none;
  world.broadcast(done, none, 0);
  if (done)
    return me == 0 ? finish_already_done(o, plan, world.size(), workers, start, outcome)
                   : 0;

  t = Clock::now();
  std::string shared_bytes = me == 0 ? SharedPlan::of(plan).encode() : std::string();
  int ok = 0;
  world.broadcast(ok, shared_bytes, 0);
  const SharedPlan shared = SharedPlan::decode(shared_bytes);
  timeline.add("share the plan", t);
  core::track_temp_file(shared.partial_output);

  JobSummary summary = summary_of(o, plan, world.size(), workers);
  const double cpu_at_start = cpu_seconds();
  StageResult stage;
  try {
    stage = run_stage(o, plan, shared, budget, hosts, world, timeline);
    gather_results(stage, world, summary, timeline);
  } catch (const std::exception &e) {
    say_failure(me, e, shared.partial_output);
    world.abort(code_of_failure(e));
  }
  if (const int code =
          commit_on_rank0(o, plan, shared, stage, budget, world, summary, timeline))
    return code;

  // Every rank's timeline (the others wait here while rank 0 commits).
  const std::vector<std::string> timelines = world.gather_bytes(timeline.encode(), 0);
  if (me != 0)
    return 0;
  summary.timelines = timelines;
  summary.hosts = hosts;
  summary.split_seconds = plan.split_seconds;
  summary.sample_seconds = plan.sample_seconds;
  summary.wall_seconds = seconds_since(start);
  const bool single = world.size() == 1;
  summary.coordinator_cpu_seconds = single ? 0 : cpu_seconds() - cpu_at_start;
  summary.coordinator_peak_rss_bytes = single ? 0 : peak_rss_bytes();
  outcome.rows = summary.output_rows;
  outcome.counters = summary.counters;
  return report_run(o, summary);
}

} // namespace

int run_job(const RunOptions &o, RunOutcome *outcome) {
  RunOutcome mine;
  const int code = run_on_ranks(o, mine);
  if (code != 0)
    core::settle_exit_code(code);
  if (!outcome)
    return code;
  // Every rank learns rank 0's outcome, and one exit code (rank 0 alone may
  // fail late: its report).
  const comm::Comm world = comm::Comm::world();
  mine.exit_code = static_cast<int>(world.max(static_cast<std::uint64_t>(code)));
  std::string bytes = world.rank() == 0 ? comm::to_bytes(mine) : std::string();
  int none = 0;
  world.broadcast(none, bytes, 0);
  *outcome = comm::from_bytes<RunOutcome>(bytes);
  outcome->exit_code = mine.exit_code;
  return outcome->exit_code;
}

} // namespace mr::engine
