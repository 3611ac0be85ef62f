// src/engine/worker.cpp: see worker.h.
#include "engine/worker.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "comm/shuffle.h"
#include "core/hash.h"
#include "engine/map_task.h"
#include "engine/reduce_partition.h"

namespace mr::engine {

namespace {

using comm::MessageKind;
using comm::Outcome;
using comm::TaskKind;

/// In a shuffled stream, each partition's run of pairs from one map task is
/// preceded by this header: partition id (u32) and run length (u64).
constexpr std::size_t kFrameHeader = 12;

using Header = std::array<char, kFrameHeader>;

Header frame_header(std::uint32_t partition, std::uint64_t length) {
  Header h;
  std::memcpy(h.data(), &partition, 4);
  std::memcpy(h.data() + 4, &length, 8);
  return h;
}

/// Test-only: MAPREDUCE_TEST_SLOW_RANK=R:MS makes world rank R sleep MS
/// milliseconds at the start of each map task, every few thousand records it
/// maps, and before each partition it reduces (a straggler on demand).
int test_delay_ms(int world_rank) {
  const char *v = std::getenv("MAPREDUCE_TEST_SLOW_RANK");
  int rank = -1, ms = 0;
  if (v && std::sscanf(v, "%d:%d", &rank, &ms) == 2 && rank == world_rank)
    return ms;
  return 0;
}

comm::WorkerMessage message(MessageKind kind, std::string text = {}) {
  comm::WorkerMessage m;
  m.kind = static_cast<int>(kind);
  m.text = std::move(text);
  return m;
}

} // namespace

std::optional<TaskToDo> RemoteTaskSource::next(const comm::WorkerMessage &report,
                                               bool &accepted) {
  comm::Assignment a = client_.request(report);
  accepted = a.accepted;
  if (a.kind == static_cast<int>(TaskKind::none))
    return std::nullopt;
  return TaskToDo{static_cast<TaskKind>(a.kind),
                  core::Split{static_cast<std::uint32_t>(a.id), a.begin, a.end},
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

void RemoteTaskSource::committed(const std::string &record) {
  client_.tell(message(MessageKind::committed, record));
}

void RemoteTaskSource::progress(const std::string &what) {
  client_.tell(message(MessageKind::progress, what));
}

void RemoteTaskSource::finished() {
  client_.tell(message(MessageKind::finished));
}

std::optional<TaskToDo> LocalTaskSource::next(const comm::WorkerMessage &report,
                                              bool &accepted) {
  accepted = true;
  const auto outcome = static_cast<Outcome>(report.outcome);
  if (outcome == Outcome::failed)
    throw io::InputError(report.text);
  if (report.task >= 0 && outcome == Outcome::load_failed) {
    if (!quiet_)
      std::fprintf(stderr, "resume: task %lld: %s; mapping it again\n",
                   static_cast<long long>(report.task), report.text.c_str());
    ++damaged;
    const auto t = static_cast<std::size_t>(report.task);
    return TaskToDo{TaskKind::map, splits_[t], {}};
  }
  if (report.task >= 0 && outcome == Outcome::done) {
    if (manifest_ && !report.text.empty())
      manifest_->append(report.text);
    else if (manifest_)
      ++reused;
  }
  if (next_ == splits_.size())
    return std::nullopt;
  const std::size_t t = next_++;
  if (committed_[t])
    return TaskToDo{TaskKind::load, splits_[t], committed_[t]->record()};
  return TaskToDo{TaskKind::map, splits_[t], {}};
}

void LocalTaskSource::committed(const std::string &record) {
  if (manifest_)
    manifest_->append(record);
}

ReusedPartitions
load_committed_partitions(const std::map<std::uint32_t, ckpt::Commit> &committed,
                          const std::string &dir, core::PartitionRange mine, bool quiet) {
  ReusedPartitions out;
  for (const auto &[p, commit] : committed) {
    if (p < mine.begin || p >= mine.end)
      continue;
    io::OutputRows rows;
    std::string counters;
    try {
      load_partition(dir, commit, rows, counters);
    } catch (const DamagedCommit &e) {
      if (!quiet)
        std::fprintf(stderr, "resume: partition %u: %s; reducing it again\n", p,
                     e.what());
      continue;
    }
    out.rows.emplace(p, std::move(rows));
    out.counters.emplace(p, std::move(counters));
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
  const RunOptions &o = *plan.options;
  core::CombineTable table;
  const int delay_ms = test_delay_ms(plan.world_rank);
  take_counters(job); // what start() counted is not a task's

  // Map: pull tasks until the coordinator says the phase is over. A task's
  // output (and its counter increments) is kept only once it is accepted.
  auto t = Clock::now();
  std::vector<MapTaskOutput> outputs;
  std::vector<char> buffer;
  comm::WorkerMessage report = message(MessageKind::request);
  bool reported_output = false; // the last report carried an output
  std::string reported_counters, reported_file;
  bool accepted = true;
  while (auto task = tasks.next(report, accepted)) {
    if (reported_output && accepted) {
      add_counters(reported_counters, counters);
    } else if (reported_output) { // another copy won: drop ours
      outputs.pop_back();
      if (!reported_file.empty())
        std::filesystem::remove(plan.checkpoint->dir + "/" + reported_file);
    }
    report = message(MessageKind::request);
    report.task = task->split.id;
    reported_output = false;
    reported_file.clear();
    MapTaskOutput out;
    if (task->kind == TaskKind::load) {
      ckpt::Commit commit;
      try {
        if (!ckpt::parse_commit(task->commit, commit))
          throw DamagedCommit("unreadable manifest record");
        load_map_task(plan.checkpoint->dir, commit, R, out, reported_counters);
      } catch (const DamagedCommit &e) {
        report.outcome = static_cast<int>(Outcome::load_failed);
        report.text = e.what();
        continue;
      }
      stats.tasks_loaded += 1;
    } else {
      const core::Split &split = task->split;
      buffer.resize(split.size());
      try {
        input.read_verified(split.begin, split.size(), buffer.data());
      } catch (const io::InputError &e) {
        // Damaged input: reported once, by the coordinator, which ends the
        // job (several workers may find the same damage at once).
        report.outcome = static_cast<int>(Outcome::failed);
        report.text = e.what();
        tasks.next(report, accepted); // does not return
        throw;
      }
      out.task_id = split.id;
      auto keep_going = [&] {
        if (delay_ms)
          std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        return !tasks.cancelled(split.id);
      };
      MapTaskStats s;
      try {
        if (delay_ms && !keep_going()) // a straggler is slow from the start
          throw TaskCancelled{};
        s = run_map_task(job,
                         {{buffer.data(), buffer.size()}, split.begin, &input.info()},
                         *plan.partitioner, table, out, o.combine_bytes, keep_going);
      } catch (const TaskCancelled &) {
        take_counters(job);
        report.outcome = static_cast<int>(Outcome::abandoned);
        stats.tasks_abandoned += 1;
        continue;
      }
      reported_counters = take_counters(job);
      if (plan.checkpoint) {
        const auto c0 = Clock::now();
        const ckpt::Commit c = commit_map_task(*plan.checkpoint, out, reported_counters);
        stats.checkpoint_seconds += seconds_since(c0);
        stats.checkpoint_bytes += static_cast<double>(c.bytes);
        report.text = "map " + c.record();
        reported_file = c.file;
      }
      stats.tasks += 1;
      stats.records_in += s.records;
      stats.bytes_in += s.bytes_in;
      stats.pairs_emitted += s.pairs_emitted;
      stats.map_pairs_out += s.pairs_out;
      stats.map_bytes_out += s.bytes_out;
    }
    report.outcome = static_cast<int>(Outcome::done);
    outputs.push_back(std::move(out));
    reported_output = true;
  }
  if (reported_output && accepted)
    add_counters(reported_counters, counters);
  else if (reported_output)
    outputs.pop_back();
  tasks.drain_cancellations();
  buffer = std::vector<char>();
  stats.map_seconds = seconds_since(t);

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
  std::deque<Header> headers; // deque: the views below must stay valid
  std::vector<comm::Pieces> to(W);
  for (const MapTaskOutput &out : outputs)
    for (std::uint32_t p = 0; p < R; ++p) {
      std::string_view run = out.partitions[p].bytes();
      if (run.empty() || reused[p])
        continue;
      headers.push_back(frame_header(p, run.size()));
      to[owner[p]].emplace_back(headers.back().data(), kFrameHeader);
      to[owner[p]].push_back(run);
    }
  comm::ShuffleResult shuffled = comm::shuffle(workers, to, o.round_bytes);
  outputs.clear();
  outputs.shrink_to_fit();
  stats.shuffle_bytes_sent = shuffled.bytes_sent;
  stats.shuffle_bytes_received = shuffled.bytes_received;
  stats.shuffle_rounds = shuffled.rounds;

  const core::PartitionRange mine = core::partitions_of_worker(me, W, R);
  std::vector<std::vector<std::string_view>> runs(mine.end - mine.begin);
  for (const std::vector<char> &stream : shuffled.received) {
    std::size_t at = 0;
    while (at < stream.size()) {
      if (stream.size() - at < kFrameHeader)
        throw std::runtime_error("shuffle stream is cut inside a frame header");
      std::uint32_t p;
      std::uint64_t len;
      std::memcpy(&p, stream.data() + at, 4);
      std::memcpy(&len, stream.data() + at + 4, 8);
      at += kFrameHeader;
      if (p < mine.begin || p >= mine.end || len > stream.size() - at)
        throw std::runtime_error("shuffle delivered a frame that is not ours");
      runs[p - mine.begin].emplace_back(stream.data() + at, len);
      at += len;
    }
  }
  stats.shuffle_seconds = seconds_since(t);

  // Reduce each of this worker's partitions in partition order, or take it
  // from the checkpoint; commit each one reduced.
  t = Clock::now();
  io::OutputRows rows;
  for (std::uint32_t p = mine.begin; p < mine.end; ++p) {
    const std::uint64_t before = rows.rows();
    if (auto it = mine_reused.rows.find(p); it != mine_reused.rows.end()) {
      const io::OutputRows &r = it->second;
      for (std::uint64_t i = 0; i < r.rows(); ++i)
        rows.add(r.key(i), r.value(i));
      add_counters(mine_reused.counters[p], counters);
      stats.rows_out += static_cast<double>(r.rows());
      mine_reused.rows.erase(it);
      rows.rows_per_partition.push_back(rows.rows() - before);
      stats.partitions_loaded += 1;
      continue;
    }
    tasks.progress("reducing partition " + std::to_string(p));
    if (delay_ms)
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ReduceStats s =
        reduce_partition(job, runs[p - mine.begin], plan.meta.uint64_values, table, rows);
    runs[p - mine.begin] = {};
    rows.rows_per_partition.push_back(rows.rows() - before);
    const std::string delta = take_counters(job);
    add_counters(delta, counters);
    if (plan.checkpoint) {
      const auto c0 = Clock::now();
      const ckpt::Commit c =
          commit_partition(*plan.checkpoint, p, rows, before, rows.rows(), delta);
      stats.checkpoint_seconds += seconds_since(c0);
      stats.checkpoint_bytes += static_cast<double>(c.bytes);
      tasks.committed("reduce " + c.record());
    }
    stats.reduce_pairs_in += s.pairs_in;
    stats.reduce_keys += s.keys;
    stats.rows_out += s.rows_out;
  }
  runs.clear();
  shuffled.received.clear();
  stats.reduce_seconds = seconds_since(t);

  // Write: all workers into one file, collectively.
  t = Clock::now();
  tasks.progress("the output write");
  io::write_output(workers, plan.partial_output, plan.meta, rows);
  stats.output_bytes = rows.keys.size() + rows.values.size();
  stats.write_seconds = seconds_since(t);
  stats.peak_rss_bytes = peak_rss_bytes();
  tasks.finished();
  return stats;
}

} // namespace mr::engine
