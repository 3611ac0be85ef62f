// src/engine/worker.cpp: see worker.h.
#include "engine/worker.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "comm/shuffle.h"
#include "core/console.h"
#include "core/hash.h"
#include "engine/combine_outgoing.h"
#include "engine/crash_record.h"
#include "engine/map_outputs.h"
#include "engine/map_task.h"
#include "engine/partition_inbox.h"
#include "engine/reduce_partition.h"
#include "io/output_writer.h"
#include "mr/registry.h"

namespace mr::engine {

namespace {

using comm::MessageKind;
using comm::Outcome;
using comm::TaskKind;

comm::WorkerMessage message(MessageKind kind, std::string text = {}) {
  comm::WorkerMessage m;
  m.kind = kind;
  m.text = std::move(text);
  return m;
}

/// The report's marks of a map task copy that ended with `outcome`.
std::string task_marks(bool backup, Outcome outcome) {
  std::string marks = backup ? "backup" : "";
  const char *how = outcome == Outcome::abandoned     ? "abandoned"
                    : outcome == Outcome::job_failed  ? "failed"
                    : outcome == Outcome::failed      ? "failed"
                    : outcome == Outcome::load_failed ? "load_failed"
                                                      : "";
  if (*how)
    marks += (marks.empty() ? "" : ",") + std::string(how);
  return marks;
}

comm::WorkerMessage phase_message(Phase phase, const std::string &what,
                                  std::uint64_t amount, std::uint64_t of) {
  comm::WorkerMessage m = message(MessageKind::progress, what);
  m.task = static_cast<std::int64_t>(phase);
  m.amount = amount;
  m.of = of;
  return m;
}

} // namespace

std::optional<TaskToDo> RemoteTaskSource::next(const comm::WorkerMessage &report,
                                               bool &accepted) {
  comm::Assignment a = client_.request(report);
  accepted = a.accepted;
  if (a.kind == TaskKind::none)
    return std::nullopt;
  return TaskToDo{a.kind,
                  core::Split{static_cast<std::uint32_t>(a.id), a.begin, a.end},
                  std::move(a.commit),
                  std::move(a.skip),
                  a.isolate,
                  a.backup};
}

bool RemoteTaskSource::cancelled(std::uint32_t task) {
  while (auto id = client_.poll_cancel())
    if (*id == static_cast<std::int64_t>(task))
      return true; // others are stale: tasks this worker already reported
  return false;
}

void RemoteTaskSource::drain_cancellations() {
  while (client_.poll_cancel()) {
  }
}

void RemoteTaskSource::committed(const ckpt::Commit &partition) {
  comm::WorkerMessage m = message(MessageKind::committed);
  m.commit = partition;
  client_.tell(m);
}

void RemoteTaskSource::progress(const std::string &what) {
  client_.tell(message(MessageKind::progress, what));
}

void RemoteTaskSource::phase(Phase phase, const std::string &what, std::uint64_t amount,
                             std::uint64_t of) {
  client_.tell(phase_message(phase, what, amount, of));
}

void RemoteTaskSource::finished() {
  client_.tell(message(MessageKind::finished));
}

LocalTaskSource::LocalTaskSource(
    const std::vector<core::Split> &splits,
    const std::vector<std::optional<ckpt::Commit>> &committed,
    const CoordinatorSetup &setup)
    : coordinator_(splits, committed, setup, report_, channel_,
                   std::chrono::steady_clock::now()) {}

void LocalTaskSource::send(comm::WorkerMessage m) {
  m.source = 1;
  channel_.send(std::move(m));
  // A TaskFailed goes up as it is: said without a rank and ended with exit
  // code 1, as over MPI (run.cpp).
  coordinator_.step(channel_.wait({}), std::chrono::steady_clock::now());
}

std::optional<TaskToDo> LocalTaskSource::next(const comm::WorkerMessage &report,
                                              bool &accepted) {
  send(report);
  // One worker: it always gets an answer (a task, or the end of the phase).
  std::optional<comm::Assignment> a = channel_.take_assignment(1);
  if (!a)
    throw std::logic_error("the coordinator left the only worker without an answer");
  accepted = a->accepted;
  if (a->kind == TaskKind::none)
    return std::nullopt;
  return TaskToDo{a->kind,
                  core::Split{static_cast<std::uint32_t>(a->id), a->begin, a->end},
                  std::move(a->commit),
                  std::move(a->skip),
                  a->isolate,
                  a->backup};
}

void LocalTaskSource::committed(const ckpt::Commit &partition) {
  comm::WorkerMessage m = message(MessageKind::committed);
  m.commit = partition;
  send(std::move(m));
}

void LocalTaskSource::progress(const std::string &what) {
  send(message(MessageKind::progress, what));
}

void LocalTaskSource::phase(Phase phase, const std::string &what, std::uint64_t amount,
                            std::uint64_t of) {
  send(phase_message(phase, what, amount, of));
}

void LocalTaskSource::finished() {
  send(message(MessageKind::finished));
}

ReusedPartitions
load_committed_partitions(const std::map<std::uint32_t, ckpt::Commit> &committed,
                          const ckpt::Checkpoint &checkpoint, core::PartitionRange mine,
                          bool quiet) {
  ReusedPartitions out;
  for (const auto &[p, commit] : committed) {
    if (p < mine.begin || p >= mine.end)
      continue;
    try {
      checkpoint.check(commit, 0);
    } catch (const ckpt::DamagedCommit &e) {
      if (!quiet)
        core::end_stderr_line();
      std::fprintf(stderr, "resume: partition %u: %s; reducing it again\n", p, e.what());
      continue;
    }
    out.commits.emplace(p, commit);
  }
  return out;
}

namespace {

/// One worker's run, phase by phase; the members are what one phase hands
/// to the next (map output to the shuffle, received pairs to reduce, rows
/// to the write).
class WorkerRun {
public:
  WorkerRun(Job &job, const WorkerPlan &plan, const comm::Comm &workers,
            TaskSource &tasks, const io::Input &input, CounterSums &counters)
      : job_(job), plan_(plan), workers_(workers), tasks_(tasks), input_(input),
        counters_(counters), budget_(plan.budget), R_(plan.partitioner->count()),
        W_(static_cast<std::uint32_t>(workers.size())),
        mine_(core::partitions_of_worker(static_cast<std::uint32_t>(workers.rank()), W_,
                                         R_)),
        outputs_(budget_.map_outputs, plan.scratch_dir),
        combined_(budget_.map_outputs, plan.scratch_dir) {
    stats.memory_limit_bytes = budget_.limit;
    take_counters(job); // what start() counted is not a task's
  }

