// src/engine/run.cpp: one `mapreduce run` on every rank; see options.h.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "comm/comm.h"
#include "core/partitioner.h"
#include "core/splitter.h"
#include "engine/coordinator.h"
#include "engine/options.h"
#include "engine/sample.h"
#include "engine/stats.h"
#include "engine/worker.h"
#include "io/input_file.h"
#include "io/output_file.h"
#include "mr/codec.h"
#include "mr/registry.h"

namespace mr::engine {

namespace {

std::string describe_parameters(const Params &params, std::uint32_t reducers) {
  std::ostringstream s;
  s << "reducers=" << reducers;
  for (const auto &[k, v] : params)
    s << " " << k << "=" << v;
  return s.str();
}

/// What rank 0 finds out before any work starts.
struct Plan {
  std::vector<core::Split> splits;
  std::uint64_t input_bytes = 0;
  std::uint64_t split_size = 0;
  double split_seconds = 0;
  std::vector<std::string> split_points; // range partitioning only
  double sample_seconds = 0;
};

/// The job's declared parameters with defaults filled in; throws InputError
/// for an unknown job or parameter.
Params job_params(const RunOptions &o) {
  const JobEntry *entry = find_job(o.job);
  if (!entry)
    throw io::InputError("unknown job '" + o.job + "' (see 'mapreduce jobs')");
  try {
    return resolve_params(*entry, o.params);
  } catch (const std::invalid_argument &e) {
    throw io::InputError(e.what());
  }
}

std::unique_ptr<Job> make_job(const RunOptions &o) {
  try {
    return find_job(o.job)->make(job_params(o));
  } catch (const std::invalid_argument &e) { // a job refusing a parameter value
    throw io::InputError("job " + o.job + ": " + e.what());
  }
}

/// With no --split-size: about 8 tasks a worker, so a fast worker can take
/// more (load balance), within 1 MiB (per-task overhead) and 32 MiB (memory).
std::uint64_t auto_split_size(std::uint64_t input_bytes, int workers) {
  const std::uint64_t target = input_bytes / (8 * static_cast<std::uint64_t>(workers));
  return std::clamp<std::uint64_t>(target, 1ull << 20, 32ull << 20);
}

/// Checks everything the user gave and cuts the input into tasks (rank 0).
Plan plan_job(const RunOptions &o, int workers, std::uint32_t reducers) {
  std::unique_ptr<Job> job = make_job(o); // a job refuses bad parameters here
  if (o.round_bytes == 0)
    throw io::InputError("--round-size must be at least 1 byte");
  io::check_output_path(o.output, o.overwrite);
  if (!o.report.empty()) {
    auto dir = std::filesystem::path(o.report).parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir))
      throw io::InputError("report folder '" + dir.string() + "' does not exist");
  }
  io::InputFile input = io::InputFile::open(o.input);
  const InputInfo &info = input.info();
  if (job->input_format() != info.format)
    throw io::InputError("job " + o.job + " reads '" +
                         io::format_name(job->input_format()) + "' input, but '" +
                         o.input + "' holds '" + io::format_name(info.format) +
                         "' (import it with 'mapreduce import --format " +
                         io::format_name(job->input_format()) + "')");
  job->start(info);
  auto t = Clock::now();
  Plan plan;
  plan.input_bytes = input.size();
  auto read = [&](std::uint64_t at, std::uint64_t n, char *dst) {
    input.read(at, n, dst);
  };
  plan.split_size = o.split_size ? o.split_size : auto_split_size(input.size(), workers);
  if (info.format == InputFormat::records) // a task is whole records
    plan.split_size =
        std::max(plan.split_size / info.record_size, std::uint64_t{1}) * info.record_size;
  plan.splits = core::split_input(input.size(), plan.split_size, [&](std::uint64_t pos) {
    if (info.format == InputFormat::records)
      return std::min(pos +
                          (info.record_size - pos % info.record_size) % info.record_size,
                      input.size());
    return core::next_line_start(pos, input.size(), read);
  });
  plan.split_seconds = seconds_since(t);
  if (job->partitioning() == Partitioning::range) {
    t = Clock::now();
    plan.split_points = sample_split_points(*job, input, reducers).split_points;
    plan.sample_seconds = seconds_since(t);
  }
  return plan;
}

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

/// A job's counters as one string (name, value, name, value, ...).
std::string encode_counters(const Job &job) {
  std::string out;
  for (const auto &[name, value] : job.counters()) {
    append_string(out, name);
    append_string(out, std::to_string(value));
  }
  return out;
}

void add_counters(std::string_view encoded, std::map<std::string, std::uint64_t> &sum) {
  std::vector<std::string> items;
  for_each_string(encoded, [&](std::string_view s) { items.emplace_back(s); });
  for (std::size_t i = 0; i + 1 < items.size(); i += 2)
    sum[items[i]] += std::stoull(items[i + 1]);
}

void print_error(const std::string &msg) {
  std::fprintf(stderr, "mapreduce: error: %s\n", msg.c_str());
}

} // namespace

