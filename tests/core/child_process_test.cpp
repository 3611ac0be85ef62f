// tests/core/child_process_test.cpp: a command fed on stdin and read line by
// line: every line arrives whole (also the last without '\n', also after a
// command wrote more than a pipe holds), how it ended is said, and the line
// and idle limits kill it and say so.
#include "core/child_process.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace {

using mr::core::ChildProcess;

struct Lines {
  std::vector<std::string> got;
  ChildProcess::LineFn fn() {
    return [this](std::string_view l) { got.emplace_back(l); };
  }
};

TEST(ChildProcess, LinesGoThroughAndTheLastNeedsNoNewline) {
  Lines lines;
  ChildProcess c("cat; printf end", {}, "test");
  const auto fn = lines.fn();
  c.write({"a", "\t", "1", "\n"}, fn);
  c.write("b\n", fn);
  EXPECT_EQ(c.finish(fn), "");
  EXPECT_EQ(lines.got, (std::vector<std::string>{"a\t1", "b", "end"}));
}

TEST(ChildProcess, MoreThanAPipeHoldsBeforeReadingNeverBlocks) {
  Lines lines;
  ChildProcess c("head -c 3000000 /dev/zero | tr '\\0' x; echo; cat", {}, "test");
  const auto fn = lines.fn();
  for (int i = 0; i < 1000; ++i)
    c.write("line\n", fn);
  EXPECT_EQ(c.finish(fn), "");
  ASSERT_EQ(lines.got.size(), 1001u);
  EXPECT_EQ(lines.got[0].size(), 3000000u);
  EXPECT_EQ(lines.got[1000], "line");
}

TEST(ChildProcess, SaysHowItEnded) {
  Lines lines;
  const auto fn = lines.fn();
  ChildProcess failing("echo why >&2; exit 3", {}, "test");
  const std::string ended = failing.finish(fn);
  EXPECT_NE(ended.find("exited with code 3"), std::string::npos) << ended;
  EXPECT_NE(ended.find("\n  why"), std::string::npos) << ended;
  ChildProcess missing("no-such-command-for-this-test", {}, "test");
  EXPECT_NE(missing.finish(fn).find("(the shell found no such command)"),
            std::string::npos);
}

TEST(ChildProcess, TheEnvironmentIsGiven) {
  Lines lines;
  const auto fn = lines.fn();
  ChildProcess c("echo \"$MR_TEST_A/$MR_TEST_B\"",
                 {{"MR_TEST_A", "1"}, {"MR_TEST_B", "x y"}}, "test");
  EXPECT_EQ(c.finish(fn), "");
  EXPECT_EQ(lines.got, (std::vector<std::string>{"1/x y"}));
}

TEST(ChildProcess, ALineOfTheLimitIsKeptALongerOneKillsIt) {
  Lines lines;
  const auto fn = lines.fn();
  ChildProcess fits("head -c 100000 /dev/zero | tr '\\0' y; echo", {}, "test");
  fits.limit_line(100000, "");
  EXPECT_EQ(fits.finish(fn), "");
  ASSERT_EQ(lines.got.size(), 1u);
  EXPECT_EQ(lines.got[0].size(), 100000u);

  // An endless line: without the limit it would fill memory.
  ChildProcess endless("tr '\\0' y </dev/zero", {}, "test");
  endless.limit_line(100000, "raise it somehow");
  try {
    endless.finish(fn);
    FAIL() << "an endless line was taken";
  } catch (const std::runtime_error &e) {
    EXPECT_STREQ(e.what(), "wrote a line longer than 100000 bytes, and was killed (the "
                           "line limit; raise it somehow)");
  }
  EXPECT_EQ(lines.got.size(), 1u);
}

TEST(ChildProcess, TheLimitAlsoHoldsWhileItIsFed) {
  Lines lines;
  const auto fn = lines.fn();
  ChildProcess c("tr '\\0' y </dev/zero", {}, "test");
  c.limit_line(1 << 20, "");
  const std::string block(64 << 10, 'z');
  // It never reads its input: the writes wait on its stdout, which is
  // read until the line is too long.
  EXPECT_THROW(for (int i = 0; i < 100; ++i) c.write(block, fn), std::runtime_error);
  EXPECT_TRUE(lines.got.empty());
}

TEST(ChildProcess, TheIdleLimitKillsACommandThatWaits) {
  Lines lines;
  const auto fn = lines.fn();
  ChildProcess c("sleep 600", {}, "test");
  c.limit_idle(0.2);
  try {
    c.finish(fn);
    FAIL() << "a sleeping command was waited for";
  } catch (const std::runtime_error &e) {
    EXPECT_NE(std::string(e.what()).find("took no input and wrote nothing for 0.2 s"),
              std::string::npos)
        << e.what();
  }
}

} // namespace
