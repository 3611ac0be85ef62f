// src/engine/worker.cpp: see worker.h.
#include "engine/worker.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <stdexcept>

#include "comm/shuffle.h"
#include "core/hash.h"
#include "engine/map_outputs.h"
#include "engine/map_task.h"
#include "engine/partition_inbox.h"
#include "engine/reduce_partition.h"

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

} // namespace

std::optional<TaskToDo> RemoteTaskSource::next(const comm::WorkerMessage &report,
                                               bool &accepted) {
  comm::Assignment a = client_.request(report);
  accepted = a.accepted;
  if (a.kind == TaskKind::none)
    return std::nullopt;
  return TaskToDo{a.kind, core::Split{static_cast<std::uint32_t>(a.id), a.begin, a.end},
                  std::move(a.commit)};
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
  try {
    coordinator_.step(channel_.wait({}), std::chrono::steady_clock::now());
  } catch (const TaskFailed &e) {
    throw io::InputError(e.what()); // the input's fault, as over MPI: exit 1
  }
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
                  std::move(a->commit)};
}

void LocalTaskSource::committed(const ckpt::Commit &partition) {
  comm::WorkerMessage m = message(MessageKind::committed);
  m.commit = partition;
  send(std::move(m));
}

void LocalTaskSource::progress(const std::string &what) {
  send(message(MessageKind::progress, what));
}

void LocalTaskSource::finished() {
  send(message(MessageKind::finished));
}

ReusedPartitions
load_committed_partitions(const std::map<std::uint32_t, ckpt::Commit> &committed,
                          const CommitNames &names, core::PartitionRange mine,
                          bool quiet) {
  ReusedPartitions out;
  for (const auto &[p, commit] : committed) {
    if (p < mine.begin || p >= mine.end)
      continue;
    try {
      check_commit(names, commit, 0);
    } catch (const DamagedCommit &e) {
      if (!quiet)
        std::fprintf(stderr, "resume: partition %u: %s; reducing it again\n", p,
                     e.what());
      continue;
    }
    out.commits.emplace(p, commit);
  }
  return out;
}

