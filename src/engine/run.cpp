// src/engine/run.cpp: one `mapreduce run` on every rank; see options.h.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <malloc.h>
#include <map>
#include <random>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt/durable_file.h"
#include "ckpt/manifest.h"
#include "comm/comm.h"
#include "core/checksum.h"
#include "core/partitioner.h"
#include "core/splitter.h"
#include "core/temp_files.h"
#include "engine/coordinator.h"
#include "engine/counters.h"
#include "engine/memory_budget.h"
#include "engine/options.h"
#include "engine/sample.h"
#include "engine/stats.h"
#include "engine/worker.h"
#include "io/input_file.h"
#include "io/output_file.h"
#include "mr/codec.h"
#include "mr/registry.h"

namespace fs = std::filesystem;

namespace mr::engine {

namespace {

/// The version of the checkpoint's file formats (engine/commits.h); a
/// checkpoint of another version is refused rather than misread.
// 2: keys hashed with XXH3 (partitions of format 1 differ).
// 3: files bound to their checkpoint's fingerprint; counters in records.
constexpr const char *kCheckpointFormat = "3";

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
  std::string fingerprint;    // XXH3 of the fingerprint's fields, hex
  bool already_done = false;  // --resume: the output is this job's, complete
  std::string run_id;         // names this run's temporary files
  std::string partial_output; // the output, until it is complete
  std::unique_ptr<ckpt::Manifest> manifest;
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

/// A random id for this run's temporary names: two runs never share one.
std::string new_run_id() {
  std::random_device rd;
  const std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
                          static_cast<std::uint64_t>(::getpid());
  return core::hex64(v).substr(0, 12);
}

/// Where the output is written until it is complete: beside it, as
/// OUT.partial-<run id>, its name cut to 100 bytes. Open MPI 4.1's MPI-IO
/// (its lockedfile component) aborted with "buffer overflow detected" on
/// file names of 228-254 bytes, after all the work; the final name, given
/// by link() or rename(), may be as long as the file system allows.
std::string partial_name(const std::string &output, const std::string &run_id) {
  const fs::path p(output);
  std::string base = p.filename().string().substr(0, 100);
  return (p.parent_path() / (base + ".partial-" + run_id)).string();
}

/// Refuses what would fail late or destroy data: an output that is the
/// input, folders that cannot be written, a report that cannot be made.
void check_paths(const RunOptions &o) {
  std::error_code ec;
  // Under --resume an existing output may be this job's, finished: checked
  // against its fingerprint once that is known (plan_job).
  io::check_output_path(o.output, o.overwrite || (o.resume && fs::exists(o.output, ec)));
  if (fs::exists(o.output, ec) && fs::exists(o.input, ec) &&
      fs::equivalent(o.input, o.output, ec))
    throw io::InputError("output '" + o.output + "' is the input '" + o.input +
                         "': writing it would destroy the input");
  try {
    ckpt::probe_writable(ckpt::folder_of(o.output));
  } catch (const std::exception &e) {
    throw io::InputError("output folder '" + ckpt::folder_of(o.output) +
                         "' cannot be written: " + e.what());
  }
  if (!o.report.empty()) {
    const std::string dir = ckpt::folder_of(o.report);
    if (fs::is_directory(o.report, ec))
      throw io::InputError("report '" + o.report + "' is a folder");
    if (!fs::is_directory(dir, ec))
      throw io::InputError("report folder '" + dir + "' does not exist");
    try {
      ckpt::probe_writable(dir);
    } catch (const std::exception &e) {
      throw io::InputError("report folder '" + dir + "' cannot be written: " + e.what());
    }
  }
  if (!o.scratch_dir.empty()) {
    if (!fs::is_directory(o.scratch_dir, ec))
      throw io::InputError("--scratch-dir '" + o.scratch_dir + "' is not a folder");
    try {
      ckpt::probe_writable(o.scratch_dir);
    } catch (const std::exception &e) {
      throw io::InputError("--scratch-dir '" + o.scratch_dir +
                           "' cannot be written: " + e.what());
    }
  }
  if (o.checkpoint_dir.empty() && (o.resume || o.restart_fresh || o.keep_checkpoint))
    throw io::InputError("--resume, --restart-fresh and --keep-checkpoint need "
                         "--checkpoint-dir DIR");
  if (o.resume && o.restart_fresh)
    throw io::InputError("--resume and --restart-fresh contradict each other: pick one");
  if (!(o.task_timeout > 0))
    throw io::InputError("--task-timeout must be more than 0 seconds");
}

/// What identifies the job for its checkpoint (ckpt/manifest.h).
ckpt::Fingerprint fingerprint(const RunOptions &o, const io::InputFile &input,
                              std::uint32_t reducers, const Plan &plan) {
  ckpt::Fingerprint fp;
  fp.add("checkpoint_format", kCheckpointFormat);
  fp.add("job", o.job);
  fp.add("parameters", describe_parameters(job_params(o), reducers));
  fp.add("reducers", std::to_string(reducers));
  std::error_code ec;
  fp.add("input", fs::weakly_canonical(o.input, ec).string());
  struct stat st {};
  ::stat(o.input.c_str(), &st);
  fp.add("input_size", std::to_string(st.st_size));
  fp.add("input_modified",
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec));
  const InputInfo &info = input.info();
  core::Hasher meta;
  meta.update(io::format_name(info.format));
  meta.update(std::to_string(info.record_size));
  meta.update({info.name_bytes.data(), info.name_bytes.size()});
  meta.update({reinterpret_cast<const char *>(info.name_offsets.data()),
               info.name_offsets.size() * 8});
  meta.update({reinterpret_cast<const char *>(info.file_offsets.data()),
               info.file_offsets.size() * 8});
  fp.add("input_metadata_xxh3", core::hex64(meta.digest()));
  fp.add("split_size", std::to_string(plan.split_size));
  fp.add("tasks", std::to_string(plan.splits.size()));
  core::Hasher points;
  for (const std::string &p : plan.split_points)
    points.update(std::to_string(p.size()) + ":" + p);
  fp.add("range_split_points_xxh3", core::hex64(points.digest()));
  return fp;
}

/// The metadata of an existing output file, if it can be read.
std::optional<io::OutputMeta> existing_output_meta(const std::string &path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    return std::nullopt;
  try {
    return io::OutputReader(path).meta();
  } catch (const std::exception &) {
    return std::nullopt;
  }
}

/// This rank's --memory-limit in bytes (0: none). Auto: half the node's
/// memory, shared by the ranks on it.
std::uint64_t memory_limit_of(const RunOptions &o, int ranks_on_node) {
  if (o.memory_limit)
    return *o.memory_limit;
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0)
    return 0;
  const std::uint64_t half =
      static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 2;
  return std::max(kMinMemoryLimit, half / static_cast<std::uint64_t>(ranks_on_node));
}

