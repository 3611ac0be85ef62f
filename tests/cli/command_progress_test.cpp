// tests/cli/command_progress_test.cpp: when import, export and verify show
// their progress, on a fake clock (the e2e test cannot tell a quick command
// from a slow one on a busy machine): on a terminal nothing in the first
// second, then one line redrawn in place and ended at 100%; in a log a
// timestamped line every N seconds; quiet: nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "../written.h"
#include "cli/command_progress.h"

using mr::cli::CommandProgress;
using namespace std::chrono_literals;

namespace {

using mr::test::written;

const auto t0 = CommandProgress::Clock::time_point{} + 1000s;

TEST(CommandProgress, TerminalSaysNothingForAQuickCommand) {
  const std::string text = written([](std::FILE *out) {
    CommandProgress p("import", "read", CommandProgress::Unit::bytes, 0, out, true, t0);
    p.update(10'000'000, 40'000'000, t0 + 300ms);
    p.update(30'000'000, 40'000'000, t0 + 900ms);
    p.update(40'000'000, 40'000'000, t0 + 990ms);
  });
  EXPECT_EQ(text, "");
}

TEST(CommandProgress, TerminalRedrawsOneLineAfterTheFirstSecond) {
  const std::string text = written([](std::FILE *out) {
    CommandProgress p("import", "read", CommandProgress::Unit::bytes, 0, out, true, t0);
    p.update(10'000'000, 40'000'000, t0 + 500ms); // still the first second
    p.update(20'000'000, 40'000'000, t0 + 1000ms);
    p.update(21'000'000, 40'000'000, t0 + 1100ms); // within 0.2 s of the last
    p.update(30'000'000, 40'000'000, t0 + 1500ms);
    p.update(40'000'000, 40'000'000, t0 + 2000ms);
  });
  EXPECT_EQ(text, "\rimport: 20.0 of 40.0 MB read (50%), 20.0 MB/s, ETA 1 s\033[K"
                  "\rimport: 30.0 of 40.0 MB read (75%), 20.0 MB/s, ETA 1 s\033[K"
                  "\rimport: 40.0 of 40.0 MB read (100%), 20.0 MB/s\033[K\n");
}

TEST(CommandProgress, LogPrintsTimestampedLinesEveryNSeconds) {
  const std::string text = written([](std::FILE *out) {
    CommandProgress p("export", "printed", CommandProgress::Unit::rows, 5, out, false,
                      t0);
    p.update(100, 1000, t0 + 2s); // before the first 5 s
    p.update(500, 1000, t0 + 5s);
    p.update(600, 1000, t0 + 6s); // 1 s after the last line
    p.update(1000, 1000, t0 + 8s);
  });
  const auto first = text.find("] export: 500 of 1000 rows printed (50%), 100 rows/s");
  const auto last = text.find("] export: 1000 of 1000 rows printed (100%), 125 rows/s\n");
  ASSERT_NE(first, std::string::npos) << text;
  ASSERT_NE(last, std::string::npos) << text;
  EXPECT_LT(first, last);
  EXPECT_EQ(text.find("600 of"), std::string::npos) << text;
  EXPECT_EQ(text[0], '[');
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
}

TEST(CommandProgress, LogSaysNothingMoreForACommandThatEndsFirst) {
  const std::string text = written([](std::FILE *out) {
    CommandProgress p("verify", "checked", CommandProgress::Unit::bytes, 5, out, false,
                      t0);
    p.update(1, 2, t0 + 1s);
    p.update(2, 2, t0 + 2s);
  });
  EXPECT_EQ(text, "");
}

TEST(CommandProgress, QuietPrintsNothing) {
  CommandProgress p("import", "read", CommandProgress::Unit::bytes, 0, nullptr, true, t0);
  p.update(1, 2, t0 + 5s);
  p.update(2, 2, t0 + 6s); // and nothing to crash on
  SUCCEED();
}

} // namespace
