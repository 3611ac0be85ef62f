// tests/engine/stats_test.cpp: a worker's figures reach rank 0 exactly, and
// the report lists and sums them as integers.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "comm/wire.h"
#include "engine/stats.h"

namespace mr::engine {
namespace {

// 2^53 + 1: the first count a double cannot hold (they travelled as doubles).
constexpr std::uint64_t kBig = (std::uint64_t{1} << 53) + 1;

WorkerStats sample(std::uint64_t base) {
  WorkerStats s;
  std::uint64_t n = base;
  WorkerStats::visit(s, [&n](const char *, auto &field) {
    field = static_cast<std::remove_reference_t<decltype(field)>>(n++);
  });
  s.map_seconds = 1.25;
  return s;
}

TEST(WorkerStats, TravelsExactly) {
  const WorkerStats sent = sample(kBig);
  const auto got = comm::from_bytes<WorkerStats>(comm::to_bytes(sent));
  std::size_t fields = 0;
  WorkerStats::visit(got, [&](const char *name, const auto &field) {
    std::remove_cvref_t<decltype(field)> want{};
    WorkerStats::visit(sent, [&](const char *n, const auto &f) {
      if (std::string(n) == name)
        want = static_cast<decltype(want)>(f);
    });
    EXPECT_EQ(field, want) << name;
    ++fields;
  });
  EXPECT_EQ(fields, 34u);
  EXPECT_EQ(got.tasks, kBig + 4); // the fifth field: the counts start there
  EXPECT_DOUBLE_EQ(got.map_seconds, 1.25);
}

TEST(WorkerStats, ReportSumsCountsAsIntegers) {
  JobSummary summary;
  summary.workers_stats = {sample(kBig), sample(kBig)};
  const auto report = nlohmann::json::parse(report_json(summary));
  const auto &records = report["per_worker"]["records_in"];
  EXPECT_TRUE(records["max"].is_number_unsigned());
  EXPECT_EQ(records["max"].get<std::uint64_t>(), kBig + 5);
  EXPECT_EQ(report["phases"]["map"]["records_in"].get<std::uint64_t>(), 2 * (kBig + 5));
  EXPECT_EQ(report["per_worker"]["map_seconds"]["max"].get<double>(), 1.25);
  EXPECT_EQ(report["per_worker"].size(), 34u);
  EXPECT_EQ(report["worker_ranks"], nlohmann::json::parse("[1, 2]"));
}

} // namespace
} // namespace mr::engine