std::string mib(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

/// Refuses a limit too small to run, or tasks too large for it.
void check_memory_limit(const RunOptions &o, const MemoryBudget &budget,
                        std::uint64_t split_size) {
  if (budget.limit == 0)
    return;
  if (budget.limit < kMinMemoryLimit)
    throw io::InputError("--memory-limit " + mib(budget.limit) +
                         " is too small: a rank needs at least " + mib(kMinMemoryLimit) +
                         " (plus MPI's and HDF5's own memory)");
  if (split_size > budget.max_split)
    throw io::InputError(
        std::string(o.split_size ? "--split-size " : "the checkpoint's split size ") +
        mib(split_size) + " does not fit --memory-limit " + mib(budget.limit) +
        ": a map task's input may take an eighth of it; use a split size of at most " +
        mib(budget.max_split) + " or a limit of at least " + mib(8 * split_size));
}

/// Records are never cut, so a record longer than a task makes its task
/// longer: a task of more than a quarter of --memory-limit (twice the
/// share of a task's input) is refused, naming where it is, rather than
/// taking memory beyond the limit (a 2 GB line took 32x a 64 MiB limit).
void check_record_sizes(const RunOptions &o, const MemoryBudget &budget,
                        const std::vector<core::Split> &splits,
                        const io::InputFile &input) {
  if (budget.limit == 0)
    return;
  for (const core::Split &s : splits)
    if (s.size() > budget.limit / 4)
      throw io::InputError(
          "input '" + o.input + "': a record longer than a task may be makes map task " +
          std::to_string(s.id) + " (input bytes " + std::to_string(s.begin) + ".." +
          std::to_string(s.end) + ", in " + input.files_between(s.begin, s.end) + ") " +
          mib(s.size()) + " long, more than a quarter of --memory-limit " +
          mib(budget.limit) + " (records are never cut): raise --memory-limit to at " +
          "least " + mib(4 * s.size()) + ", or split that record");
}

/// Checks everything the user gave and cuts the input into tasks (rank 0).
Plan plan_job(const RunOptions &o, int workers, std::uint32_t reducers,
              const MemoryBudget &budget) {
  std::unique_ptr<Job> job = make_job(o); // a job refuses bad parameters here
  if (o.round_bytes == 0)
    throw io::InputError("--round-size must be at least 1 byte");
  check_paths(o);
  io::InputFile input = io::InputFile::open(o.input);
  if (!input.verifiable() && !o.quiet)
    std::fprintf(
        stderr,
        "mapreduce: warning: input '%s' has no checksums (imported by an older "
        "version): damage in it cannot be detected; import it again to add them\n",
        o.input.c_str());
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
  if (!o.split_size && budget.limit)
    plan.split_size =
        std::min(plan.split_size, std::max<std::uint64_t>(budget.max_split, 1));
  // A resumed job keeps the checkpoint's tasks, whatever the rank count now.
  std::optional<ckpt::Fingerprint> committed;
  if (o.resume && !o.split_size &&
      (committed = ckpt::committed_fingerprint(o.checkpoint_dir))) {
    if (const std::string *s = committed->find("split_size"))
      plan.split_size = std::stoull(*s);
  } else if (o.resume && !o.split_size) {
    // No checkpoint: a run killed after its output was in place and its
    // checkpoint removed. Its output says how it was split.
    if (const auto meta = existing_output_meta(o.output); meta && meta->split_size)
      plan.split_size = meta->split_size;
  }
  check_memory_limit(o, budget, plan.split_size);
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
  check_record_sizes(o, budget, plan.splits, input);
  if (job->partitioning() == Partitioning::range) {
    t = Clock::now();
    plan.split_points = sample_split_points(*job, input, reducers).split_points;
    plan.sample_seconds = seconds_since(t);
  }
  plan.run_id = new_run_id();
  plan.partial_output = partial_name(o.output, plan.run_id);
  const ckpt::Fingerprint fp = fingerprint(o, input, reducers, plan);
  plan.fingerprint = core::hex64(fp.digest());
  std::error_code ec;
  if (o.resume && !o.overwrite && fs::exists(o.output, ec)) {
    // A run that died after its output was in place (a rank killed while
    // finishing) is retried: its output, if it is this job's, is the result.
    const auto theirs = existing_output_meta(o.output);
    if (!theirs || theirs->fingerprint != plan.fingerprint)
      throw io::InputError("output '" + o.output +
                           "' exists and is not this job's result; pass --overwrite to "
                           "replace it");
    plan.already_done = true;
  }
  if (!o.checkpoint_dir.empty()) {
    const auto mode = o.resume          ? ckpt::OpenMode::resume
                      : o.restart_fresh ? ckpt::OpenMode::restart_fresh
                                        : ckpt::OpenMode::fresh;
    try {
      plan.manifest = std::make_unique<ckpt::Manifest>(
          ckpt::Manifest::open(o.checkpoint_dir, fp, mode));
    } catch (const ckpt::CheckpointRefused &e) {
      throw io::InputError(e.what());
    }
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

/// The exit code for a failure while working: the user's to fix (bad data,
/// an output that appeared meanwhile), or worth a retry (I/O error).
int code_of_failure(const std::exception &e) {
  return dynamic_cast<const io::InputError *>(&e) ||
                 dynamic_cast<const io::RefusedFile *>(&e)
             ? kExitRefused
             : kExitFailed;
}

void print_error(const std::string &msg) {
  std::fprintf(stderr, "mapreduce: error: %s\n", msg.c_str());
}

/// What rank 0 tells every rank after planning, as one string.
struct Shared {
  std::vector<std::string> split_points;
  std::string run_id, partial_output, fingerprint;
  bool checkpointing = false;
  std::uint32_t reducers = 0;
  std::uint64_t split_size = 0;
  std::map<std::uint32_t, ckpt::Commit> partitions; // committed before this run

  std::string encode() const {
    std::string points, parts, out;
    const std::string r = std::to_string(reducers), split = std::to_string(split_size);
    for (const std::string &p : split_points)
      append_string(points, p);
    for (const auto &[p, c] : partitions)
      append_string(parts, c.record());
    for (std::string_view s :
         {std::string_view(points), std::string_view(run_id),
          std::string_view(partial_output), std::string_view(checkpointing ? "1" : "0"),
          std::string_view(parts), std::string_view(r), std::string_view(fingerprint),
          std::string_view(split)})
      append_string(out, s);
    return out;
  }
  static Shared decode(std::string_view bytes) {
    std::vector<std::string> items;
    for_each_string(bytes, [&](std::string_view s) { items.emplace_back(s); });
    Shared s;
    for_each_string(items.at(0),
                    [&](std::string_view p) { s.split_points.emplace_back(p); });
    s.run_id = items.at(1);
    s.partial_output = items.at(2);
    s.checkpointing = items.at(3) == "1";
    for_each_string(items.at(4), [&](std::string_view r) {
      ckpt::Commit c;
      if (ckpt::parse_commit("reduce", std::string(r), c))
        s.partitions[c.id] = c;
    });
    s.reducers = static_cast<std::uint32_t>(std::stoul(items.at(5)));
    s.fingerprint = items.at(6);
    s.split_size = std::stoull(items.at(7));
    return s;
  }
};

std::string host_name() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

/// The run's shape for its report: options, ranks, partitions, input, tasks.
JobSummary summary_of(const RunOptions &o, const Plan &plan, int ranks, int workers,
                      std::uint32_t reducers) {
  JobSummary s;
  s.options = o;
  s.options.split_size = plan.split_size;
  s.ranks = ranks;
  s.workers = workers;
  s.reducers = reducers;
  s.input_bytes = plan.input_bytes;
  s.tasks = plan.splits.size();
  return s;
}

/// Writes --report (if asked); false, having said why, when it cannot.
bool write_report(const RunOptions &o, const JobSummary &summary) {
  if (o.report.empty())
    return true;
  std::ofstream report(o.report);
  report << report_json(summary);
  report.close();
  if (!report)
    print_error("the job succeeded, but its report could not be written to '" + o.report +
                "'");
  return static_cast<bool>(report);
}

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

} // namespace

int run_job(const RunOptions &o) {
  const auto start = Clock::now();
  Timeline timeline;
  timeline.add("start-up (loading, MPI_Init)", Timeline::process_start());
  const comm::Comm world = comm::Comm::world();
  const int me = world.rank();
  core::exit_cleanly_on_signals(me == 0);
  const bool single = world.size() == 1;
  const int workers = single ? 1 : world.size() - 1;
  // Four partitions a worker by default: a worker's reduce then sorts four
  // smaller tables that stay closer to its caches (real text, -n 3, medians
  // of 7: reduce 0.20 -> 0.12 s, whole run 1.07 -> 0.97 s), and a partition
  // is a quarter of what a worker receives (the unit that must fit memory
  // when a reduce emits out of order, and that a resume reuses).
  std::uint32_t reducers =
      o.reducers ? o.reducers
                 : static_cast<std::uint32_t>(std::min(4 * workers, 1 << 16));
  const std::vector<std::string> hosts = world.gather_bytes(host_name(), 0);
  const MemoryBudget budget = MemoryBudget::of(memory_limit_of(o, world.ranks_on_node()),
                                               o.combine_bytes, o.round_bytes);
  if (o.memory_limit && *o.memory_limit > 0) {
    // glibc keeps freed blocks for reuse, and after a large one is freed it
    // serves even larger ones from that kept heap (its dynamic mmap
    // threshold): a 4 MiB budget then held 1.5-1.9x its size. With a fixed
    // threshold, blocks of 64 KiB and more go back to the system when freed
    // (measured: 1.1x).
    ::mallopt(M_MMAP_THRESHOLD, 64 << 10);
    ::mallopt(M_TRIM_THRESHOLD, 128 << 10);
  }

  // 1. Rank 0 checks the input and plans; every rank learns the verdict.
  auto t = Clock::now();
  Plan plan;
  int code = 0;
  std::string message;
  if (me == 0) {
    try {
      // A resumed job keeps the checkpoint's partitions, whatever the rank
      // count now (a node lost, or more of them).
      if (o.resume && !o.reducers) {
        if (auto fp = ckpt::committed_fingerprint(o.checkpoint_dir)) {
          if (const std::string *r = fp->find("reducers"))
            reducers = static_cast<std::uint32_t>(std::stoul(*r));
        } else if (const auto meta = existing_output_meta(o.output)) {
          reducers = static_cast<std::uint32_t>(meta->reducers); // see plan_job
        }
      }
      plan = plan_job(o, workers, reducers, budget);
    } catch (const std::exception &e) {
      code = kExitRefused;
      message = e.what();
    }
  }
  if (me == 0)
    timeline.add("plan", t);
  t = Clock::now();
  world.broadcast(code, message, 0);
  if (code != 0) {
    if (me == 0)
      print_error(message);
    return code;
  }
  int done = plan.already_done ? 1 : 0;
  std::string none;
  world.broadcast(done, none, 0);
  if (done) {
    if (me == 0) {
      if (plan.manifest && !o.keep_checkpoint)
        plan.manifest->remove_all();
      if (!o.quiet)
        std::fprintf(stderr,
                     "resume: '%s' is already this job's complete output (an earlier run "
                     "finished it); nothing to do\n",
                     o.output.c_str());
      // The report says so (its counters are the earlier run's to tell).
      JobSummary summary = summary_of(o, plan, world.size(), workers, reducers);
      summary.checkpointing = !o.checkpoint_dir.empty();
      summary.resumed = summary.already_complete = true;
      try {
        summary.output_rows = io::OutputReader(o.output).rows();
      } catch (const std::exception &) { // checked as this job's: readable
      }
      summary.wall_seconds = seconds_since(start);
      if (!write_report(o, summary))
        return kExitFailed;
    }
    return 0;
  }
  std::string shared_bytes;
  if (me == 0) {
    Shared s{plan.split_points,
             plan.run_id,
             plan.partial_output,
             plan.fingerprint,
             plan.manifest != nullptr,
             reducers,
             plan.split_size,
             plan.manifest ? plan.manifest->partitions()
                           : std::map<std::uint32_t, ckpt::Commit>{}};
    shared_bytes = s.encode();
  }
  world.broadcast(code, shared_bytes, 0);
  const Shared shared = Shared::decode(shared_bytes);
  timeline.add("share the plan", t);
  reducers = shared.reducers;
  core::track_temp_file(shared.partial_output);

  // 2. Map, shuffle, reduce, write. A failure here ends every rank at once.
  io::OutputMeta meta;
  JobSummary summary = summary_of(o, plan, world.size(), workers, reducers);
  CoordinatorReport coordinated;
  const double cpu_at_start = cpu_seconds();
  try {
    std::unique_ptr<Job> job = make_job(o);
    const bool by_range = job->partitioning() == Partitioning::range;
    const core::Partitioner partitioner =
        by_range ? core::Partitioner(shared.split_points) : core::Partitioner(reducers);
    meta.job = o.job;
    meta.parameters = describe_parameters(job_params(o), reducers);
    meta.input = o.input;
    meta.reducers = reducers;
    meta.uint64_values = job->output_value_type() == ValueType::uint64;
    meta.export_format = export_format_name(job->export_format());
    meta.partitioning = by_range ? "range" : "hash";
    meta.fingerprint = shared.fingerprint;
    meta.split_size = shared.split_size;
    const bool is_worker = single || me != 0;
    const comm::Comm worker_comm = world.subset(is_worker);

    // Partitions committed by an earlier run: their owners load and check
    // them now, and every rank learns which ones need no shuffle or reduce.
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
    const auto partitions_reused =
        static_cast<std::uint64_t>(std::count(reused.begin(), reused.end(), true));
    const bool map_needed = partitions_reused < reducers;

    std::vector<std::optional<ckpt::Commit>> committed_tasks(plan.splits.size());
    if (me == 0 && plan.manifest)
      for (const auto &[t, c] : plan.manifest->maps())
        if (t < committed_tasks.size())
          committed_tasks[t] = c;
    if (me == 0 && plan.manifest && plan.manifest->resumed() && !o.quiet) {
      std::size_t tasks_committed = 0;
      for (const auto &c : committed_tasks)
        tasks_committed += c.has_value();
      if (map_needed)
        std::fprintf(stderr,
                     "resume: reusing %zu of %zu map task(s) and %llu of %u "
                     "partition(s) from '%s'; mapping %zu task(s) and reducing %llu "
                     "partition(s)\n",
                     tasks_committed, plan.splits.size(),
                     static_cast<unsigned long long>(partitions_reused), reducers,
                     o.checkpoint_dir.c_str(), plan.splits.size() - tasks_committed,
                     static_cast<unsigned long long>(reducers - partitions_reused));
      else
        std::fprintf(stderr,
                     "resume: reusing all %u partition(s) from '%s': no map, shuffle or "
                     "reduce\n",
                     reducers, o.checkpoint_dir.c_str());
      if (plan.manifest->damaged_records())
        std::fprintf(stderr, "resume: %zu damaged manifest record(s) ignored\n",
                     plan.manifest->damaged_records());
    }
    const std::vector<core::Split> no_tasks;
    const std::vector<core::Split> &tasks = map_needed ? plan.splits : no_tasks;

    WorkerStats mine;
    CounterSums counters;
    CoordinatorSetup setup;
    setup.workers = workers;
    setup.hosts = hosts;
    setup.task_timeout = o.task_timeout;
    setup.bytes_per_worker = plan.input_bytes / workers;
    setup.backups = o.backup_tasks && !single;
    setup.deadlines = !single; // a single rank has no other to watch
    setup.quiet = o.quiet;
    setup.manifest = plan.manifest ? plan.manifest.get() : nullptr;
    if (is_worker) {
      t = Clock::now();
      io::InputFile input = io::InputFile::open(o.input, worker_comm.native());
      job->start(input.info());
      timeline.add("open input", t);
      WorkerPlan wp;
      wp.options = &o;
      wp.partitioner = &partitioner;
      wp.partial_output = shared.partial_output;
      wp.meta = meta;
      wp.budget = budget;
      wp.timeline = &timeline;
      wp.scratch_dir = !o.scratch_dir.empty()      ? o.scratch_dir
                       : !o.checkpoint_dir.empty() ? o.checkpoint_dir
                                                   : ckpt::folder_of(o.output);
      wp.checkpoint = commit_names;
      if (single) {
        LocalTaskSource source(tasks, committed_tasks, setup);
        mine = run_worker(*job, wp, worker_comm, source, input, reused, reused_here,
                          counters);
        coordinated = source.report();
      } else {
        RemoteTaskSource source;
        mine = run_worker(*job, wp, worker_comm, source, input, reused, reused_here,
                          counters);
      }
    } else {
      t = Clock::now();
      coordinate_ranks(tasks, committed_tasks, setup, coordinated);
      timeline.add("coordinate", t);
    }
    t = Clock::now();
    world.idle_barrier(); // every worker has written its rows
    timeline.add("wait for the others", t);
    std::vector<double> all =
        world.gather(is_worker ? mine.to_vector() : std::vector<double>{}, 0);
    std::vector<std::string> gathered =
        world.gather_bytes(is_worker ? encode_counters(counters) : std::string(), 0);
    if (me == 0) {
      t = Clock::now();
      const std::size_t n = WorkerStats::field_names().size();
      for (std::size_t i = 0; i + n <= all.size(); i += n)
        summary.workers_stats.push_back(WorkerStats::from_vector(all.data() + i));
      for (const std::string &c : gathered)
        add_counters(c, summary.counters);
      if (!map_needed && plan.manifest)
        add_map_counters(*plan.manifest, plan.splits.size(), summary.counters, o.quiet);
      {
        io::OutputReader output(shared.partial_output);
        const auto &po = output.partition_offsets();
        for (std::size_t p = 0; p + 1 < po.size(); ++p)
          summary.partition_rows.push_back(po[p + 1] - po[p]);
        if (job->summarizes()) {
          output.for_each_row(
              [&](std::string_view k, std::string_view v) { job->summarize_row(k, v); },
              budget.limit ? budget.merge : io::OutputReader::kReadBudget);
          const std::string text = job->summary();
          std::fwrite(text.data(), 1, text.size(), stdout);
          std::fflush(stdout);
        }
      }
      summary.output_file_bytes = fs::file_size(shared.partial_output);
      commit_output(shared.partial_output, o.output, o.overwrite);
      core::forget_temp_file(shared.partial_output);
      summary.checkpointing = plan.manifest != nullptr;
      if (plan.manifest) {
        summary.resumed = plan.manifest->resumed();
        summary.damaged_manifest_records = plan.manifest->damaged_records();
        if (!o.keep_checkpoint)
          plan.manifest->remove_all();
      }
      summary.partitions_reused = partitions_reused;
      summary.partitions_recomputed = reducers - partitions_reused;
      summary.partitions_committed = coordinated.partitions_committed;
      timeline.add("read back and commit the output", t);
    }
  } catch (const std::exception &e) {
    std::fprintf(stderr, "mapreduce: error on rank %d: %s\n", me, e.what());
    std::fflush(stderr);
    ::unlink(shared.partial_output.c_str());
    world.abort(code_of_failure(e));
  }

  // Every rank's timeline (the others wait here while rank 0 commits).
  const std::vector<std::string> timelines = world.gather_bytes(timeline.encode(), 0);
  if (me == 0) {
    summary.timelines = timelines;
    summary.hosts = hosts;
    summary.split_seconds = plan.split_seconds;
    summary.sample_seconds = plan.sample_seconds;
    summary.tasks_reused = coordinated.tasks_reused;
    summary.tasks_recomputed = coordinated.tasks_damaged;
    summary.tasks_mapped = coordinated.tasks_mapped;
    summary.backups_started = coordinated.backups_started;
    summary.backups_won = coordinated.backups_won;
    summary.wall_seconds = seconds_since(start);
    summary.coordinator_cpu_seconds = single ? 0 : cpu_seconds() - cpu_at_start;
    summary.coordinator_peak_rss_bytes = single ? 0 : peak_rss_bytes();
    for (const auto &w : summary.workers_stats)
      summary.output_rows += static_cast<std::uint64_t>(w.rows_out);
    if (!write_report(o, summary))
      return kExitFailed;
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
