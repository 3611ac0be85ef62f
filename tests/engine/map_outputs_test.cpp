// tests/engine/map_outputs_test.cpp: what a worker's map output store
// counts against its budget (engine/map_outputs.h). Only the bytes a task
// holds count: a task's buffers grow by doubling, and counting that slack
// made a default sort spill 261 MiB of map output per worker to scratch
// that fitted in memory (bench/RESULTS.md, 2026-12-06). Over the budget
// the oldest tasks go to disk and read back the same bytes.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/map_outputs.h"

namespace {

using namespace mr;
using namespace mr::engine;

std::string scratch() {
  const auto dir = std::filesystem::temp_directory_path() / "mr_map_outputs_test";
  std::filesystem::create_directories(dir);
  return dir.string();
}

/// A task with one partition holding `pairs` pairs of ~100 bytes, its
/// buffer reserved to `reserved` bytes first (as a map task does).
MapTaskOutput task(std::uint32_t id, int pairs, std::size_t reserved) {
  MapTaskOutput out;
  out.task_id = id;
  out.partitions.resize(1);
  out.partitions[0].reserve(reserved);
  for (int i = 0; i < pairs; ++i)
    out.partitions[0].append("key" + std::to_string(id) + "-" + std::to_string(i),
                             std::string(90, static_cast<char>('a' + i % 26)));
  return out;
}

/// Every byte of partition 0, wherever the store keeps it.
std::string contents(MapOutputStore &store) {
  std::string all;
  store.for_each_run(0, [&](const comm::Piece &piece) {
    if (!piece.source) {
      all.append(piece.bytes);
      return;
    }
    std::string b(piece.size, '\0');
    piece.source->read(piece.offset, piece.size, b.data());
    all += b;
  });
  return all;
}

TEST(MapOutputs, OnlyTheBytesATaskHoldsCountAgainstTheBudget) {
  // Four tasks of ~10 KiB each in buffers reserved to 64 KiB: 40 KiB of
  // output, 256 KiB of capacity, under a 128 KiB budget.
  MapOutputStore store(128 * 1024, scratch());
  std::string expected;
  for (std::uint32_t t = 0; t < 4; ++t) {
    MapTaskOutput out = task(t, 100, 64 * 1024);
    ASSERT_GE(out.partitions[0].capacity(), 64u * 1024);
    expected += out.partitions[0].bytes();
    store.add(std::move(out), {}, {});
  }
  store.flush();
  EXPECT_EQ(store.spilled_bytes(), 0u);
  EXPECT_EQ(contents(store), expected);
}

TEST(MapOutputs, TasksBeyondTheBudgetGoToDiskAndReadBackTheSame) {
  MapOutputStore store(32 * 1024, scratch());
  std::string expected;
  for (std::uint32_t t = 0; t < 8; ++t) {
    MapTaskOutput out = task(t, 100, 0);
    expected += out.partitions[0].bytes();
    store.add(std::move(out), {}, {});
  }
  store.flush();
  EXPECT_GT(store.spilled_bytes(), 0u);
  EXPECT_LE(store.spilled_bytes(), expected.size());
  EXPECT_EQ(contents(store), expected);
}

} // namespace
