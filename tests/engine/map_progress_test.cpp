// tests/engine/map_progress_test.cpp: the map phase's progress line and when
// it is printed, on a fake clock: in a log at most every N seconds with a
// timestamp, and a last line; on a terminal redrawn in place.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>

#include "engine/map_progress.h"

using namespace mr::engine;
using namespace std::chrono_literals;

namespace {

MapProgressState state(std::size_t done, std::uint64_t bytes_done) {
  MapProgressState s;
  s.tasks_done = done;
  s.tasks = 10;
  s.bytes_done = s.bytes_mapped = bytes_done;
  s.bytes = 100'000'000;
  s.busy = 3;
  s.workers = 3;
  return s;
}

/// What `f` wrote to a memory stream.
template <class F> std::string written(F f) {
  char *buffer = nullptr;
  std::size_t size = 0;
  std::FILE *out = open_memstream(&buffer, &size);
  f(out);
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

TEST(MapProgress, SaysTasksBytesRateAndEta) {
  MapProgressState s = state(4, 40'000'000);
  s.backups = 1;
  s.lagging = "rank 2 (host h2) on task 7 for 12 s";
  EXPECT_EQ(describe_map_progress(s, 2.0),
            "map: 4/10 tasks, 40.0 of 100.0 MB (40%), 20.0 MB/s, ETA 3 s; 3 of 3 workers "
            "busy, 1 backup; slowest: rank 2 (host h2) on task 7 for 12 s");
  // Loaded tasks count as done, not in the rate: nothing mapped, no ETA.
  s = state(4, 40'000'000);
  s.bytes_mapped = 0;
  EXPECT_EQ(describe_map_progress(s, 2.0),
            "map: 4/10 tasks, 40.0 of 100.0 MB (40%); 3 of 3 workers busy");
  s = state(1, 1'000'000);
  EXPECT_NE(describe_map_progress(s, 600.0).find("ETA 16 h 30 min"), std::string::npos);
}

TEST(MapProgress, InALogALineEveryIntervalWithATimestampThenTheLast) {
  const auto t0 = std::chrono::steady_clock::time_point{};
  const std::string text = written([&](std::FILE *out) {
    MapProgress p(out, false, 10, t0);
    p.update(state(1, 10'000'000), t0 + 3s, false);  // too soon
    p.update(state(3, 30'000'000), t0 + 11s, false); // a line
    p.update(state(4, 40'000'000), t0 + 15s, false); // too soon
    p.update(state(10, 100'000'000), t0 + 18s, true);
    p.update(state(10, 100'000'000), t0 + 19s, true); // once only
  });
  const std::regex line(R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] map: \d+/10 tasks.*\n)");
  const std::string expected_first = "map: 3/10 tasks, 30.0 of 100.0 MB (30%), 2.7 MB/s";
  ASSERT_NE(text.find(expected_first), std::string::npos) << text;
  EXPECT_NE(text.find("map: 10/10 tasks, 100.0 of 100.0 MB (100%)"), std::string::npos);
  EXPECT_EQ(text.find("map: 1/10"), std::string::npos) << text;
  EXPECT_EQ(text.find("map: 4/10"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
  EXPECT_TRUE(std::regex_search(text, line)) << text;
}

TEST(MapProgress, AShortPhaseInALogPrintsNothing) {
  const auto t0 = std::chrono::steady_clock::time_point{};
  EXPECT_EQ(written([&](std::FILE *out) {
              MapProgress p(out, false, 10, t0);
              p.update(state(5, 50'000'000), t0 + 1s, false);
              p.update(state(10, 100'000'000), t0 + 2s, true);
            }),
            "");
}

TEST(MapProgress, OnATerminalOneLineRedrawnThenEnded) {
  const auto t0 = std::chrono::steady_clock::time_point{};
  const std::string text = written([&](std::FILE *out) {
    MapProgress p(out, true, 10, t0);
    p.update(state(1, 10'000'000), t0 + 1s, false);
    p.update(state(2, 20'000'000), t0 + 1100ms, false); // within 0.2 s: not redrawn
    p.update(state(3, 30'000'000), t0 + 2s, false);
    p.interrupt(); // a message comes: the line ends first
    p.update(state(10, 100'000'000), t0 + 3s, true);
  });
  EXPECT_EQ(text.find("map: 2/10"), std::string::npos) << text;
  EXPECT_EQ(text.substr(0, 10), "\rmap: 1/10") << text;
  EXPECT_NE(text.find("\033[K\rmap: 3/10"), std::string::npos) << text;
  EXPECT_NE(text.find("\n\rmap: 10/10"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

} // namespace
