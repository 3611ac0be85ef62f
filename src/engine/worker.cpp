// src/engine/worker.cpp: see worker.h.
#include "engine/worker.h"

#include <chrono>
#include <cstring>
#include <deque>
#include <stdexcept>

#include "comm/control.h"
#include "comm/shuffle.h"
#include "core/hash.h"
#include "engine/map_task.h"
#include "engine/reduce_partition.h"

namespace mr::engine {

namespace {

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

} // namespace

std::optional<core::Split> RemoteTaskSource::next(std::int64_t completed) {
  comm::Assignment a = comm::ControlClient().next_task(completed);
  if (a.id < 0)
    return std::nullopt;
  return core::Split{static_cast<std::uint32_t>(a.id), a.begin, a.end};
}

std::optional<core::Split> LocalTaskSource::next(std::int64_t) {
  if (next_ == splits_.size())
    return std::nullopt;
  return splits_[next_++];
}

WorkerStats run_worker(Job &job, const WorkerPlan &plan, const comm::Comm &workers,
                       TaskSource &tasks, const io::InputFile &input) {
  WorkerStats stats;
  const std::uint32_t R = plan.partitioner->count();
  const auto W = static_cast<std::uint32_t>(workers.size());
  const auto me = static_cast<std::uint32_t>(workers.rank());
  core::CombineTable table;

  // Map: pull tasks until the coordinator says the phase is over.
  auto t = Clock::now();
  std::vector<MapTaskOutput> outputs;
  std::vector<char> buffer;
  std::int64_t completed = -1;
  while (auto split = tasks.next(completed)) {
    buffer.resize(split->size());
    input.read(split->begin, split->size(), buffer.data());
    MapTaskOutput out;
    out.task_id = split->id;
    MapTaskStats s =
        run_map_task(job, {{buffer.data(), buffer.size()}, split->begin, &input.info()},
                     *plan.partitioner, table, out, plan.options->combine_bytes);
    outputs.push_back(std::move(out));
    stats.tasks += 1;
    stats.records_in += s.records;
    stats.bytes_in += s.bytes_in;
    stats.pairs_emitted += s.pairs_emitted;
    stats.map_pairs_out += s.pairs_out;
    stats.map_bytes_out += s.bytes_out;
    completed = split->id;
  }
  buffer = std::vector<char>();
  stats.map_seconds = seconds_since(t);

  // Shuffle: every partition's runs go to the worker that owns it. Workers
  // that finish mapping first wait here without spinning.
  t = Clock::now();
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
      if (run.empty())
        continue;
      headers.push_back(frame_header(p, run.size()));
      to[owner[p]].emplace_back(headers.back().data(), kFrameHeader);
      to[owner[p]].push_back(run);
    }
  comm::ShuffleResult shuffled = comm::shuffle(workers, to, plan.options->round_bytes);
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

  // Reduce each of this worker's partitions, in partition order.
  t = Clock::now();
  io::OutputRows rows;
  for (std::uint32_t p = mine.begin; p < mine.end; ++p) {
    const std::uint64_t before = rows.rows();
    ReduceStats s =
        reduce_partition(job, runs[p - mine.begin], plan.meta.uint64_values, table, rows);
    rows.rows_per_partition.push_back(rows.rows() - before);
    stats.reduce_pairs_in += s.pairs_in;
    stats.reduce_keys += s.keys;
    stats.rows_out += s.rows_out;
  }
  runs.clear();
  shuffled.received.clear();
  stats.reduce_seconds = seconds_since(t);

  // Write: all workers into one file, collectively.
  t = Clock::now();
  io::write_output(workers, plan.partial_output, plan.meta, rows);
  stats.output_bytes = rows.keys.size() + rows.values.size();
  stats.write_seconds = seconds_since(t);
  stats.peak_rss_bytes = peak_rss_bytes();
  return stats;
}

} // namespace mr::engine
