// tests/engine/spill_test.cpp: what --memory-limit changes must not change
// results. Received pairs spilled as sorted runs and merged give the same
// rows as reducing them in memory (combining and not), whatever the cuts of
// the shuffle rounds; output rows spilled mid-partition keep their order,
// content and partition checksums.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <string>

#include "core/kv_buffer.h"
#include "engine/partition_inbox.h"
#include "engine/reduce_partition.h"
#include "io/output_writer.h"
#include "join_values_job.h"
#include "mr/codec.h"
#include "mr/registry.h"

namespace {

using namespace mr;
using namespace mr::engine;

/// Joins a key's values in the order reduce gets them: shows that values
/// still arrive sorted by bytes after an external merge.
using mr::testing::JoinValues;

std::string scratch() {
  const auto dir = std::filesystem::temp_directory_path() / "mr_spill_test";
  std::filesystem::create_directories(dir);
  return dir.string();
}

/// Frames (of up to `max_pairs` random pairs) for partitions [0, 3) from
/// `sources` sources.
std::vector<std::string> streams(int sources, bool counts, unsigned seed,
                                 int max_pairs = 200) {
  std::mt19937 rng(seed);
  std::vector<std::string> out(static_cast<std::size_t>(sources));
  for (auto &stream : out)
    for (int frame = 0; frame < 40; ++frame) {
      core::KvBuffer run;
      const int pairs = 1 + static_cast<int>(rng() % static_cast<unsigned>(max_pairs));
      for (int i = 0; i < pairs; ++i) {
        const std::string key = "k" + std::to_string(rng() % 500);
        if (counts)
          run.append(key, u64_bytes(1 + rng() % 3));
        else
          run.append(key, std::string(rng() % 4, static_cast<char>('a' + rng() % 26)));
      }
      const auto h = frame_header(rng() % 3, run.bytes().size());
      stream.append(h.data(), h.size());
      stream.append(run.bytes());
    }
  return out;
}

/// Reduces partitions [0, 3) of a finished inbox, from its sorted runs
/// where it spilled; with `release`, frees each one reduced in memory.
io::OutputRows reduce_all(Job &job, PartitionInbox &inbox, bool release) {
  io::RowSpool rows;
  core::CombineTable table;
  ReduceWorkspace work;
  const bool u64 = job.output_value_type() == ValueType::uint64;
  for (std::uint32_t p = 0; p < 3; ++p) {
    if (inbox.spilled(p)) {
      auto runs = inbox.sorted_runs(p, 4096);
      reduce_runs(job, runs, u64, rows);
    } else {
      reduce_partition(job, inbox.pieces(p), u64, table, work, rows);
      if (release)
        inbox.release(p);
    }
    rows.end_partition();
  }
  return io::rows_of(rows);
}

/// Delivers the streams cut at random places, interleaved by source as the
/// shuffle rounds do, then reduces every partition.
io::OutputRows deliver_and_reduce(Job &job, const std::vector<std::string> &in,
                                  std::uint64_t budget, unsigned seed,
                                  std::uint64_t *spilled = nullptr) {
  std::mt19937 rng(seed);
  PartitionInbox inbox(job, {0, 3}, static_cast<int>(in.size()), budget, scratch());
  std::vector<std::size_t> at(in.size(), 0);
  for (bool more = true; more;) {
    more = false;
    for (std::size_t s = 0; s < in.size(); ++s) {
      const std::size_t n = std::min<std::size_t>(in[s].size() - at[s], rng() % 3000);
      inbox.receive(static_cast<int>(s), std::string_view(in[s]).substr(at[s], n));
      at[s] += n;
      more = more || at[s] < in[s].size();
    }
  }
  inbox.finish();
  io::OutputRows rows = reduce_all(job, inbox, false);
  if (spilled)
    *spilled = inbox.spilled_bytes();
  return rows;
}

void expect_same_rows(const io::OutputRows &a, const io::OutputRows &b) {
  ASSERT_EQ(a.rows(), b.rows());
  EXPECT_EQ(a.rows_per_partition, b.rows_per_partition);
  for (std::uint64_t i = 0; i < a.rows(); ++i) {
    ASSERT_EQ(a.key(i), b.key(i)) << "row " << i;
    ASSERT_EQ(a.value(i), b.value(i)) << "row " << i;
  }
}

TEST(Spill, SortedRunsMergeToTheInMemoryResultWithACombiner) {
  auto job = find_job("wordcount")->make({});
  const auto in = streams(3, true, 1);
  const io::OutputRows want = deliver_and_reduce(*job, in, 0, 2);
  for (std::uint64_t budget : {512ull, 4096ull, 65536ull}) {
    std::uint64_t spilled = 0;
    expect_same_rows(deliver_and_reduce(*job, in, budget, 3, &spilled), want);
    EXPECT_GT(spilled, 0u) << "budget " << budget;
  }
}

TEST(Spill, SortedRunsMergeToTheInMemoryResultWithoutACombiner) {
  JoinValues job;
  const auto in = streams(2, false, 4);
  const io::OutputRows want = deliver_and_reduce(job, in, 0, 5);
  for (std::uint64_t budget : {300ull, 8192ull}) {
    std::uint64_t spilled = 0;
    expect_same_rows(deliver_and_reduce(job, in, budget, 6, &spilled), want);
    EXPECT_GT(spilled, 0u);
  }
}

// Received in place (no limit), each partition's pages go back to the
// system once it is reduced: the partitions after it, whose frames share
// the streams and the pages at their edges, still reduce to what the
// copying path gives.
TEST(Spill, ReleasingAReducedPartitionLeavesTheOthersIntact) {
  JoinValues job;
  const auto in = streams(2, false, 7, 20000); // frames of up to ~300 KB
  const io::OutputRows want = deliver_and_reduce(job, in, 0, 8);
  PartitionInbox inbox(job, {0, 3}, static_cast<int>(in.size()), 0, scratch());
  std::vector<std::uint64_t> sizes;
  for (const std::string &s : in)
    sizes.push_back(s.size());
  char *at = inbox.expect(sizes);
  ASSERT_NE(at, nullptr);
  for (const std::string &s : in)
    at = std::copy(s.begin(), s.end(), at);
  inbox.finish();
  io::RowSpool rows;
  core::CombineTable table;
  ReduceWorkspace work;
  for (std::uint32_t p = 0; p < 3; ++p) {
    reduce_partition(job, inbox.pieces(p), false, table, work, rows);
    rows.end_partition();
    inbox.release(p);
    EXPECT_TRUE(inbox.pieces(p).empty());
  }
  expect_same_rows(io::rows_of(rows), want);
}

/// The frames of a stream as a worker's own runs (views into `stream`).
std::vector<PartitionInbox::OwnRun> own_runs(const std::string &stream) {
  std::vector<PartitionInbox::OwnRun> runs;
  for (std::size_t at = 0; at < stream.size();) {
    std::uint32_t p;
    std::uint64_t len;
    std::memcpy(&p, stream.data() + at, 4);
    std::memcpy(&len, stream.data() + at + 4, 8);
    runs.push_back({p, std::string_view(stream).substr(at + kFrameHeader, len)});
    at += kFrameHeader + len;
  }
  return runs;
}

// A worker's runs for its own partitions skip the shuffle. Read where they
// are (everything fits), they reduce to the rows of the whole streams, and
// releasing a reduced partition leaves their memory alone (mutation check:
// releasing their pages fails it); under a budget they are copied in as
// their source's stream and spill like the rest.
TEST(Spill, OwnRunsReadInPlaceOrCopiedGiveTheRowsOfTheirStream) {
  JoinValues job;
  const auto in = streams(3, false, 9, 2000);
  const io::OutputRows want = deliver_and_reduce(job, in, 0, 10);
  const int own = 1;
  for (std::uint64_t budget : {0ull, 4096ull}) {
    SCOPED_TRACE("budget " + std::to_string(budget));
    const std::string own_before = in[own];
    PartitionInbox inbox(job, {0, 3}, static_cast<int>(in.size()), budget, scratch());
    inbox.keep_own(own, own_runs(in[own]));
    std::vector<std::uint64_t> sizes;
    for (std::size_t s = 0; s < in.size(); ++s)
      sizes.push_back(s == own ? 0 : in[s].size());
    char *at = inbox.expect(sizes);
    EXPECT_EQ(inbox.own_in_place(), budget == 0);
    for (std::size_t s = 0; s < in.size(); ++s) {
      if (s == own)
        continue;
      if (at)
        at = std::copy(in[s].begin(), in[s].end(), at);
      else
        inbox.receive(static_cast<int>(s), in[s]);
    }
    inbox.finish();
    expect_same_rows(reduce_all(job, inbox, true), want);
    EXPECT_EQ(in[own], own_before); // not released, not written
    if (budget) {
      EXPECT_GT(inbox.spilled_bytes(), 0u);
    }
  }
}

TEST(Spill, RowsSpilledMidPartitionKeepTheirBytesAndChecksums) {
  std::mt19937 rng(7);
  io::RowSpool all, spilled(256, scratch());
  for (int p = 0; p < 4; ++p) {
    const int n = p == 2 ? 0 : 1 + static_cast<int>(rng() % 300); // one empty partition
    for (int i = 0; i < n; ++i) {
      const std::string k = "key" + std::to_string(i), v(rng() % 20, 'v');
      all.add(k, v);
      spilled.add(k, v);
    }
    all.end_partition();
    spilled.end_partition();
  }
  EXPECT_EQ(all.spilled_bytes(), 0u);
  EXPECT_GT(spilled.spilled_bytes(), 0u);
  EXPECT_EQ(spilled.partition_checksums(), all.partition_checksums());
  expect_same_rows(io::rows_of(spilled), io::rows_of(all));
}

/// A reduce that failed is tried again: its rows so far are dropped, and
/// the rows, partition and block checksums are as if it had never run.
TEST(Spill, RowsOfAFailedPartitionAreDroppedWithoutATrace) {
  io::RowSpool clean, retried;
  auto partition = [](io::RowSpool &rows, int p, int n) {
    for (int i = 0; i < n; ++i) // long values: several 1 MiB blocks a partition
      rows.add("p" + std::to_string(p) + "k" + std::to_string(1000 + i),
               std::string(5000 + i, static_cast<char>('a' + p)));
  };
  for (int p = 0; p < 3; ++p) {
    const std::uint64_t first = retried.rows();
    partition(retried, 9, 700); // a failed attempt: other rows, dropped
    ASSERT_TRUE(retried.drop_rows_since(first));
    partition(retried, p, 500);
    retried.end_partition();
    partition(clean, p, 500);
    clean.end_partition();
  }
  EXPECT_EQ(retried.rows(), clean.rows());
  EXPECT_EQ(retried.partition_checksums(), clean.partition_checksums());
  EXPECT_EQ(retried.rows_per_block(), clean.rows_per_block());
  EXPECT_EQ(retried.block_checksums(), clean.block_checksums());
  expect_same_rows(io::rows_of(retried), io::rows_of(clean));
  // Rows already on disk cannot be taken back: said, and nothing changed.
  io::RowSpool small(256, scratch());
  small.add("a", "1");
  small.end_partition();
  for (int i = 0; i < 50; ++i)
    small.add("k" + std::to_string(i), "v");
  EXPECT_FALSE(small.drop_rows_since(1));
  EXPECT_EQ(small.rows(), 51u);
}

TEST(Spill, UnsortedRowsThatWereSpilledAreRefusedClearly) {
  io::RowSpool rows(64, scratch());
  for (int i = 0; i < 50; ++i)
    rows.add("k" + std::to_string(50 - i), "v");
  EXPECT_THROW(rows.sort_rows_since(0), std::runtime_error);
  io::RowSpool small;
  small.add("b", "1");
  small.add("a", "2");
  small.sort_rows_since(0);
  small.end_partition();
  const io::OutputRows r = io::rows_of(small);
  EXPECT_EQ(r.key(0), "a");
  EXPECT_EQ(r.value(0), "2");
}

} // namespace

// Readers of small runs take what the runs hold, not the merge budget: with
// 65,536 partitions under a 64 MiB limit, zero-filling a full buffer for each
// run of each partition took 97 s of a 99 s sort.
TEST(Spill, RunReadersOfSmallRunsTakeTheirRunsSize) {
  core::SpillFile file(scratch(), "runs");
  core::KvBuffer run;
  run.append("key", "value");
  file.append(run.bytes());
  file.flush();
  core::RunReader small(file, {0, run.bytes().size()}, 64 << 20);
  EXPECT_LE(small.buffer_bytes(), 64u);
  ASSERT_TRUE(small.next());
  EXPECT_EQ(small.key(), "key");
  EXPECT_EQ(small.value(), "value");
  EXPECT_FALSE(small.next());
}