  void map_phase();
  void shuffle_phase(const std::vector<bool> &reused);
  void reduce_phase(const ReusedPartitions &mine_reused);
  void write_phase();

  WorkerStats stats;

private:
  /// A task's output reported to the coordinator, kept only once it is
  /// accepted (another copy of the task may win).
  struct Reported {
    bool output = false;
    std::string counters; // its counter increments
    std::string file;     // its checkpoint file, if any
  };
  void settle(const Reported &last, bool accepted);
  Reported load_task(const TaskToDo &task, comm::WorkerMessage &report);
  Reported map_task(const TaskToDo &task, comm::WorkerMessage &report);
  void reserve_like_last_task(MapTaskOutput &out, std::uint64_t input_bytes);
  void read_task_input(const core::Split &split, comm::WorkerMessage &report);
  std::string describe_split(const core::Split &split) const;
  std::string describe_record(const RecordFailed &r) const;
  void combine_before_sending(const std::vector<bool> &reused);
  std::uint64_t keep_own_runs(std::vector<comm::Pieces> &to, PartitionInbox &inbox);
  std::vector<comm::Pieces> outgoing(const std::vector<bool> &reused,
                                     std::deque<std::array<char, kFrameHeader>> &headers);
  void load_partition(std::uint32_t p, const ckpt::Commit &commit);
  void reduce_partition(std::uint32_t p);
  static int world_rank() { return comm::Comm::world().rank(); }
  void phase_done(const char *name, Clock::time_point begin, double &seconds) {
    seconds = seconds_since(begin);
    if (plan_.timeline)
      plan_.timeline->add(name, begin);
  }

