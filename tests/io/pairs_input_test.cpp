// tests/io/pairs_input_test.cpp: an output read as an input. The writer
// cuts every partition into checksum blocks, the same whether its rows were
// spilled or not; a run's output, read back as pairs, gives every row once,
// in stored order, at any task boundary the planner may choose.
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "core/splitter.h"
#include "io/h5.h"
#include "io/input.h"
#include "io/input_error.h"
#include "io/output_writer.h"
#include "io/pairs_input.h"
#include "mr/codec.h"

namespace {

using namespace mr;
using Rows = std::vector<std::pair<std::string, std::string>>;

/// Partition p of rank r: 3 + p rows, values of up to 700 KB (so a block
/// closes every 2 rows or so), one partition empty.
Rows partition_rows(int r, int p) {
  Rows rows;
  if (p == 1)
    return rows;
  for (int i = 0; i < 3 + p; ++i)
    rows.emplace_back("r" + std::to_string(r) + "p" + std::to_string(p) + "k" +
                          std::to_string(i),
                      std::string(static_cast<std::size_t>(i) * 350000 + 1,
                                  static_cast<char>('a' + i)));
  return rows;
}

void fill(io::RowSpool &spool, int r) {
  for (int p = 0; p < 3; ++p) {
    for (const auto &[k, v] : partition_rows(r, p))
      spool.add(k, v);
    spool.end_partition();
  }
}

TEST(RowSpoolBlocks, SameWhetherSpilledOrNot) {
  io::RowSpool memory, spilled(64 << 10, std::filesystem::temp_directory_path());
  fill(memory, 0);
  fill(spilled, 0);
  EXPECT_GT(spilled.spilled_bytes(), 0u);
  EXPECT_EQ(memory.rows_per_block(), spilled.rows_per_block());
  EXPECT_EQ(memory.block_checksums(), spilled.block_checksums());
  // Values of 1, 350001, 700001, 1050001 and 1400001 bytes: a block ends
  // after the row that brings it to 1 MiB. Partition 0: rows 0-2 (1050003
  // bytes and keys). Partition 1: none. Partition 2: rows 0-2, 3, 4.
  EXPECT_EQ(memory.rows_per_block(), (std::vector<std::uint64_t>{3, 3, 1, 1}));
  EXPECT_EQ(memory.partition_checksums(), spilled.partition_checksums());
}

TEST(RowSpoolBlocks, SortedRowsAreHashedAsSorted) {
  // A reduce that emits out of order sorts its rows before the partition
  // ends: the block checksums are of the sorted rows.
  io::RowSpool sorted, unsorted;
  for (const char *k : {"a", "b", "c"})
    sorted.add(k, std::string(600000, *k));
  sorted.end_partition();
  for (const char *k : {"c", "a", "b"})
    unsorted.add(k, std::string(600000, *k));
  unsorted.sort_rows_since(0);
  unsorted.end_partition();
  EXPECT_EQ(sorted.block_checksums(), unsorted.block_checksums());
  EXPECT_EQ(sorted.rows_per_block(), unsorted.rows_per_block());
}

std::string temp_path(const comm::Comm &world, const std::string &name) {
  int code = static_cast<int>(getpid());
  std::string msg;
  world.broadcast(code, msg, 0);
  return (std::filesystem::temp_directory_path() /
          ("mr_pairs_test_" + std::to_string(code) + "_" + name))
      .string();
}

/// The rows of `input` read task by task, with tasks cut at `split`.
Rows read_all(const io::Input &input, std::uint64_t split) {
  Rows got;
  const auto splits = core::split_input(input.size(), split, [&](std::uint64_t pos) {
    return input.format().next_start(pos, input.size(), nullptr);
  });
  std::vector<char> buf;
  for (const core::Split &s : splits) {
    buf.resize(s.size());
    input.read_verified(s.begin, s.size(), buf.data());
    input.format().for_each({{buf.data(), buf.size()}, s.begin, &input.info()},
                            [&](const Record &r) { got.emplace_back(r.key(), r.value); });
  }
  return got;
}

TEST(PairsInput, ReadsEveryRowOnceAtAnySplit) {
  io::silence_hdf5_errors();
  const auto world = comm::Comm::world();
  const std::string path = temp_path(world, "pairs.h5");
  io::RowSpool spool;
  fill(spool, world.rank());
  io::OutputMeta meta;
  meta.job = "testjob";
  meta.reducers = 3 * static_cast<std::uint64_t>(world.size());
  io::write_output(world, path, meta, spool);
  world.barrier();
  if (world.rank() == 0) {
    Rows want;
    for (int r = 0; r < world.size(); ++r)
      for (int p = 0; p < 3; ++p)
        for (auto &row : partition_rows(r, p))
          want.push_back(row);
    const auto input = io::open_input(path);
    EXPECT_EQ(input->info().format, InputFormat::pairs);
    EXPECT_EQ(input->info().value_type, ValueType::bytes);
    EXPECT_TRUE(input->verifiable());
    for (std::uint64_t split : {1ull, 1ull << 20, 3ull << 20, 1ull << 40})
      EXPECT_EQ(read_all(*input, split), want) << "split " << split;
    // A task must begin where a block does.
    std::vector<char> buf(10);
    EXPECT_THROW(input->read(1, 9, buf.data()), io::InputError);
    std::filesystem::remove(path);
  }
  world.barrier();
}

TEST(PairsInput, Uint64ValuesArriveAsTheirEightBytes) {
  io::silence_hdf5_errors();
  const auto world = comm::Comm::world();
  const std::string path = temp_path(world, "u64.h5");
  io::RowSpool spool;
  spool.add("w" + std::to_string(world.rank()), u64_bytes(1000 + world.rank()));
  spool.end_partition();
  io::OutputMeta meta;
  meta.job = "counts";
  meta.reducers = static_cast<std::uint64_t>(world.size());
  meta.uint64_values = true;
  io::write_output(world, path, meta, spool);
  world.barrier();
  if (world.rank() == 0) {
    const auto input = io::open_input(path);
    EXPECT_EQ(input->info().value_type, ValueType::uint64);
    const Rows got = read_all(*input, 1);
    ASSERT_EQ(got.size(), static_cast<std::size_t>(world.size()));
    for (int r = 0; r < world.size(); ++r) {
      EXPECT_EQ(got[r].first, "w" + std::to_string(r));
      EXPECT_EQ(read_u64(got[r].second), 1000u + r);
    }
    std::filesystem::remove(path);
  }
  world.barrier();
}

} // namespace