int run_job(const RunOptions &o) {
  const auto start = Clock::now();
  const comm::Comm world = comm::Comm::world();
  const int me = world.rank();
  const bool single = world.size() == 1;
  const int workers = single ? 1 : world.size() - 1;
  const std::uint32_t reducers = o.reducers ? o.reducers : workers;

  // 1. Rank 0 checks the input and plans; every rank learns the verdict.
  Plan plan;
  int code = 0;
  std::string message;
  if (me == 0) {
    try {
      plan = plan_job(o, workers, reducers);
    } catch (const std::exception &e) {
      code = 1;
      message = e.what();
    }
  }
  world.broadcast(code, message, 0);
  if (code != 0) {
    if (me == 0)
      print_error(message);
    return code;
  }
  // Range partitioning: every rank needs rank 0's split points.
  std::string points;
  for (const std::string &p : plan.split_points)
    append_string(points, p);
  world.broadcast(code, points, 0);
  plan.split_points.clear();
  for_each_string(points, [&](std::string_view p) { plan.split_points.emplace_back(p); });

  // 2. Map, shuffle, reduce, write. A failure here ends every rank at once.
  io::OutputMeta meta;
  JobSummary summary;
  const double cpu_at_start = cpu_seconds();
  try {
    std::unique_ptr<Job> job = make_job(o);
    const bool by_range = job->partitioning() == Partitioning::range;
    const core::Partitioner partitioner =
        by_range ? core::Partitioner(plan.split_points) : core::Partitioner(reducers);
    meta.job = o.job;
    meta.parameters = describe_parameters(job_params(o), reducers);
    meta.input = o.input;
    meta.reducers = reducers;
    meta.uint64_values = job->output_value_type() == ValueType::uint64;
    meta.export_format = export_format_name(job->export_format());
    meta.partitioning = by_range ? "range" : "hash";
    const bool is_worker = single || me != 0;
    const comm::Comm worker_comm = world.subset(is_worker);
    WorkerStats mine;
    TaskBoard board(plan.splits);
    if (is_worker) {
      io::InputFile input = io::InputFile::open(o.input, worker_comm.native());
      job->start(input.info());
      WorkerPlan wp{&o, &partitioner, io::partial_name(o.output), meta};
      if (single) {
        LocalTaskSource tasks(plan.splits);
        mine = run_worker(*job, wp, worker_comm, tasks, input);
      } else {
        RemoteTaskSource tasks;
        mine = run_worker(*job, wp, worker_comm, tasks, input);
      }
    } else {
      coordinate_map(board, workers, o.quiet);
    }
    world.idle_barrier(); // rank 0 sleeps while the workers shuffle and write
    std::vector<double> all =
        world.gather(is_worker ? mine.to_vector() : std::vector<double>{}, 0);
    std::vector<std::string> counters =
        world.gather_bytes(is_worker ? encode_counters(*job) : std::string(), 0);
    if (me == 0) {
      const std::size_t n = WorkerStats::field_names().size();
      for (std::size_t i = 0; i + n <= all.size(); i += n)
        summary.workers_stats.push_back(WorkerStats::from_vector(all.data() + i));
      for (const std::string &c : counters)
        add_counters(c, summary.counters);
      io::commit_file(io::partial_name(o.output), o.output);
      summary.output_file_bytes = std::filesystem::file_size(o.output);
      io::OutputReader output(o.output);
      const auto &po = output.partition_offsets();
      for (std::size_t p = 0; p + 1 < po.size(); ++p)
        summary.partition_rows.push_back(po[p + 1] - po[p]);
      if (job->summarizes()) {
        output.for_each_row(
            [&](std::string_view k, std::string_view v) { job->summarize_row(k, v); });
        const std::string text = job->summary();
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
      }
    }
  } catch (const std::exception &e) {
    std::fprintf(stderr, "mapreduce: error on rank %d: %s\n", me, e.what());
    std::fflush(stderr);
    world.abort(1);
  }

  if (me == 0) {
    summary.options = o;
    summary.options.split_size = plan.split_size;
    summary.ranks = world.size();
    summary.workers = workers;
    summary.reducers = reducers;
    summary.input_bytes = plan.input_bytes;
    summary.tasks = plan.splits.size();
    summary.split_seconds = plan.split_seconds;
    summary.sample_seconds = plan.sample_seconds;
    summary.wall_seconds = seconds_since(start);
    summary.coordinator_cpu_seconds = single ? 0 : cpu_seconds() - cpu_at_start;
    summary.coordinator_peak_rss_bytes = single ? 0 : peak_rss_bytes();
    for (const auto &w : summary.workers_stats)
      summary.output_rows += static_cast<std::uint64_t>(w.rows_out);
    if (!o.report.empty()) {
      std::ofstream(o.report) << report_json(summary);
    }
    if (!o.quiet)
      std::fprintf(stderr,
                   "%s: %llu rows written to %s (%llu input bytes, %zu tasks, "
                   "%d worker(s), %u reducer(s), %.2f s)\n",
                   o.job.c_str(), static_cast<unsigned long long>(summary.output_rows),
                   o.output.c_str(), static_cast<unsigned long long>(plan.input_bytes),
                   plan.splits.size(), workers, reducers, summary.wall_seconds);
    if (!o.quiet && !summary.counters.empty()) {
      std::string line = o.job + ":";
      for (const auto &[name, value] : summary.counters)
        line += " " + name + "=" + std::to_string(value);
      std::fprintf(stderr, "%s\n", line.c_str());
    }
  }
  return 0;
}

} // namespace mr::engine
