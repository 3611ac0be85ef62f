// tests/engine/combine_outgoing_test.cpp: a worker's map output combined
// across its tasks before the shuffle (engine/combine_outgoing.h). Checked
// against sums and concatenations kept beside the generated pairs: every
// key's total survives, whether the tasks' runs are in memory, in the
// spill file or longer than the read buffer, and whatever the table's
// limit; partitions skipped, with one run, or after the pass stops paying,
// are left alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/kv_buffer.h"
#include "engine/combine_outgoing.h"
#include "join_values_job.h"
#include "mr/codec.h"
#include "mr/count_job.h"
#include "mr/registry.h"

namespace {

using namespace mr;
using namespace mr::engine;

std::string scratch() {
  const auto dir = std::filesystem::temp_directory_path() / "mr_combine_outgoing_test";
  std::filesystem::create_directories(dir);
  return dir.string();
}

struct Count : CountJob {
  void map(const Record &, Emitter &) override {}
};

/// Two strings of sorted characters as one: std::merge, linear. (Sorting
/// each concatenation instead made this test 92 s under ASan at -O0: keys
/// of 40 values of 300 letters, sorted again at each of them.)
std::string merge_sorted(std::string_view a, std::string_view b) {
  std::string out(a.size() + b.size(), '\0');
  std::merge(a.begin(), a.end(), b.begin(), b.end(), out.begin());
  return out;
}

/// Merges values as sorted strings of characters (each generated value is
/// one letter repeated): the result does not depend on how pairs were
/// grouped.
struct Letters : mr::testing::JoinValues {
  void combine(std::string_view, std::string_view a, std::string_view b,
               std::string &merged) override {
    merged = merge_sorted(a, b);
  }
};

/// What a partition's runs hold: key -> sum of counts, or sorted letters.
using Totals = std::map<std::string, std::string>;

void add(Totals &t, bool counts, std::string_view k, std::string_view v) {
  std::string &have = t[std::string(k)];
  if (counts) {
    have = u64_bytes((have.empty() ? 0 : read_u64(have)) + read_u64(v));
  } else {
    have = merge_sorted(have, v);
  }
}

/// Reads a piece wherever it is.
std::string bytes_of(const comm::Piece &piece) {
  if (!piece.source)
    return std::string(piece.bytes);
  std::string b(piece.size, '\0');
  piece.source->read(piece.offset, piece.size, b.data());
  return b;
}

struct Runs {
  std::vector<Totals> expected; // per partition
  std::vector<std::uint64_t> pairs;
};

/// `tasks` task outputs over `partitions` partitions, `keys` distinct keys,
/// added to `store`; what they hold, added up.
Runs fill(MapOutputStore &store, int tasks, std::uint32_t partitions, int keys,
          bool counts, unsigned seed, std::size_t value_bytes = 2) {
  std::mt19937 rng(seed);
  Runs r{std::vector<Totals>(partitions), std::vector<std::uint64_t>(partitions)};
  for (int t = 0; t < tasks; ++t) {
    MapTaskOutput out;
    out.task_id = static_cast<std::uint32_t>(t);
    out.partitions.resize(partitions);
    const int n = 100 + static_cast<int>(rng() % 2000);
    for (int i = 0; i < n; ++i) {
      const std::string key = "key" + std::to_string(rng() % static_cast<unsigned>(keys));
      const std::uint32_t p = std::hash<std::string>{}(key) % partitions;
      const std::string value = counts ? std::string(u64_bytes(1 + rng() % 5))
                                       : std::string(value_bytes, 'a' + rng() % 26);
      out.partitions[p].append(key, value);
      add(r.expected[p], counts, key, value);
      r.pairs[p] += 1;
    }
    store.add(std::move(out), {}, {});
  }
  store.flush();
  return r;
}

/// What `store` holds for partition p, added up; and its pair count.
Totals totals(MapOutputStore &store, std::uint32_t p, bool counts, std::uint64_t &pairs) {
  Totals t;
  pairs = 0;
  store.for_each_run(p, [&](const comm::Piece &piece) {
    core::for_each_pair(bytes_of(piece), [&](std::string_view k, std::string_view v) {
      add(t, counts, k, v);
      ++pairs;
    });
  });
  return t;
}

void check_combined(Job &job, bool counts, std::uint64_t store_budget,
                    std::uint64_t table_bytes, std::uint64_t read_bytes,
                    std::size_t value_bytes = 2) {
  SCOPED_TRACE("store budget " + std::to_string(store_budget) + ", table " +
               std::to_string(table_bytes) + ", read " + std::to_string(read_bytes));
  const std::uint32_t partitions = 5;
  MapOutputStore outputs(store_budget, scratch()), combined(store_budget, scratch());
  const Runs runs = fill(outputs, 12, partitions, 300, counts, 7, value_bytes);
  if (store_budget) {
    ASSERT_GT(outputs.spilled_bytes(), 0u); // some runs are read from disk
  }
  core::CombineTable table;
  OutgoingCombineStats stats;
  const OutgoingCombineLimits limits{table_bytes, read_bytes, store_budget / 4};
  const std::vector<bool> done = combine_outgoing(
      job, outputs, std::vector<bool>(partitions, false), table, limits, combined, stats);
  std::uint64_t in = 0, out = 0;
  for (std::uint32_t p = 0; p < partitions; ++p) {
    ASSERT_TRUE(done[p]) << p;
    std::uint64_t pairs = 0;
    EXPECT_EQ(totals(combined, p, counts, pairs), runs.expected[p]) << p;
    if (table_bytes == 0) { // nothing drained early: one pair a key
      EXPECT_EQ(pairs, runs.expected[p].size()) << p;
    }
    in += runs.pairs[p];
    out += pairs;
  }
  EXPECT_EQ(stats.pairs_in, in);
  EXPECT_EQ(stats.pairs_out, out);
  EXPECT_EQ(stats.partitions, partitions);
  if (table_bytes == 0) {
    EXPECT_LT(out, in / 4); // 300 keys in ~12,000 pairs
  }
}

TEST(CombineOutgoing, CountsKeepTheirSumsWhereverTheRunsAre) {
  const auto job = make_job<Count>();
  check_combined(*job, true, 0, 0, 0);           // all in memory
  check_combined(*job, true, 16 << 10, 0, 4096); // most on disk
  check_combined(*job, true, 16 << 10, 0, 100);  // pairs cut by every read
  check_combined(*job, true, 0, 2048, 0);        // the table drains often
}

TEST(CombineOutgoing, ValuesMergeThroughTheJobsCombine) {
  const auto job = make_job<Letters>();
  check_combined(*job, false, 0, 0, 0);
  check_combined(*job, false, 16 << 10, 0, 4096);
  check_combined(*job, false, 16 << 10, 1024, 64);
  // Values far longer than the read buffer (grown for them).
  check_combined(*job, false, 16 << 10, 0, 64, 300);
}

TEST(CombineOutgoing, LeavesSkippedAndSingleRunPartitionsAndJobsWithoutCombine) {
  const auto job = make_job<Count>();
  MapOutputStore outputs(0, scratch()), combined(0, scratch());
  const Runs runs = fill(outputs, 1, 3, 50, true, 3); // one task: one run each
  MapOutputStore two(0, scratch());
  fill(two, 2, 3, 50, true, 4);
  core::CombineTable table;
  OutgoingCombineStats stats;
  EXPECT_EQ(
      combine_outgoing(*job, outputs, {false, false, false}, table, {}, combined, stats),
      std::vector<bool>({false, false, false}));
  EXPECT_EQ(combine_outgoing(*job, two, {true, false, true}, table, {}, combined, stats),
            std::vector<bool>({false, true, false}));
  const auto plain = make_job<mr::testing::JoinValues>();
  EXPECT_EQ(
      combine_outgoing(*plain, two, {false, false, false}, table, {}, combined, stats),
      std::vector<bool>({false, false, false}));
}

/// Letters that counts its merges, as clean counts duplicates.
struct CountingLetters : Letters {
  void combine(std::string_view k, std::string_view a, std::string_view b,
               std::string &merged) override {
    ++merges_;
    Letters::combine(k, a, b, merged);
  }
  std::uint64_t &merges_ = counter("merges");
};

/// Runs the pass on a job it must leave alone: nothing combined, no run in
/// `combined`, the table empty and the counters as they were.
OutgoingCombineStats expect_left_alone(Job &job) {
  const std::map<std::string, std::uint64_t> before = job.counters();
  MapOutputStore outputs(0, scratch()), combined(0, scratch());
  fill(outputs, 4, 3, 50, false, 9);
  core::CombineTable table;
  OutgoingCombineStats stats;
  EXPECT_EQ(
      combine_outgoing(job, outputs, {false, false, false}, table, {}, combined, stats),
      std::vector<bool>({false, false, false}));
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(job.counters(), before);
  for (std::uint32_t p = 0; p < 3; ++p)
    combined.for_each_run(
        p, [&](const comm::Piece &) { ADD_FAILURE() << "a run in " << p; });
  return stats;
}

TEST(CombineOutgoing, LeavesAJobWhoseCombineCountsAlone) {
  const auto job = make_job<CountingLetters>();
  job->counter("merges") = 5; // counted by map tasks already
  const OutgoingCombineStats stats = expect_left_alone(*job);
  EXPECT_TRUE(stats.counting_combine);
  EXPECT_EQ(stats.pairs_in, 0u);
  EXPECT_EQ(job->counters(), (std::map<std::string, std::uint64_t>{{"merges", 5}}));
}

/// Letters whose combine throws after a few merges, having counted them.
struct ThrowingLetters : CountingLetters {
  void combine(std::string_view k, std::string_view a, std::string_view b,
               std::string &merged) override {
    if (merges_ == 7)
      throw std::runtime_error("combine fails on purpose");
    CountingLetters::combine(k, a, b, merged);
  }
};

TEST(CombineOutgoing, LeavesAJobWhoseCombineThrowsToReduce) {
  const auto job = make_job<ThrowingLetters>();
  const OutgoingCombineStats stats = expect_left_alone(*job);
  EXPECT_TRUE(stats.combine_failed);
  EXPECT_EQ(job->counters(), (std::map<std::string, std::uint64_t>{{"merges", 0}}));
}

TEST(CombineOutgoing, StopsWhenKeysDoNotRepeatAcrossTasks) {
  const auto job = make_job<Count>();
  const std::uint32_t partitions = 64;
  MapOutputStore outputs(0, scratch()), combined(0, scratch());
  std::vector<std::uint64_t> pairs_of(partitions, 0);
  // Every key once: ~1,000 pairs a task, ~3,000 a partition.
  for (int t = 0; t < 200; ++t) {
    MapTaskOutput out;
    out.partitions.resize(partitions);
    for (int i = 0; i < 1000; ++i) {
      const std::string key = std::to_string(t) + "." + std::to_string(i);
      const std::uint32_t p = std::hash<std::string>{}(key) % partitions;
      out.partitions[p].append(key, u64_bytes(1));
      ++pairs_of[p];
    }
    outputs.add(std::move(out), {}, {});
  }
  core::CombineTable table;
  OutgoingCombineStats stats;
  const std::vector<bool> done = combine_outgoing(
      *job, outputs, std::vector<bool>(partitions, false), table, {}, combined, stats);
  // Stopped after the first partitions that make kCombineProbePairs, no later.
  EXPECT_EQ(stats.pairs_out, stats.pairs_in);
  EXPECT_GE(stats.pairs_in, kCombineProbePairs);
  ASSERT_GT(stats.partitions, 0u);
  EXPECT_LT(stats.pairs_in - pairs_of[stats.partitions - 1], kCombineProbePairs);
  EXPECT_LT(stats.partitions, partitions / 2);
  for (std::uint32_t p = 0; p < partitions; ++p)
    EXPECT_EQ(done[p], p < stats.partitions) << p;
}

} // namespace
