// src/engine/run.cpp: one `mapreduce run` on every rank; see options.h.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "comm/comm.h"
#include "core/splitter.h"
#include "engine/coordinator.h"
#include "engine/options.h"
#include "engine/stats.h"
#include "engine/worker.h"
#include "io/input_file.h"
#include "mr/registry.h"

namespace mr::engine {

namespace {

std::string describe_parameters(const RunOptions &o, std::uint32_t reducers) {
  std::ostringstream s;
  s << "reducers=" << reducers;
  for (const auto &[k, v] : o.params)
    s << " " << k << "=" << v;
  return s.str();
}

/// What rank 0 finds out before any work starts.
struct Plan {
  std::vector<core::Split> splits;
  std::uint64_t input_bytes = 0;
  std::uint64_t split_size = 0;
  double split_seconds = 0;
};

/// With no --split-size: about 8 tasks a worker, so a fast worker can take
/// more (load balance), within 1 MiB (per-task overhead) and 32 MiB (memory).
std::uint64_t auto_split_size(std::uint64_t input_bytes, int workers) {
  const std::uint64_t target = input_bytes / (8 * static_cast<std::uint64_t>(workers));
  return std::clamp<std::uint64_t>(target, 1ull << 20, 32ull << 20);
}

/// Checks everything the user gave and cuts the input into tasks (rank 0).
Plan plan_job(const RunOptions &o, int workers) {
  const JobEntry *entry = find_job(o.job);
  if (!entry)
    throw io::InputError("unknown job '" + o.job + "' (see 'mapreduce jobs')");
  entry->make(o.params); // a job refuses bad parameters here
  if (o.round_bytes == 0)
    throw io::InputError("--round-size must be at least 1 byte");
  io::check_output_path(o.output, o.overwrite);
  if (!o.report.empty()) {
    auto dir = std::filesystem::path(o.report).parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir))
      throw io::InputError("report folder '" + dir.string() + "' does not exist");
  }
  io::InputFile input = io::InputFile::open(o.input);
  auto t = Clock::now();
  Plan plan;
  plan.input_bytes = input.size();
  auto read = [&](std::uint64_t at, std::uint64_t n, char *dst) {
    input.read(at, n, dst);
  };
  plan.split_size = o.split_size ? o.split_size : auto_split_size(input.size(), workers);
  plan.splits = core::split_input(input.size(), plan.split_size, [&](std::uint64_t pos) {
    return core::next_line_start(pos, input.size(), read);
  });
  plan.split_seconds = seconds_since(t);
  return plan;
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
      plan = plan_job(o, workers);
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

  // 2. Map, shuffle, reduce, write. A failure here ends every rank at once.
  io::OutputMeta meta;
  JobSummary summary;
  const double cpu_at_start = cpu_seconds();
  try {
    std::unique_ptr<Job> job = find_job(o.job)->make(o.params);
    meta = {o.job, describe_parameters(o, reducers), o.input, reducers,
            job->output_value_type() == ValueType::uint64};
    const bool is_worker = single || me != 0;
    const comm::Comm worker_comm = world.subset(is_worker);
    WorkerStats mine;
    TaskBoard board(plan.splits);
    if (is_worker) {
      io::InputFile input = io::InputFile::open(o.input, worker_comm.native());
      WorkerPlan wp{&o, reducers, io::partial_name(o.output), meta};
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
    if (me == 0) {
      const std::size_t n = WorkerStats::field_names().size();
      for (std::size_t i = 0; i + n <= all.size(); i += n)
        summary.workers_stats.push_back(WorkerStats::from_vector(all.data() + i));
      io::commit_file(io::partial_name(o.output), o.output);
      summary.output_file_bytes = std::filesystem::file_size(o.output);
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
  }
  return 0;
}

} // namespace mr::engine
