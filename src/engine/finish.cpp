// src/engine/finish.cpp: see finish.h.
#include "engine/finish.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include "comm/wire.h"
#include "core/temp_files.h"
#include "engine/crash_record.h"
#include "io/input_error.h"
#include "io/output_path.h"
#include "io/output_reader.h"
#include "io/output_writer.h"

namespace mr::engine {

namespace {

/// What each worker sends rank 0 at the end.
struct WorkerResult {
  WorkerStats stats;
  CounterSums counters;

  template <class Archive> void serialize(Archive &ar, unsigned) { ar &stats &counters; }
};

/// The counters of the map phase when every partition was reused and no
/// task ran: the manifest's map records hold them.
void add_map_counters(const ckpt::Manifest &manifest, std::size_t tasks,
                      CounterSums &sums, bool quiet) {
  std::size_t missing = tasks;
  for (const auto &[t, c] : manifest.maps())
    if (t < tasks) {
      add_counters(c.counters, sums);
      --missing;
    }
  if (missing && !quiet)
    std::fprintf(stderr,
                 "mapreduce: warning: the records of %zu map task(s) are damaged: the "
                 "job's counters leave out what those tasks counted\n",
                 missing);
}

/// The records the coordinator skipped, in input order (the order they
/// were found in depends on the timing).
void skipped_records(const CoordinatorReport &coordinated, JobSummary &summary) {
  std::vector<CoordinatorReport::SkippedRecord> skipped = coordinated.skipped;
  std::sort(skipped.begin(), skipped.end(),
            [](const auto &a, const auto &b) { return a.offset < b.offset; });
  summary.skipped_records.clear();
  for (const auto &r : skipped)
    summary.skipped_records.push_back(r.where);
}

/// Puts the finished output under its final name. Without --overwrite the
/// name is taken exclusively (link fails if it exists): of two runs started
/// at once, the second to finish refuses. With --overwrite the rename
/// replaces atomically: the last run to finish wins, and the file under the
/// final name is always one run's complete result.
void commit_output(const std::string &partial, const std::string &output,
                   bool overwrite) {
  if (overwrite) {
    io::commit_file(partial, output);
    return;
  }
  if (::link(partial.c_str(), output.c_str()) != 0) {
    const int err = errno;
    ::unlink(partial.c_str());
    if (err == EEXIST)
      throw io::InputError("output '" + output +
                           "' appeared while this job ran (another run wrote it?); "
                           "this run's result was not kept (pass --overwrite to "
                           "replace outputs)");
    throw io::InputError("cannot create '" + output + "': " + std::strerror(err));
  }
  ::unlink(partial.c_str());
}

/// Reads the partial output back: rows per partition, and the job's own
/// summary (printed to stdout) when it makes one.
void read_back(const RunOptions &o, const std::string &partial,
               const MemoryBudget &budget, JobSummary &summary) {
  io::OutputReader output(partial);
  const auto &po = output.partition_offsets();
  for (std::size_t p = 0; p + 1 < po.size(); ++p)
    summary.partition_rows.push_back(po[p + 1] - po[p]);
  std::unique_ptr<Job> job = make_job(o);
  if (!job->summarizes())
    return;
  output.for_each_row(
      [&](std::string_view k, std::string_view v) { job->summarize_row(k, v); },
      budget.limit ? budget.merge : io::OutputReader::kReadBudget);
  const std::string text = job->summary();
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

} // namespace

JobSummary summary_of(const RunOptions &o, const Plan &plan, int ranks, int workers) {
  JobSummary s;
  s.options = o;
  s.options.split_size = plan.split_size;
  s.memory_limit_source = memory_limit_source(o);
  s.ranks = ranks;
  s.workers = workers;
  s.reducers = plan.reducers;
  s.input_bytes = plan.input_bytes;
  s.tasks = plan.splits.size();
  return s;
}

void gather_results(const StageResult &stage, const comm::Comm &world,
                    JobSummary &summary, Timeline &timeline) {
  const bool is_worker = world.size() == 1 || world.rank() != 0;
  const auto t = Clock::now();
  world.idle_barrier(); // every worker has written its rows
  timeline.add("wait for the others", t);
  const std::string mine = is_worker
                               ? comm::to_bytes(WorkerResult{stage.stats, stage.counters})
                               : std::string();
  const std::vector<std::string> results = world.gather_bytes(mine, 0);
  for (const std::string &bytes : results) {
    if (bytes.empty()) // the coordinator
      continue;
    const auto r = comm::from_bytes<WorkerResult>(bytes);
    summary.workers_stats.push_back(r.stats);
    for (const auto &[name, value] : r.counters)
      summary.counters[name] += value;
  }
}

void commit_result(const RunOptions &o, const Plan &plan, const SharedPlan &shared,
                   const StageResult &stage, const MemoryBudget &budget,
                   JobSummary &summary, Timeline &timeline) {
  const auto t = Clock::now();
  ckpt::Manifest *manifest = plan.manifest();
  if (!stage.map_needed && manifest)
    add_map_counters(*manifest, plan.splits.size(), summary.counters, o.quiet);
  io::record_counters(shared.partial_output, summary.counters);
  summary.skip_limit = o.skip_bad_records;
  skipped_records(stage.coordinated, summary);
  if (!summary.skipped_records.empty()) {
    std::string lines;
    for (const std::string &r : summary.skipped_records)
      lines.append(r).append("\n");
    io::record_skipped_records(shared.partial_output, lines);
  }
  read_back(o, shared.partial_output, budget, summary);
  summary.output_file_bytes = std::filesystem::file_size(shared.partial_output);
  commit_output(shared.partial_output, o.output, o.overwrite);
  core::forget_temp_file(shared.partial_output);
  summary.checkpointing = manifest != nullptr;
  if (manifest) {
    summary.resumed = manifest->resumed();
    summary.damaged_manifest_records = manifest->damaged_records();
    if (!o.keep_checkpoint) {
      crash::remove_records(o.checkpoint_dir);
      manifest->remove_all();
    }
  }
  summary.partitions_reused = stage.partitions_reused;
  summary.partitions_reduced = shared.reducers - stage.partitions_reused;
  summary.partitions_committed = stage.coordinated.partitions_committed;
  summary.tasks_reused = stage.coordinated.tasks_reused;
  summary.tasks_damaged = stage.coordinated.tasks_damaged;
  summary.tasks_mapped = stage.coordinated.tasks_mapped;
  summary.backups_started = stage.coordinated.backups_started;
  summary.backups_won = stage.coordinated.backups_won;
  for (const auto &w : summary.workers_stats)
    summary.output_rows += w.rows_out;
  timeline.add("read back and commit the output", t);
}

bool write_report(const RunOptions &o, const JobSummary &summary) {
  if (o.report.empty())
    return true;
  std::ofstream report(o.report);
  report << report_json(summary);
  report.close();
  if (!report)
    std::fprintf(stderr,
                 "mapreduce: error: the job succeeded, but its report could not be "
                 "written to '%s'\n",
                 o.report.c_str());
  return static_cast<bool>(report);
}

int report_run(const RunOptions &o, JobSummary &summary) {
  if (!write_report(o, summary))
    return kExitFailed;
  // Skipped records are said even with -q: the output lacks them.
  if (const auto &skipped = summary.skipped_records; !skipped.empty()) {
    constexpr std::size_t kListed = 20;
    std::fprintf(stderr,
                 "mapreduce: warning: %zu bad record(s) skipped (--skip-bad-records "
                 "%llu): map failed on each twice; the output lacks them (all are "
                 "listed in the output's /skipped_records%s):\n",
                 skipped.size(),
                 static_cast<unsigned long long>(summary.skip_limit.value_or(0)),
                 o.report.empty() ? "" : " and in the report");
    for (std::size_t i = 0; i < skipped.size() && i < kListed; ++i)
      std::fprintf(stderr, "  %s\n", skipped[i].c_str());
    if (skipped.size() > kListed)
      std::fprintf(stderr, "  ... and %zu more\n", skipped.size() - kListed);
  }
  if (o.quiet)
    return 0;
  std::fprintf(stderr,
               "%s: %llu rows written to %s (%llu input bytes, %llu tasks, "
               "%d worker(s), %u reducer(s), %.2f s)\n",
               o.job.c_str(), static_cast<unsigned long long>(summary.output_rows),
               o.output.c_str(), static_cast<unsigned long long>(summary.input_bytes),
               static_cast<unsigned long long>(summary.tasks), summary.workers,
               summary.reducers, summary.wall_seconds);
  if (!summary.counters.empty()) {
    std::string line = o.job + ":";
    for (const auto &[name, value] : summary.counters)
      line += " " + name + "=" + std::to_string(value);
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  return 0;
}

} // namespace mr::engine
