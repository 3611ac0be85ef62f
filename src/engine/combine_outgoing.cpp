// src/engine/combine_outgoing.cpp: see combine_outgoing.h.
#include "engine/combine_outgoing.h"
#include "engine/merge_mode.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <string>

#include "core/hash.h"
#include "core/kv_buffer.h"
#include "core/sorted_run.h"
#include "core/spill_file.h"

namespace mr::engine {

namespace {

/// Partitions' runs through the table, in batches that prefetch, into
/// chunks of combined pairs handed to the store as they fill.
class Combiner {
public:
  Combiner(Job &job, core::CombineTable &table, const OutgoingCombineLimits &limits,
           MapOutputStore &combined, std::uint32_t partitions)
      : job_(job), table_(table), limits_(limits), combined_(combined),
        partitions_(partitions), mode_(merge_mode(job)) {
    chunk_.partitions.resize(partitions_);
  }

  /// Combines `runs`, partition p's, into the chunks.
  void combine(std::uint32_t p, const std::vector<comm::Piece> &runs) {
    p_ = p;
    for (const comm::Piece &run : runs) {
      if (!run.source) {
        add_pairs(run.bytes);
        continue;
      }
      read_from_source(run);
    }
    drain();
  }

  /// Hands over the last chunk.
  void finish() {
    if (chunk_bytes_ > 0)
      hand_over();
  }

  std::uint64_t pairs_in = 0, pairs_out = 0;

private:
  static constexpr std::size_t kBatch = core::CombineTable::kBatch;

  /// A run on disk, through a buffer: a pair cut at the buffer's end is
  /// read again at the start of the next fill.
  void read_from_source(const comm::Piece &run) {
    const std::uint64_t want = std::max<std::uint64_t>(limits_.read_bytes, 4096);
    std::uint64_t at = 0;
    while (at < run.size) {
      const std::uint64_t n = std::min<std::uint64_t>(run.size - at, want + grown_);
      if (buffer_.size() < n)
        buffer_.resize(n);
      run.source->read(run.offset + at, n, buffer_.data());
      const std::size_t whole = core::whole_pairs_prefix({buffer_.data(), n});
      if (whole == 0) { // one pair longer than the buffer
        if (at + n == run.size)
          throw std::runtime_error("map output is cut inside a pair");
        grown_ = std::max<std::uint64_t>(2 * (want + grown_), n) - want;
        continue;
      }
      add_pairs({buffer_.data(), whole});
      at += whole;
    }
  }

  void add_pairs(std::string_view bytes) {
    const char *p = bytes.data(), *end = p + bytes.size();
    std::array<core::HashedPair, kBatch> batch;
    std::size_t n = 0;
    while (p < end) {
      std::string_view k, v;
      core::read_pair(p, end, k, v);
      if (mode_ == core::MergeMode::add_u64 && v.size() != 8)
        throw std::runtime_error("job sums 8-byte counts but map output holds a value "
                                 "of " +
                                 std::to_string(v.size()) + " bytes");
      batch[n++] = {core::hash_bytes(k), k, v};
      if (n == kBatch) {
        insert(batch.data(), n);
        n = 0;
      }
    }
    insert(batch.data(), n);
  }

  void insert(const core::HashedPair *batch, std::size_t n) {
    if (n == 0)
      return;
    pairs_in += n;
    table_.insert_batch(batch, n, mode_,
                        [this](std::string_view k, std::string_view a, std::string_view b,
                               std::string &merged) { job_.combine(k, a, b, merged); });
    if (limits_.table_bytes && table_.memory_bytes() > limits_.table_bytes)
      drain();
  }

  /// The table into the chunk; a full chunk to the store (a partition may
  /// then have several combined runs).
  void drain() {
    core::KvBuffer &out = chunk_.partitions[p_];
    const std::size_t before = out.bytes().size();
    pairs_out += table_.size();
    table_.for_each([&](std::string_view k, std::string_view v) { out.append(k, v); });
    table_.clear();
    chunk_bytes_ += out.bytes().size() - before;
    if (limits_.chunk_bytes && chunk_bytes_ >= limits_.chunk_bytes)
      hand_over();
  }

  void hand_over() {
    combined_.add(std::move(chunk_), {}, {});
    chunk_ = MapTaskOutput{};
    chunk_.partitions.resize(partitions_);
    chunk_bytes_ = 0;
  }

  Job &job_;
  core::CombineTable &table_;
  const OutgoingCombineLimits &limits_;
  MapOutputStore &combined_;
  const std::uint32_t partitions_;
  const core::MergeMode mode_;
  std::uint32_t p_ = 0;
  MapTaskOutput chunk_;
  std::uint64_t chunk_bytes_ = 0;
  std::vector<char> buffer_;
  std::uint64_t grown_ = 0; // beyond read_bytes, for pairs longer than it
};

} // namespace

std::vector<bool>
combine_outgoing(Job &job, MapOutputStore &outputs, const std::vector<bool> &skip,
                 core::CombineTable &table, const OutgoingCombineLimits &limits,
                 MapOutputStore &combined, OutgoingCombineStats &stats) {
  const auto partitions = static_cast<std::uint32_t>(skip.size());
  std::vector<bool> done(partitions, false);
  if (!job.combines())
    return done;
  const std::map<std::string, std::uint64_t> counters_before = job.counters();
  // Leaves everything as it was: counters, table, nothing combined.
  auto give_up = [&] {
    for (auto &[name, value] : job.counters())
      job.counter(name) = counters_before.count(name) ? counters_before.at(name) : 0;
    table.clear();
    combined.clear();
    stats = OutgoingCombineStats{};
    return std::vector<bool>(partitions, false);
  };
  Combiner combiner(job, table, limits, combined, partitions);
  std::vector<comm::Piece> runs;
  try {
    for (std::uint32_t p = 0; p < partitions; ++p) {
      if (skip[p])
        continue;
      // Keys that do not repeat across tasks: each further partition would
      // be read, hashed and copied for nothing.
      if (combiner.pairs_in >= kCombineProbePairs &&
          combiner.pairs_out * 2 > combiner.pairs_in)
        break;
      runs.clear();
      outputs.for_each_run(p, [&](const comm::Piece &run) { runs.push_back(run); });
      if (runs.size() < 2)
        continue;
      combiner.combine(p, runs);
      if (job.counters() != counters_before) {
        std::vector<bool> none = give_up();
        stats.counting_combine = true;
        return none;
      }
      stats.partitions += 1;
      done[p] = true;
    }
    combiner.finish();
  } catch (const core::ScratchError &) {
    throw; // a full disk: not the job's code
  } catch (const std::exception &) {
    // The job's combine failed (or a committed file could not be read):
    // reduce meets the same pairs and fails there, where a partition is
    // tried again and one message names it, as without this pass.
    std::vector<bool> none = give_up();
    stats.combine_failed = true;
    return none;
  }
  stats.pairs_in = combiner.pairs_in;
  stats.pairs_out = combiner.pairs_out;
  return done;
}

} // namespace mr::engine
