// tests/engine/progress_test.cpp: the progress lines of each phase and when
// they are printed, on a fake clock: in a log at most every N seconds with a
// timestamp, and a last line; on a terminal redrawn in place.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>

#include "../written.h"
#include "core/console.h"
#include "engine/progress.h"

using namespace mr::engine;
using namespace std::chrono_literals;

namespace {

using mr::test::written;

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

/// Shows the map line of `s` as the coordinator does.
void update(ProgressLine &p, const MapProgressState &s,
            std::chrono::steady_clock::time_point now, bool final) {
  p.show(describe_map_progress(s, p.seconds(now)), now, final);
}

TEST(Progress, SaysTasksBytesRateAndEta) {
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

TEST(Progress, InALogALineEveryIntervalWithATimestampThenTheLast) {
  const auto t0 = std::chrono::steady_clock::time_point{};
  const std::string text = written([&](std::FILE *out) {
    ProgressLine p(out, false, 10, t0);
    update(p, state(1, 10'000'000), t0 + 3s, false);  // too soon
    update(p, state(3, 30'000'000), t0 + 11s, false); // a line
    update(p, state(4, 40'000'000), t0 + 15s, false); // too soon
    update(p, state(10, 100'000'000), t0 + 18s, true);
    update(p, state(10, 100'000'000), t0 + 19s, true); // once only
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

TEST(Progress, AShortPhaseInALogPrintsNothing) {
  const auto t0 = std::chrono::steady_clock::time_point{};
  EXPECT_EQ(written([&](std::FILE *out) {
              ProgressLine p(out, false, 10, t0);
              update(p, state(5, 50'000'000), t0 + 1s, false);
              update(p, state(10, 100'000'000), t0 + 2s, true);
            }),
            "");
}

TEST(Progress, OnATerminalOneLineRedrawnThenEnded) {
  const auto t0 = std::chrono::steady_clock::time_point{};
  const std::string text = written([&](std::FILE *out) {
    ProgressLine p(out, true, 10, t0);
    update(p, state(1, 10'000'000), t0 + 1s, false);
    update(p, state(2, 20'000'000), t0 + 1100ms, false); // within 0.2 s: not redrawn
    update(p, state(3, 30'000'000), t0 + 2s, false);
    p.interrupt(); // a message comes: the line ends first
    update(p, state(10, 100'000'000), t0 + 3s, true);
  });
  EXPECT_EQ(text.find("map: 2/10"), std::string::npos) << text;
  EXPECT_EQ(text.substr(0, 10), "\rmap: 1/10") << text;
  EXPECT_NE(text.find("\033[K\rmap: 3/10"), std::string::npos) << text;
  EXPECT_NE(text.find("\n\rmap: 10/10"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(Progress, ThePhasesAfterTheMapSayBytesPartitionsAndTheWrite) {
  PhaseProgressState s;
  s.phase = Phase::shuffle;
  s.done = 30'000'000;
  s.total = 120'000'000;
  s.in_phase = s.workers = 3;
  EXPECT_EQ(
      describe_phase_progress(s, 3.0),
      "shuffle: 30.0 of 120.0 MB received (25%), 10.0 MB/s, ETA 9 s; 3 of 3 workers "
      "in the shuffle");
  s.phase = Phase::reduce;
  s.done = 4;
  s.total = 16;
  s.in_phase = 2;
  s.lagging = "rank 2 (host h2) at 1/8 partitions";
  EXPECT_EQ(describe_phase_progress(s, 2.0),
            "reduce: 4/16 partitions (25%), 2.0 partitions/s, ETA 6 s; 2 of 3 workers "
            "reducing; slowest: rank 2 (host h2) at 1/8 partitions");
  s = PhaseProgressState{}; // before any total is known: no rate, no ETA
  s.workers = 3;
  EXPECT_EQ(describe_phase_progress(s, 0.0),
            "shuffle: 0.0 of 0.0 MB received; 0 of 3 workers in the shuffle");
  s.phase = Phase::write;
  s.in_phase = 1;
  s.done = 50'000'000;
  s.total = 200'000'000;
  EXPECT_EQ(describe_phase_progress(s, 1.0),
            "write: 50.0 of 200.0 MB written (25%), 50.0 MB/s, ETA 3 s; 1 of 3 workers "
            "writing");
  s.in_phase = 0;
  s.done = s.total;
  EXPECT_EQ(describe_phase_progress(s, 4.0),
            "write: 200.0 of 200.0 MB written (100%), 50.0 MB/s; 0 of 3 workers writing");
}

TEST(Progress, ALogKeepsItsIntervalAcrossPhases) {
  const auto t0 = std::chrono::steady_clock::time_point{};
  const std::string text = written([&](std::FILE *out) {
    ProgressLine p(out, false, 10, t0);
    EXPECT_FALSE(p.due(t0 + 5s, false));
    p.show("map: a", t0 + 11s, false);
    p.show("map: b", t0 + 12s, true); // the map's last line: one was shown
    p.restart(t0 + 12s);
    EXPECT_FALSE(p.due(t0 + 13s, false)); // 10 s from the last line, not the phase
    EXPECT_FALSE(p.due(t0 + 14s, true));  // none of this phase shown: no last line
    EXPECT_TRUE(p.due(t0 + 22s, false));
    EXPECT_EQ(p.seconds(t0 + 22s), 10.0);
    p.show("shuffle: c", t0 + 22s, false);
  });
  EXPECT_NE(text.find("] map: a\n"), std::string::npos) << text;
  EXPECT_NE(text.find("] map: b\n"), std::string::npos) << text;
  EXPECT_NE(text.find("] shuffle: c\n"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;
}

TEST(Progress, AnotherMessageEndsTheLineBeingRedrawnFirst) {
  const auto t0 = std::chrono::steady_clock::time_point{};
  const std::string text = written([&](std::FILE *out) {
    ProgressLine p(out, true, 10, t0);
    p.show("map: 1/10", t0 + 1s, false);
    mr::core::end_stderr_line(); // a streaming command's stderr line comes
    std::fputs("cmd: warning\n", out);
    mr::core::end_stderr_line(); // nothing open any more: nothing printed
    p.show("map: 2/10", t0 + 2s, false);
    p.show("map: 10/10", t0 + 3s, true);
    mr::core::end_stderr_line(); // ended by the last line
  });
  EXPECT_EQ(text,
            "\rmap: 1/10\033[K\ncmd: warning\n\rmap: 2/10\033[K\rmap: 10/10\033[K\n");
}

} // namespace