WorkerStats run_worker(Job &job, const WorkerPlan &plan, const comm::Comm &workers,
                       TaskSource &tasks, const io::InputFile &input,
                       const std::vector<bool> &reused, ReusedPartitions &mine_reused,
                       CounterSums &counters) {
  WorkerStats stats;
  const std::uint32_t R = plan.partitioner->count();
  const auto W = static_cast<std::uint32_t>(workers.size());
  const auto me = static_cast<std::uint32_t>(workers.rank());
  const MemoryBudget &budget = plan.budget;
  stats.memory_limit_bytes = static_cast<double>(budget.limit);
  core::CombineTable table;
  take_counters(job); // what start() counted is not a task's

  // Map: pull tasks until the coordinator says the phase is over. A task's
  // output (and its counter increments) is kept only once it is accepted.
  auto t = Clock::now();
  MapOutputStore outputs(budget.map_outputs, plan.scratch_dir);
  std::vector<char> buffer;
  comm::WorkerMessage report = message(MessageKind::request);
  bool reported_output = false; // the last report carried an output
  std::string reported_counters, reported_file;
  bool accepted = true;
  while (auto task = tasks.next(report, accepted)) {
    if (reported_output && accepted) {
      add_counters(reported_counters, counters);
    } else if (reported_output) { // another copy won: drop ours
      outputs.drop_last();
      if (!reported_file.empty())
        std::filesystem::remove(plan.checkpoint->dir + "/" + reported_file);
    }
    report = message(MessageKind::request);
    report.task = task->split.id;
    reported_output = false;
    reported_file.clear();
    MapTaskOutput out;
    std::string committed_path;
    TaskRuns committed_runs;
    if (task->kind == TaskKind::load) {
      try {
        if (!task->commit)
          throw DamagedCommit("no commit to load");
        committed_runs =
            locate_map_task(*plan.checkpoint, *task->commit, R, reported_counters);
      } catch (const DamagedCommit &e) {
        report.outcome = Outcome::load_failed;
        report.text = e.what();
        continue;
      }
      outputs.add_committed(plan.checkpoint->dir + "/" + task->commit->file,
                            committed_runs);
      stats.tasks_loaded += 1;
      report.outcome = Outcome::done;
      reported_output = true;
      continue;
    } else {
      const core::Split &split = task->split;
      buffer.resize(split.size());
      try {
        input.read_verified(split.begin, split.size(), buffer.data());
      } catch (const io::InputError &e) {
        // Damaged input: reported once, by the coordinator, which ends the
        // job (several workers may find the same damage at once).
        report.outcome = Outcome::failed;
        report.text = e.what();
        tasks.next(report, accepted); // does not return
        throw;
      }
      out.task_id = split.id;
      auto keep_going = [&] { return !tasks.cancelled(split.id); };
      MapTaskStats s;
      try {
        s = run_map_task(job,
                         {{buffer.data(), buffer.size()}, split.begin, &input.info()},
                         *plan.partitioner, table, out, budget.combine, keep_going);
      } catch (const TaskCancelled &) {
        take_counters(job);
        report.outcome = Outcome::abandoned;
        stats.tasks_abandoned += 1;
        continue;
      }
      reported_counters = take_counters(job);
      if (plan.checkpoint) {
        const auto c0 = Clock::now();
        const ckpt::Commit c = commit_map_task(*plan.checkpoint, out, reported_counters);
        stats.checkpoint_seconds += seconds_since(c0);
        stats.checkpoint_bytes += static_cast<double>(c.bytes);
        report.commit = c;
        reported_file = c.file;
        committed_path = plan.checkpoint->dir + "/" + c.file;
        committed_runs = map_task_runs(out, reported_counters.size());
      }
      stats.tasks += 1;
      stats.records_in += s.records;
      stats.bytes_in += s.bytes_in;
      stats.pairs_emitted += s.pairs_emitted;
      stats.map_pairs_out += s.pairs_out;
      stats.map_bytes_out += s.bytes_out;
    }
    report.outcome = Outcome::done;
    outputs.add(std::move(out), committed_path, committed_runs);
    reported_output = true;
  }
  if (reported_output && accepted)
    add_counters(reported_counters, counters);
  else if (reported_output)
    outputs.drop_last();
  tasks.drain_cancellations();
  buffer = std::vector<char>();
  stats.map_seconds = seconds_since(t);
  if (plan.timeline)
    plan.timeline->add("map", t);

  // Shuffle: every partition's runs go to the worker that owns it, except
  // partitions taken from the checkpoint. Workers that finish mapping first
  // wait here without spinning.
  t = Clock::now();
  tasks.progress("the shuffle");
  workers.idle_barrier();
  std::vector<std::uint32_t> owner(R);
  for (std::uint32_t w = 0; w < W; ++w) {
    auto range = core::partitions_of_worker(w, W, R);
    for (std::uint32_t p = range.begin; p < range.end; ++p)
      owner[p] = w;
  }
  const core::PartitionRange mine = core::partitions_of_worker(me, W, R);
  std::deque<std::array<char, kFrameHeader>> headers; // the views below stay valid
  std::vector<comm::Pieces> to(W);
  outputs.flush();
  for (std::uint32_t p = 0; p < R; ++p) {
    if (reused[p])
      continue;
    comm::Pieces &dest = to[owner[p]];
    outputs.for_each_run(p, [&](const comm::Piece &run) {
      headers.push_back(frame_header(p, run.size));
      dest.emplace_back(std::string_view(headers.back().data(), kFrameHeader));
      dest.push_back(run);
    });
  }
  PartitionInbox inbox(job, mine, static_cast<int>(W), budget.inbox, plan.scratch_dir);
  const comm::ShuffleStats shuffled = comm::shuffle(
      workers, to, budget.round,
      [&](int source, std::string_view bytes) { inbox.receive(source, bytes); },
      [&](const std::vector<std::uint64_t> &incoming) { return inbox.expect(incoming); });
  inbox.finish();
  to.clear();
  headers.clear();
  stats.map_spilled_bytes = static_cast<double>(outputs.spilled_bytes());
  outputs.clear();
  stats.shuffle_bytes_sent = shuffled.bytes_sent;
  stats.shuffle_bytes_received = shuffled.bytes_received;
  stats.shuffle_rounds = shuffled.rounds;
  stats.shuffle_seconds = seconds_since(t);
  if (plan.timeline)
    plan.timeline->add("shuffle", t);

  // Reduce each of this worker's partitions in partition order, or take it
  // from the checkpoint; commit each one reduced.
  t = Clock::now();
  io::RowSpool rows(budget.rows, plan.scratch_dir);
  for (std::uint32_t p = mine.begin; p < mine.end; ++p) {
    const std::uint64_t before = rows.rows();
    if (auto it = mine_reused.commits.find(p); it != mine_reused.commits.end()) {
      std::string delta;
      try {
        load_partition(*plan.checkpoint, it->second, rows, delta);
      } catch (const DamagedCommit &e) { // checked before the shuffle: changed since
        throw std::runtime_error("checkpoint partition " + std::to_string(p) +
                                 " changed while the job ran: " + e.what());
      }
      rows.end_partition();
      add_counters(delta, counters);
      stats.rows_out += static_cast<double>(rows.rows() - before);
      stats.partitions_loaded += 1;
      continue;
    }
    tasks.progress("reducing partition " + std::to_string(p));
    ReduceStats s;
    if (inbox.spilled(p)) {
      std::vector<core::RunReader> runs = inbox.sorted_runs(p, budget.merge);
      s = reduce_runs(job, runs, plan.meta.uint64_values, rows);
    } else {
      s = reduce_partition(job, inbox.pieces(p), plan.meta.uint64_values, table, rows);
      inbox.release(p);
    }
    rows.end_partition();
    const std::string delta = take_counters(job);
    add_counters(delta, counters);
    if (plan.checkpoint) {
      const auto c0 = Clock::now();
      const ckpt::Commit c =
          commit_partition(*plan.checkpoint, p, rows, before, rows.rows(), delta,
                           budget.copy_chunk ? budget.copy_chunk : 8 << 20);
      stats.checkpoint_seconds += seconds_since(c0);
      stats.checkpoint_bytes += static_cast<double>(c.bytes);
      tasks.committed(c);
    }
    stats.reduce_pairs_in += s.pairs_in;
    stats.reduce_keys += s.keys;
    stats.rows_out += s.rows_out;
  }
  stats.received_spilled_bytes = static_cast<double>(inbox.spilled_bytes());
  stats.sorted_runs = static_cast<double>(inbox.spilled_runs());
  inbox.clear();
  stats.reduce_seconds = seconds_since(t);
  if (plan.timeline)
    plan.timeline->add("reduce", t);

  // Write: all workers into one file, collectively.
  t = Clock::now();
  tasks.progress("the output write");
  io::write_output(workers, plan.partial_output, plan.meta, rows, budget.copy_chunk);
  stats.output_bytes = static_cast<double>(rows.key_bytes() + rows.value_bytes());
  stats.rows_spilled_bytes = static_cast<double>(rows.spilled_bytes());
  stats.write_seconds = seconds_since(t);
  if (plan.timeline)
    plan.timeline->add("write", t);
  stats.peak_rss_bytes = peak_rss_bytes();
  tasks.finished();
  return stats;
}

} // namespace mr::engine
