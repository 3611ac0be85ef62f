// tests/io/output_file_test.cpp: every rank's rows land in one file, in rank
// order, with a correct partition index; read back without MPI.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <unistd.h>

#include "io/h5.h"
#include "io/input_error.h"
#include "io/output_reader.h"
#include "io/output_writer.h"
#include "mr/codec.h"

namespace {

using namespace mr;

std::string temp_path(const mr::comm::Comm &world, const std::string &name) {
  // One name for all ranks: rank 0's pid, broadcast.
  int code = static_cast<int>(getpid());
  std::string msg;
  world.broadcast(code, msg, 0);
  return (std::filesystem::temp_directory_path() /
          ("mr_output_test_" + std::to_string(code) + "_" + name))
      .string();
}

/// Rank r holds 2 partitions with r+1 and r rows (so some are empty).
io::OutputRows rows_of_rank(int r, bool u64) {
  io::OutputRows rows;
  for (int p = 0; p < 2; ++p) {
    const int n = p == 0 ? r + 1 : r;
    for (int i = 0; i < n; ++i) {
      std::string key =
          "r" + std::to_string(r) + "p" + std::to_string(p) + "i" + std::to_string(i);
      if (u64)
        rows.add(key, u64_bytes(1000 * r + i));
      else
        rows.add(key, std::string(i, 'v'));
    }
    rows.rows_per_partition.push_back(n);
  }
  return rows;
}

void round_trip(bool u64) {
  io::silence_hdf5_errors();
  const auto world = mr::comm::Comm::world();
  const std::string path = temp_path(world, u64 ? "u64.h5" : "bytes.h5");
  io::OutputMeta meta;
  meta.job = "testjob";
  meta.parameters = "a=1";
  meta.input = "in.h5";
  meta.reducers = static_cast<std::uint64_t>(2 * world.size());
  meta.uint64_values = u64;
  meta.fingerprint = "0123456789abcdef";
  const std::uint64_t total =
      io::write_output(world, path, meta, rows_of_rank(world.rank(), u64));
  world.barrier();
  if (world.rank() == 0) {
    io::OutputFile f = io::read_output(path);
    EXPECT_EQ(f.meta.job, "testjob");
    EXPECT_EQ(f.meta.parameters, "a=1");
    EXPECT_EQ(f.meta.uint64_values, u64);
    EXPECT_EQ(f.meta.fingerprint, "0123456789abcdef");
    EXPECT_EQ(f.rows.rows(), total);
    std::uint64_t row = 0;
    ASSERT_EQ(f.partition_offsets.size(), 2u * world.size() + 1);
    for (int r = 0; r < world.size(); ++r) {
      io::OutputRows want = rows_of_rank(r, u64);
      EXPECT_EQ(f.partition_offsets[2 * r], row);
      EXPECT_EQ(f.partition_offsets[2 * r + 1], row + r + 1);
      for (std::uint64_t i = 0; i < want.rows(); ++i, ++row) {
        EXPECT_EQ(f.rows.key(row), want.key(i));
        EXPECT_EQ(f.rows.value(row), want.value(i));
      }
    }
    EXPECT_EQ(f.partition_offsets.back(), row);

    // The streaming reader: stored order, and merged key order whatever the
    // chunk size (1 byte: a row per chunk; 7: a few; 1 MiB: all).
    io::OutputReader reader(path);
    EXPECT_EQ(reader.rows(), total);
    EXPECT_EQ(reader.partition_offsets(), f.partition_offsets);
    std::vector<std::pair<std::string, std::string>> stored, sorted;
    reader.for_each_stored_row(
        [&](std::string_view k, std::string_view v) { stored.emplace_back(k, v); });
    ASSERT_EQ(stored.size(), total);
    for (std::uint64_t i = 0; i < total; ++i)
      EXPECT_EQ(stored[i],
                std::make_pair(std::string(f.rows.key(i)), std::string(f.rows.value(i))));
    sorted = stored;
    std::sort(sorted.begin(), sorted.end());
    for (std::uint64_t chunk : {1ull, 7ull, 1ull << 20}) {
      std::vector<std::pair<std::string, std::string>> merged;
      reader.for_each_row_in_chunks(
          [&](std::string_view k, std::string_view v) { merged.emplace_back(k, v); },
          chunk);
      EXPECT_EQ(merged, sorted) << "chunk " << chunk;
    }
    std::filesystem::remove(path);
  }
  world.barrier();
}

TEST(OutputFile, Uint64ValuesRoundTrip) {
  round_trip(true);
}
TEST(OutputFile, ByteValuesRoundTrip) {
  round_trip(false);
}

TEST(OutputFile, ReadingSomethingElseIsAClearError) {
  const auto world = mr::comm::Comm::world();
  const std::string text = temp_path(world, "not_hdf5.txt");
  if (world.rank() == 0) {
    EXPECT_THROW(io::read_output("/nonexistent/file.h5"), io::InputError);
    std::FILE *f = std::fopen(text.c_str(), "w");
    std::fputs("plain text\n", f);
    std::fclose(f);
    try {
      io::read_output(text);
      ADD_FAILURE() << "no error";
    } catch (const io::InputError &e) {
      EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos);
    }
    std::filesystem::remove(text);
  }
  world.barrier();
}

} // namespace