  Job &job_;
  const WorkerPlan &plan_;
  const comm::Comm &workers_;
  TaskSource &tasks_;
  const io::Input &input_;
  CounterSums &counters_;
  const MemoryBudget &budget_;
  const std::uint32_t R_, W_;
  const core::PartitionRange mine_; // the partitions this worker reduces
  core::CombineTable table_;
  ReduceWorkspace reduce_work_; // kept from one partition to the next
  std::vector<char> buffer_;    // one task's input
  // The last task's input bytes, and its output bytes in each partition.
  std::uint64_t last_input_ = 0;
  std::vector<std::uint64_t> last_output_;
  MapOutputStore outputs_;
  MapOutputStore combined_;       // outputs_ combined across tasks, by partition
  std::vector<bool> in_combined_; // the partitions sent from combined_
  std::optional<PartitionInbox> inbox_;
  std::optional<io::RowSpool> rows_;
};

// Map: pull tasks until the coordinator says the phase is over.
void WorkerRun::map_phase() {
  const auto begin = Clock::now();
  comm::WorkerMessage report = message(MessageKind::request);
  Reported last;
  bool accepted = true; // the coordinator's answer to the last report
  while (auto task = tasks_.next(report, accepted)) {
    settle(last, accepted);
    report = message(MessageKind::request);
    report.task = task->split.id;
    const auto t0 = Clock::now();
    const bool load = task->kind == TaskKind::load;
    last = load ? load_task(*task, report) : map_task(*task, report);
    if (plan_.timeline)
      plan_.timeline->event(load ? "map_load" : "map", task->split.id, t0,
                            task_marks(task->backup, report.outcome));
  }
  settle(last, accepted);
  tasks_.drain_cancellations();
  buffer_ = std::vector<char>();
  phase_done("map", begin, stats.map_seconds);
}

void WorkerRun::settle(const Reported &last, bool accepted) {
  if (!last.output)
    return;
  if (accepted) {
    add_counters(last.counters, counters_);
    return;
  }
  if (plan_.timeline)
    plan_.timeline->mark_last("lost");
  outputs_.drop_last(); // another copy won: drop ours
  if (!last.file.empty())
    std::filesystem::remove(plan_.checkpoint->dir() + "/" + last.file);
}

WorkerRun::Reported WorkerRun::load_task(const TaskToDo &task,
                                         comm::WorkerMessage &report) {
  Reported done;
  ckpt::TaskRuns runs;
  try {
    if (!task.commit)
      throw ckpt::DamagedCommit("no commit to load");
    runs = plan_.checkpoint->locate_map_task(*task.commit, R_, done.counters);
  } catch (const ckpt::DamagedCommit &e) {
    report.outcome = Outcome::load_failed;
    report.text = e.what();
    return {};
  }
  outputs_.add_committed(plan_.checkpoint->path(*task.commit), runs);
  stats.tasks_loaded += 1;
  report.outcome = Outcome::done;
  done.output = true;
  return done;
}

WorkerRun::Reported WorkerRun::map_task(const TaskToDo &task,
                                        comm::WorkerMessage &report) {
  const core::Split &split = task.split;
  read_task_input(split, report);
  MapTaskOutput out;
  out.task_id = split.id;
  reserve_like_last_task(out, split.size());
  auto keep_going = [&] { return !tasks_.cancelled(split.id); };
  MapTaskStats s;
  const MapInput in{{buffer_.data(), buffer_.size()},
                    split.begin,
                    &input_.info(),
                    &input_.format(),
                    split.id,
                    task.skip};
  try {
    s = run_map_task(job_, in, *plan_.partitioner, table_, out, budget_.combine,
                     keep_going);
  } catch (const TaskCancelled &) {
    take_counters(job_);
    report.outcome = Outcome::abandoned;
    stats.tasks_abandoned += 1;
    return {};
  } catch (const std::exception &e) {
    // The job's code failed on it (or the engine did, mapping it): the
    // coordinator tries it again, elsewhere first; what it counted is dropped.
    report.outcome = Outcome::job_failed;
    const auto *on_record = dynamic_cast<const RecordFailed *>(&e);
    std::optional<RecordFailed> found;
    if (!on_record && task.isolate) { // --skip-bad-records: which record?
      try {
        find_failing_record(job_, in, [&](const std::string &what) {
          tasks_.progress(what + " of task " + std::to_string(split.id));
        });
      } catch (const RecordFailed &r) {
        found = r;
        on_record = &*found;
      } catch (const std::exception &) { // the search itself failed: no record named
      }
    }
    report.text = describe_split(split);
    if (on_record) {
      report.bad_record = on_record->offset;
      report.bad_where = describe_record(*on_record);
      report.text += ", on the record at " + report.bad_where;
    }
    report.text += std::string(": ") + (on_record ? on_record->what() : e.what());
    take_counters(job_);
    stats.tasks_failed += 1;
    return {};
  }
  Reported done;
  done.output = true;
  done.counters = take_counters(job_);
  std::string committed_path;
  ckpt::TaskRuns committed_runs;
  if (plan_.checkpoint) {
    const auto c0 = Clock::now();
    const ckpt::Commit c =
        plan_.checkpoint->commit_map_task(out.task_id, out.partitions, done.counters);
    stats.checkpoint_seconds += seconds_since(c0);
    stats.checkpoint_bytes += c.bytes;
    report.commit = c;
    done.file = c.file;
    committed_path = plan_.checkpoint->path(c);
    committed_runs =
        ckpt::Checkpoint::map_task_runs(out.partitions, done.counters.size());
  }
  stats.tasks += 1;
  stats.records_in += s.records;
  stats.bytes_in += s.bytes_in;
  stats.pairs_emitted += s.pairs_emitted;
  stats.map_pairs_out += s.pairs_out;
  stats.map_bytes_out += s.bytes_out;
  report.outcome = Outcome::done;
  last_output_.assign(R_, 0);
  for (std::uint32_t p = 0; p < R_; ++p)
    last_output_[p] = out.partitions[p].bytes().size();
  last_input_ = s.bytes_in;
  outputs_.add(std::move(out), committed_path, committed_runs);
  return done;
}

/// Tasks of a job emit alike: each partition gets room for what the last
/// task put there, scaled to this task's input, and a little more. Growing
/// by doubling instead copied each buffer again and touched up to twice its
/// pages (a third of sort's map phase); what is not used goes back when the
/// output is stored (MapOutputStore::add).
void WorkerRun::reserve_like_last_task(MapTaskOutput &out, std::uint64_t input_bytes) {
  out.partitions.resize(R_);
  if (last_input_ == 0 || last_output_.size() != R_)
    return;
  const double scale =
      static_cast<double>(input_bytes) / static_cast<double>(last_input_);
  for (std::uint32_t p = 0; p < R_; ++p) {
    const auto expect =
        static_cast<std::uint64_t>(static_cast<double>(last_output_[p]) * scale);
    if (expect >= 4096) // smaller ones grow cheaply
      out.partitions[p].reserve(expect + expect / 16);
  }
}

/// "FILE at byte N: \"its first bytes\"": a record, for people.
std::string WorkerRun::describe_record(const RecordFailed &r) const {
  char text[512];
  core::FixedText where(text, sizeof text);
  crash::describe_record(where, input_.info(), r.offset, r.file, r.head);
  return std::string(where.view());
}

/// "input bytes B to E (in FILE, FILE)": where a task's records are.
std::string WorkerRun::describe_split(const core::Split &split) const {
  const InputInfo &info = input_.info();
  std::string files;
  for (std::size_t f = 0; f < info.files(); ++f) {
    const std::uint64_t begin = info.file_begin(f), end = info.file_offsets[f + 1];
    if (begin < split.end && split.begin < end && begin < end)
      files.append(files.empty() ? "" : ", ").append(info.file_name(f));
  }
  return "input bytes " + std::to_string(split.begin) + " to " +
         std::to_string(split.end) +
         (files.empty() ? std::string() : " (in " + files + ")");
}

void WorkerRun::read_task_input(const core::Split &split, comm::WorkerMessage &report) {
  buffer_.resize(split.size());
  try {
    input_.read_verified(split.begin, split.size(), buffer_.data());
  } catch (const io::InputError &e) {
    // Damaged input: reported once, by the coordinator, which ends the job
    // (several workers may find the same damage at once).
    report.outcome = Outcome::failed;
    report.text = e.what();
    bool accepted = false;
    tasks_.next(report, accepted); // does not return
    throw;
  }
}

// Shuffle: every partition's runs go to the worker that owns it, except
// partitions taken from the checkpoint. Workers that finish mapping first
// wait here without spinning.
void WorkerRun::shuffle_phase(const std::vector<bool> &reused) {
  const auto begin = Clock::now();
  tasks_.phase(Phase::shuffle, "the shuffle", 0, 0);
  workers_.idle_barrier();
  combine_before_sending(reused);
  std::deque<std::array<char, kFrameHeader>> headers; // the pieces point into it
  std::vector<comm::Pieces> to = outgoing(reused, headers);
  inbox_.emplace(job_, mine_, static_cast<int>(W_), budget_.inbox, plan_.scratch_dir);
  PartitionInbox &inbox = *inbox_;
  const std::uint64_t own_bytes = keep_own_runs(to, inbox);
  const comm::SendMode mode = plan_.options->shuffle_send == "datatypes"
                                  ? comm::SendMode::datatypes
                                  : comm::SendMode::packed;
  stats.shuffle_packed = mode == comm::SendMode::packed ? 1 : 0;
  std::int64_t rounds_done = 0;
  auto round_begin = Clock::now();
  const comm::ShuffleStats shuffled = comm::shuffle(
      workers_, to, budget_.round,
      [&](int source, std::string_view bytes) { inbox.receive(source, bytes); },
      [&](const std::vector<std::uint64_t> &incoming) { return inbox.expect(incoming); },
      [&](std::uint64_t received, std::uint64_t to_receive) {
        if (plan_.timeline)
          plan_.timeline->event("round", rounds_done, round_begin);
        ++rounds_done;
        round_begin = Clock::now();
        tasks_.phase(Phase::shuffle, "the shuffle", received, to_receive);
      },
      mode);
  inbox.finish();
  to.clear();
  headers.clear();
  stats.map_spilled_bytes = outputs_.spilled_bytes() + combined_.spilled_bytes();
  if (inbox.own_in_place()) { // read from the map output by the reduce
    outputs_.keep_only(mine_);
    combined_.keep_only(mine_);
    for (std::uint32_t p = mine_.begin; p < mine_.end; ++p) {
      if (reused[p]) { // taken from the checkpoint: none of its runs is read
        outputs_.release_partition(p);
        combined_.release_partition(p);
      } else { // the copy not read
        (in_combined_[p] ? outputs_ : combined_).release_partition(p);
      }
    }
  } else {
    outputs_.clear();
    combined_.clear();
  }
  stats.shuffle_bytes_sent = shuffled.bytes_sent + own_bytes;
  stats.shuffle_bytes_received = shuffled.bytes_received + own_bytes;
  stats.shuffle_rounds = shuffled.rounds;
  phase_done("shuffle", begin, stats.shuffle_seconds);
}

/// Takes this worker's stream to itself out of `to` when all of it is in
/// memory: the inbox reads those runs where they are (when everything fits)
/// instead of the shuffle copying them twice (packed, then by MPI) into
/// fresh memory. Returns their bytes as a stream would have framed them.
std::uint64_t WorkerRun::keep_own_runs(std::vector<comm::Pieces> &to,
                                       PartitionInbox &inbox) {
  const int me = workers_.rank();
  comm::Pieces &own = to[static_cast<std::size_t>(me)];
  std::vector<PartitionInbox::OwnRun> runs;
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i + 1 < own.size(); i += 2) { // header, run
    const comm::Piece &header = own[i], &run = own[i + 1];
    if (header.source || run.source || header.bytes.size() != kFrameHeader)
      return 0; // some on disk: sent to itself as before
    std::uint32_t p;
    std::memcpy(&p, header.bytes.data(), 4);
    runs.push_back({p, run.bytes});
    bytes += kFrameHeader + run.bytes.size();
  }
  inbox.keep_own(me, std::move(runs));
  own.clear();
  return bytes;
}

/// Combines the map output of this worker's tasks, partition by partition
/// (combine_outgoing.h), before any of it is sent.
void WorkerRun::combine_before_sending(const std::vector<bool> &reused) {
  const auto begin = Clock::now();
  outputs_.flush();
  OutgoingCombineLimits limits;
  limits.table_bytes = budget_.combine;
  limits.read_bytes = budget_.limit ? budget_.round : 8 << 20;
  limits.chunk_bytes = budget_.limit ? budget_.map_outputs / 4 : 0;
  OutgoingCombineStats s;
  in_combined_ = combine_outgoing(job_, outputs_, reused, table_, limits, combined_, s);
  // The table, used by the map phase and then by the pass, within the
  // same share: freed before the shuffle, whose buffers take its share.
  if (budget_.limit)
    table_ = core::CombineTable();
  combined_.flush();
  stats.shuffle_combine_seconds = seconds_since(begin);
  stats.shuffle_combine_pairs_in = s.pairs_in;
  stats.shuffle_combine_pairs_out = s.pairs_out;
}

/// The framed runs of map output for each worker, in partition order.
std::vector<comm::Pieces>
WorkerRun::outgoing(const std::vector<bool> &reused,
                    std::deque<std::array<char, kFrameHeader>> &headers) {
  std::vector<std::uint32_t> owner(R_);
  for (std::uint32_t w = 0; w < W_; ++w) {
    auto range = core::partitions_of_worker(w, W_, R_);
    for (std::uint32_t p = range.begin; p < range.end; ++p)
      owner[p] = w;
  }
  std::vector<comm::Pieces> to(W_);
  for (std::uint32_t p = 0; p < R_; ++p) {
    if (reused[p])
      continue;
    comm::Pieces &dest = to[owner[p]];
    auto add = [&](const comm::Piece &run) {
      headers.push_back(frame_header(p, run.size));
      dest.emplace_back(std::string_view(headers.back().data(), kFrameHeader));
      dest.push_back(run);
    };
    if (in_combined_[p])
      combined_.for_each_run(p, add);
    else
      outputs_.for_each_run(p, add);
  }
  return to;
}

// Reduce each of this worker's partitions in partition order, or take it
// from the checkpoint; commit each one reduced.
void WorkerRun::reduce_phase(const ReusedPartitions &mine_reused) {
  const auto begin = Clock::now();
  rows_.emplace(budget_.rows, plan_.scratch_dir);
  const std::uint64_t to_reduce = (mine_.end - mine_.begin) - mine_reused.commits.size();
  std::uint64_t reduced = 0;
  tasks_.phase(Phase::reduce, "the reduce", 0, to_reduce);
  for (std::uint32_t p = mine_.begin; p < mine_.end; ++p) {
    const auto t0 = Clock::now();
    if (auto it = mine_reused.commits.find(p); it != mine_reused.commits.end()) {
      load_partition(p, it->second);
      if (plan_.timeline)
        plan_.timeline->event("reduce_load", p, t0);
      continue;
    }
    tasks_.phase(Phase::reduce, "reducing partition " + std::to_string(p), reduced,
                 to_reduce);
    reduce_partition(p);
    ++reduced;
    if (plan_.timeline)
      plan_.timeline->event("reduce", p, t0);
  }
  stats.received_spilled_bytes = inbox_->spilled_bytes();
  stats.sorted_runs = inbox_->spilled_runs();
  inbox_->clear();
  outputs_.clear(); // the own runs, if read in place
  combined_.clear();
  // Reduce's memory goes back before the write, whose page cache needs it.
  reduce_work_.release();
  table_ = core::CombineTable();
  phase_done("reduce", begin, stats.reduce_seconds);
}

void WorkerRun::load_partition(std::uint32_t p, const ckpt::Commit &commit) {
  const std::uint64_t before = rows_->rows();
  std::string delta;
  try {
    plan_.checkpoint->load_partition(commit, *rows_, delta);
  } catch (const ckpt::DamagedCommit &e) { // checked before the shuffle: changed since
    throw std::runtime_error("checkpoint partition " + std::to_string(p) +
                             " changed while the job ran: " + e.what());
  }
  rows_->end_partition();
  add_counters(delta, counters_);
  stats.rows_out += rows_->rows() - before;
  stats.partitions_loaded += 1;
}

void WorkerRun::reduce_partition(std::uint32_t p) {
  const std::uint64_t before = rows_->rows();
  ReduceStats s;
  detail::JobAccess::set_partition(job_, p);
  crash::reducing_partition(p);
  // The job's code may fail on it: tried again here (no other worker holds
  // its pairs), up to --task-attempts times, with its rows so far dropped.
  const std::uint32_t attempts = plan_.options->task_attempts;
  for (std::uint32_t attempt = 1;; ++attempt) {
    try {
      if (inbox_->spilled(p)) {
        std::vector<core::RunReader> runs = inbox_->sorted_runs(p, budget_.merge);
        s = reduce_runs(job_, runs, plan_.meta.uint64_values, *rows_);
      } else {
        s = engine::reduce_partition(job_, inbox_->pieces(p), plan_.meta.uint64_values,
                                     table_, reduce_work_, *rows_);
      }
      break;
    } catch (const core::ScratchError &) {
      throw; // a full disk: not the job's code, and not better a second time
    } catch (const std::exception &e) {
      table_.clear();
      try {
        job_.abandon_partition();
      } catch (...) { // the first failure is the one to report
      }
      take_counters(job_); // what the attempt counted is dropped
      stats.partitions_failed += 1;
      const std::string where = "reduce partition " + std::to_string(p) + " failed";
      if (attempt >= attempts)
        throw TaskFailed(where + " " + std::to_string(attempt) +
                         " time(s) (--task-attempts " + std::to_string(attempts) +
                         ") on rank " + std::to_string(world_rank()) + ": " + e.what());
      if (!rows_->drop_rows_since(before))
        throw TaskFailed(where + " on rank " + std::to_string(world_rank()) +
                         " after its first rows went to disk (--memory-limit), so it "
                         "cannot be tried again: " +
                         e.what());
      if (!plan_.options->quiet) {
        core::end_stderr_line();
        std::fprintf(stderr,
                     "reduce: partition %u failed on rank %d (attempt %u of %u), trying "
                     "it again: %s\n",
                     p, world_rank(), attempt, attempts, e.what());
      }
    }
  }
  if (!inbox_->spilled(p)) {
    inbox_->release(p);
    if (inbox_->own_in_place()) {
      outputs_.release_partition(p);
      combined_.release_partition(p);
    }
  }
  // Under a tight --memory-limit the refs go with their partition, as the
  // pairs do (kept, they would sit beside the next partitions' output
  // rows); within an eighth of the limit they are kept, since touching
  // fresh pages again for each partition costs more than their sort.
  if (budget_.limit && reduce_work_.bytes() > budget_.limit / 8)
    reduce_work_.release();
  crash::reduce_done();
  rows_->end_partition();
  const std::string delta = take_counters(job_);
  add_counters(delta, counters_);
  if (plan_.checkpoint) {
    const auto c0 = Clock::now();
    const ckpt::Commit c = plan_.checkpoint->commit_partition(
        p, *rows_, before, rows_->rows(), delta,
        budget_.copy_chunk ? budget_.copy_chunk : 8 << 20);
    stats.checkpoint_seconds += seconds_since(c0);
    stats.checkpoint_bytes += c.bytes;
    tasks_.committed(c);
  }
  stats.reduce_pairs_in += s.pairs_in;
  stats.reduce_keys += s.keys;
  stats.rows_out += s.rows_out;
}

// Write: all workers into one file, collectively.
void WorkerRun::write_phase() {
  const auto begin = Clock::now();
  tasks_.phase(Phase::write, "the output write", 0, 0);
  // Workers that finish reducing first wait here without spinning: the
  // write's first collective would poll the cores the others reduce on.
  workers_.idle_barrier();
  io::write_output(workers_, plan_.partial_output, plan_.meta, *rows_, budget_.copy_chunk,
                   [&](std::uint64_t written, std::uint64_t total) {
                     tasks_.phase(Phase::write, "the output write", written, total);
                   });
  stats.output_bytes = rows_->key_bytes() + rows_->value_bytes();
  stats.rows_spilled_bytes = rows_->spilled_bytes();
  phase_done("write", begin, stats.write_seconds);
  stats.peak_rss_bytes = peak_rss_bytes();
}

} // namespace

WorkerStats run_worker(Job &job, const WorkerPlan &plan, const comm::Comm &workers,
                       TaskSource &tasks, const io::Input &input,
                       const std::vector<bool> &reused, ReusedPartitions &mine_reused,
                       CounterSums &counters) {
  WorkerRun run(job, plan, workers, tasks, input, counters);
  run.map_phase();
  run.shuffle_phase(reused);
  run.reduce_phase(mine_reused);
  run.write_phase();
  tasks.finished();
  return run.stats;
}

} // namespace mr::engine
