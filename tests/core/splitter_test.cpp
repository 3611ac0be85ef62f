// tests/core/splitter_test.cpp: map tasks start and end at line starts, and
// every line lands in exactly one task, whatever the split size.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/splitter.h"

namespace {

using mr::core::Split;

std::vector<Split> split_text(const std::string &text, std::uint64_t split_size,
                              std::uint64_t window = 64 * 1024) {
  auto read = [&](std::uint64_t at, std::uint64_t n, char *dst) {
    ASSERT_LE(at + n, text.size());
    text.copy(dst, n, at);
  };
  return mr::core::split_input(text.size(), split_size, [&](std::uint64_t pos) {
    return mr::core::next_line_start(pos, text.size(), read, window);
  });
}

std::vector<std::string> lines_of(std::string_view bytes) {
  std::vector<std::string> out;
  mr::core::for_each_line(bytes, [&](std::string_view l) { out.emplace_back(l); });
  return out;
}

/// Tasks tile the input, each starts at a line start, and the lines of all
/// tasks are the lines of the whole input.
void expect_valid(const std::string &text, const std::vector<Split> &splits) {
  std::uint64_t at = 0;
  std::vector<std::string> all;
  for (std::size_t i = 0; i < splits.size(); ++i) {
    EXPECT_EQ(splits[i].id, i);
    EXPECT_EQ(splits[i].begin, at);
    EXPECT_GT(splits[i].end, splits[i].begin) << "empty task " << i;
    EXPECT_TRUE(at == 0 || text[at - 1] == '\n') << "task " << i << " cuts a line";
    auto part = lines_of(std::string_view(text).substr(at, splits[i].size()));
    all.insert(all.end(), part.begin(), part.end());
    at = splits[i].end;
  }
  EXPECT_EQ(at, text.size());
  EXPECT_EQ(all, lines_of(text));
}

TEST(Splitter, EmptyInputHasNoTasks) {
  EXPECT_TRUE(split_text("", 10).empty());
}

TEST(Splitter, CutsMoveForwardToTheNextLineStart) {
  const std::string text = "aaaa\nbb\ncccccc\nd\n";
  auto s = split_text(text, 6);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].end, 8u);  // after "aaaa\nbb\n"
  EXPECT_EQ(s[1].end, 15u); // after "cccccc\n"
  EXPECT_EQ(s[2].end, 17u);
  expect_valid(text, s);
}

TEST(Splitter, CutAlreadyAtLineStartStays) {
  const std::string text = "abc\ndef\n";
  auto s = split_text(text, 4);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].end, 4u);
}

TEST(Splitter, LineLongerThanManySplitsIsOneTask) {
  const std::string text = "x\n" + std::string(1000, 'y') + "\nz\n";
  auto s = split_text(text, 10, /*window=*/7); // small windows: scan many reads
  expect_valid(text, s);
  bool found = false;
  for (const auto &t : s)
    found |= t.size() >= 1000;
  EXPECT_TRUE(found);
}

TEST(Splitter, NoTrailingNewline) {
  const std::string text = "one\ntwo\nthree";
  for (std::uint64_t size : {1, 2, 5, 100})
    expect_valid(text, split_text(text, size));
  EXPECT_EQ(lines_of(text).back(), "three");
}

TEST(Splitter, CrLfLinesLoseTheirLineEnd) {
  EXPECT_EQ(lines_of("a b\r\nc\r\n\r\nd\n"),
            (std::vector<std::string>{"a b", "c", "", "d"}));
  // A lone \r inside a line is data, not a line end.
  EXPECT_EQ(lines_of("a\rb\n"), (std::vector<std::string>{"a\rb"}));
}

TEST(Splitter, EmptyLinesAreRecords) {
  EXPECT_EQ(lines_of("\n\nx\n"), (std::vector<std::string>{"", "", "x"}));
}

TEST(Splitter, RandomTextsAndSplitSizes) {
  std::mt19937 rng(42);
  for (int trial = 0; trial < 200; ++trial) {
    std::string text;
    const int lines = rng() % 40;
    for (int i = 0; i < lines; ++i) {
      text += std::string(rng() % (trial % 5 == 0 ? 300 : 12), 'a' + i % 26);
      text += rng() % 4 == 0 ? "\r\n" : "\n";
    }
    if (rng() % 3 == 0)
      text += "tail";
    const std::uint64_t size = 1 + rng() % 64;
    expect_valid(text, split_text(text, size, 1 + rng() % 16));
  }
}

TEST(Splitter, ZeroSplitSizeIsRejected) {
  EXPECT_THROW(split_text("a\n", 0), std::invalid_argument);
}

} // namespace
