// src/engine/plan.cpp: see plan.h.
#include "engine/plan.h"

#include "engine/crash_record.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt/checkpoint.h"
#include "ckpt/durable_file.h"
#include "comm/wire.h"
#include "core/checksum.h"
#include "engine/node_memory.h"
#include "engine/sample.h"
#include "engine/stats.h"
#include "io/input.h"
#include "io/multi_input.h"
#include "io/output_path.h"
#include "io/output_reader.h"
#include "mr/registry.h"

namespace fs = std::filesystem;

namespace boost::serialization {
template <class Archive>
void serialize(Archive &ar, mr::engine::SharedPlan &s, unsigned) {
  ar &s.split_points &s.run_id &s.partial_output &s.fingerprint &s.checkpoint_dir;
  ar &s.reducers &s.split_size &s.partitions;
}
} // namespace boost::serialization

namespace mr::engine {

std::string describe_parameters(const Params &params, std::uint32_t reducers) {
  std::ostringstream s;
  s << "reducers=" << reducers;
  for (const auto &[k, v] : params)
    s << " " << k << "=" << v;
  return s.str();
}

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

namespace {

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
  for (const std::string &input : o.inputs)
    if (fs::exists(o.output, ec) && fs::exists(input, ec) &&
        fs::equivalent(input, o.output, ec))
      throw io::InputError("output '" + o.output + "' is the input '" + input +
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
  if (o.skip_bad_records && o.task_attempts < 2)
    throw io::InputError("--skip-bad-records skips a record at its second failure: it "
                         "needs --task-attempts 2 or more");
  if (!(o.task_timeout > 0))
    throw io::InputError("--task-timeout must be more than 0 seconds");
}

/// What identifies the job for its checkpoint (ckpt/manifest.h).
ckpt::Fingerprint fingerprint(const RunOptions &o, const io::Input &input,
                              const Plan &plan) {
  const std::uint32_t reducers = plan.reducers;
  ckpt::Fingerprint fp;
  fp.add("checkpoint_format", ckpt::kFormat);
  fp.add("job", o.job);
  fp.add("parameters", describe_parameters(job_params(o), reducers));
  fp.add("reducers", std::to_string(reducers));
  // Each input: its path, size and time, its file table, and (an output
  // read as pairs) its checksums. The first input's fields keep the names
  // they had when a run took one input.
  const auto *multi = dynamic_cast<const io::MultiInput *>(&input);
  for (std::size_t k = 0; k < o.inputs.size(); ++k) {
    std::string n;
    if (k > 0)
      n = std::string("#").append(std::to_string(k + 1));
    const io::Input &part = multi ? multi->part(k) : input;
    std::error_code ec;
    fp.add("input" + n, fs::weakly_canonical(o.inputs[k], ec).string());
    struct stat st {};
    ::stat(o.inputs[k].c_str(), &st);
    fp.add("input_size" + n, std::to_string(st.st_size));
    fp.add("input_modified" + n,
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec));
    const InputInfo &info = part.info();
    core::Hasher meta;
    meta.update(io::format_name(info.format));
    meta.update(std::to_string(info.record_size));
    meta.update({info.name_bytes.data(), info.name_bytes.size()});
    meta.update({reinterpret_cast<const char *>(info.name_offsets.data()),
                 info.name_offsets.size() * 8});
    meta.update({reinterpret_cast<const char *>(info.file_offsets.data()),
                 info.file_offsets.size() * 8});
    fp.add("input_metadata_xxh3" + n, core::hex64(meta.digest()));
    if (const std::string digest = part.content_digest(); !digest.empty())
      fp.add("input_content_xxh3" + n, digest); // an output read as pairs: its checksums
  }
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

/// What an earlier run of this job fixed, for --resume: the checkpoint's
/// reducers and split size or, with no checkpoint (a run killed after its
/// output was in place and its checkpoint removed), those of that output.
struct EarlierShape {
  std::optional<std::uint32_t> reducers;
  std::optional<std::uint64_t> split_size;
};

EarlierShape earlier_shape(const RunOptions &o) {
  EarlierShape shape;
  if (!o.resume)
    return shape;
  auto number = [](const std::string *text) -> std::optional<std::uint64_t> {
    if (!text || text->empty() || text->size() > 19 ||
        text->find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt; // damaged: the fingerprint check will say so
    return std::stoull(*text);
  };
  if (const auto fp = ckpt::committed_fingerprint(o.checkpoint_dir)) {
    if (const auto r = number(fp->find("reducers")); r && *r <= UINT32_MAX)
      shape.reducers = static_cast<std::uint32_t>(*r);
    shape.split_size = number(fp->find("split_size"));
  } else if (const auto meta = existing_output_meta(o.output)) {
    shape.reducers = static_cast<std::uint32_t>(meta->reducers);
    if (meta->split_size)
      shape.split_size = meta->split_size;
  }
  return shape;
}

} // namespace

/// This rank's --memory-limit in bytes (0: none). Auto: half the node's
/// memory (the smallest that applies: engine/node_memory.h), shared by the
/// workers on it.
std::uint64_t memory_limit_of(const RunOptions &o, int workers_on_node) {
  if (o.memory_limit)
    return *o.memory_limit;
  const NodeMemory node = node_memory();
  if (node.bytes == 0)
    return 0;
  // A node holding only the coordinator still gives it a share.
  const auto sharers = static_cast<std::uint64_t>(std::max(1, workers_on_node));
  return std::max(kMinMemoryLimit, node.bytes / 2 / sharers);
}

std::string memory_limit_source(const RunOptions &o) {
  if (o.memory_limit)
    return *o.memory_limit ? "--memory-limit" : "none (--memory-limit none)";
  const NodeMemory node = node_memory();
  return node.bytes
             ? "auto: half of " + node.source + " on rank 0's node, shared by its workers"
             : "none (auto found no memory size)";
}

namespace {

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
                        const std::vector<core::Split> &splits, const io::Input &input) {
  if (budget.limit == 0)
    return;
  for (const core::Split &s : splits)
    if (s.size() > budget.limit / 4)
      throw io::InputError(
          "input '" + o.input_list() +
          "': a record longer than a task may be makes map task " + std::to_string(s.id) +
          " (input bytes " + std::to_string(s.begin) + ".." + std::to_string(s.end) +
          ", in " + input.files_between(s.begin, s.end) + ") " + mib(s.size()) +
          " long, more than a quarter of --memory-limit " + mib(budget.limit) +
          " (records are never cut): raise --memory-limit to at " + "least " +
          mib(4 * s.size()) + ", or split that record");
}

/// Refuses `input` at position k of the run when the job reads another
/// format there.
void check_format(const RunOptions &o, const Job &job, std::size_t k,
                  const io::Input &input) {
  const std::vector<InputFormat> declared = job.input_formats();
  const InputFormat wants = declared.empty() ? job.input_format() : declared[k];
  const InputFormat holds = input.info().format;
  if (declared.empty() ? job.reads(holds) : wants == holds)
    return;
  std::string which;
  if (o.inputs.size() > 1)
    which = std::string(" as its input ").append(std::to_string(k + 1));
  std::string reads; // what the job reads there, all of it
  for (const InputFormat f :
       {InputFormat::lines, InputFormat::records, InputFormat::pairs})
    if (declared.empty() ? job.reads(f) : f == wants)
      reads.append(reads.empty() ? "" : " or ").append(io::describe_format(f));
  const std::string head = "job " + o.job + " reads " + reads + which + ", but '" +
                           o.inputs[k] + "' holds " + io::describe_format(holds) +
                           " (it is " + input.kind() + ")";
  if (wants == InputFormat::pairs)
    throw io::InputError(head + ": give it the output of a run, or import key TAB "
                                "value lines with 'mapreduce import --format tsv'");
  throw io::InputError(head + ": import its files with 'mapreduce import --format " +
                       io::format_name(wants) + "'");
}

/// The inputs, opened and checked against what the job reads.
std::unique_ptr<io::Input> open_input_for(const RunOptions &o, const Job &job) {
  const std::vector<InputFormat> declared = job.input_formats();
  if (!declared.empty() && declared.size() != o.inputs.size())
    throw io::InputError("job " + o.job + " reads " + std::to_string(declared.size()) +
                         " inputs (-i A -i B ...), not " +
                         std::to_string(o.inputs.size()));
  std::vector<std::unique_ptr<io::Input>> parts;
  for (std::size_t k = 0; k < o.inputs.size(); ++k) {
    std::unique_ptr<io::Input> input = io::open_input(o.inputs[k]);
    if (!input->verifiable() && !o.quiet)
      std::fprintf(stderr,
                   "mapreduce: warning: input '%s' has no checksums (written by an older "
                   "version): damage in it cannot be detected; make it again to add "
                   "them\n",
                   o.inputs[k].c_str());
    check_format(o, job, k, *input);
    parts.push_back(std::move(input));
  }
  if (parts.size() == 1)
    return std::move(parts.front());
  return std::make_unique<io::MultiInput>(std::move(parts));
}

/// Partitions, split size and the tasks themselves. A resumed job keeps the
/// earlier run's tasks and partitions, whatever the rank count now (a node
/// lost, or more of them).
void cut_into_tasks(const RunOptions &o, int workers, const MemoryBudget &budget,
                    const io::Input &input, Plan &plan) {
  const EarlierShape earlier = earlier_shape(o);
  // Four partitions a worker by default: a worker's reduce then sorts four
  // smaller tables that stay closer to its caches (real text, -n 3, medians
  // of 7: reduce 0.20 -> 0.12 s, whole run 1.07 -> 0.97 s), and a partition
  // is a quarter of what a worker receives (the unit that must fit memory
  // when a reduce emits out of order, and that a resume reuses).
  plan.reducers = o.reducers ? o.reducers
                  : earlier.reducers
                      ? *earlier.reducers
                      : static_cast<std::uint32_t>(std::min(4 * workers, 1 << 16));
  plan.split_size = o.split_size ? o.split_size : auto_split_size(input.size(), workers);
  if (!o.split_size && budget.limit)
    plan.split_size =
        std::min(plan.split_size, std::max<std::uint64_t>(budget.max_split, 1));
  if (!o.split_size && earlier.split_size)
    plan.split_size = *earlier.split_size;
  check_memory_limit(o, budget, plan.split_size);
  const io::RecordFormat &format = input.format();
  plan.split_size = format.task_size(plan.split_size); // a task is whole records
  auto read = [&](std::uint64_t at, std::uint64_t n, char *dst) {
    input.read(at, n, dst);
  };
  plan.splits = core::split_input(input.size(), plan.split_size, [&](std::uint64_t pos) {
    return format.next_start(pos, input.size(), read);
  });
}

/// With --resume, an output already in place is this job's finished result
/// (a run that died after putting it there, say a rank killed while
/// finishing), or it is refused.
void check_existing_output(const RunOptions &o, Plan &plan) {
  std::error_code ec;
  if (!o.resume || o.overwrite || !fs::exists(o.output, ec))
    return;
  const auto theirs = existing_output_meta(o.output);
  if (!theirs || theirs->fingerprint != plan.fingerprint)
    throw io::InputError("output '" + o.output +
                         "' exists and is not this job's result; pass --overwrite to "
                         "replace it");
  plan.already_done = true;
}

ckpt::Manifest open_manifest(const RunOptions &o, const ckpt::Fingerprint &fp) {
  const auto mode = o.resume          ? ckpt::OpenMode::resume
                    : o.restart_fresh ? ckpt::OpenMode::restart_fresh
                                      : ckpt::OpenMode::fresh;
  try {
    return ckpt::Manifest::open(o.checkpoint_dir, fp, mode);
  } catch (const ckpt::CheckpointRefused &e) {
    throw io::InputError(e.what());
  }
}

} // namespace

/// Checks everything the user gave and cuts the input into tasks (rank 0).
Plan plan_job(const RunOptions &o, int workers, const MemoryBudget &budget) {
  std::unique_ptr<Job> job = make_job(o); // a job refuses bad parameters here
  if (o.round_bytes == 0)
    throw io::InputError("--round-size must be at least 1 byte");
  check_paths(o);
  const std::unique_ptr<io::Input> opened = open_input_for(o, *job);
  const io::Input &input = *opened;
  job->start(input.info());
  auto t = Clock::now();
  Plan plan;
  plan.input_bytes = input.size();
  cut_into_tasks(o, workers, budget, input, plan);
  plan.split_seconds = seconds_since(t);
  check_record_sizes(o, budget, plan.splits, input);
  if (job->partitioning() == Partitioning::range) {
    t = Clock::now();
    plan.split_points = sample_split_points(*job, input, plan.reducers).split_points;
    plan.sample_seconds = seconds_since(t);
  }
  plan.run_id = new_run_id();
  plan.partial_output = partial_name(o.output, plan.run_id);
  const ckpt::Fingerprint fp = fingerprint(o, input, plan);
  plan.fingerprint = core::hex64(fp.digest());
  check_existing_output(o, plan);
  if (!o.checkpoint_dir.empty()) {
    plan.checkpoint = std::make_unique<ckpt::Checkpoint>(
        open_manifest(o, fp), plan.run_id + "-r0", fp.digest());
    // Records that crashed ranks of earlier runs of this checkpoint (a new
    // checkpoint's folder may hold stale ones: they go).
    if (plan.manifest()->resumed()) {
      std::size_t damaged = 0;
      plan.crashes = crash::read_records(o.checkpoint_dir, damaged);
      if (damaged && !o.quiet)
        std::fprintf(stderr, "resume: %zu damaged crash record(s) in '%s' left out\n",
                     damaged, o.checkpoint_dir.c_str());
    } else {
      crash::remove_records(o.checkpoint_dir);
    }
  }
  return plan;
}

SharedPlan SharedPlan::of(const Plan &plan) {
  SharedPlan s;
  s.split_points = plan.split_points;
  s.run_id = plan.run_id;
  s.partial_output = plan.partial_output;
  s.fingerprint = plan.fingerprint;
  s.checkpoint_dir = plan.checkpoint ? plan.checkpoint->dir() : std::string();
  s.reducers = plan.reducers;
  s.split_size = plan.split_size;
  if (plan.checkpoint)
    s.partitions = plan.checkpoint->manifest()->partitions();
  return s;
}

std::string SharedPlan::encode() const {
  return comm::to_bytes(*this);
}

SharedPlan SharedPlan::decode(std::string_view bytes) {
  return comm::from_bytes<SharedPlan>(bytes);
}

} // namespace mr::engine
