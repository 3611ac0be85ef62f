// tests/core/text_test.cpp: mr::for_each_word (16 bytes at a time) against a
// byte-by-byte splitter written from its definition.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "mr/text.h"

namespace {

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  mr::for_each_word(text, [&](std::string_view w) { words.emplace_back(w); });
  return words;
}

/// Maximal runs of bytes other than the six ASCII whitespace bytes.
std::vector<std::string> reference_words(std::string_view text) {
  const std::string space(" \t\n\v\f\r");
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (space.find(c) == std::string::npos) {
      word += c;
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  if (!word.empty())
    words.push_back(word);
  return words;
}

TEST(ForEachWord, EdgeCases) {
  EXPECT_TRUE(words_of("").empty());
  EXPECT_TRUE(words_of(" \t\n\v\f\r").empty());
  EXPECT_EQ(words_of("a"), std::vector<std::string>{"a"});
  EXPECT_EQ(words_of("  a  bb\r\nccc "), (std::vector<std::string>{"a", "bb", "ccc"}));
  // Bytes next to whitespace in value are word bytes: \x08, \x0e, \x1f, \xa0.
  EXPECT_EQ(words_of(std::string("\x08 \x0e\x1f \xa0\xff", 7)),
            (std::vector<std::string>{"\x08", "\x0e\x1f", "\xa0\xff"}));
  EXPECT_EQ(words_of(std::string("a\0b c", 5)),
            (std::vector<std::string>{std::string("a\0b", 3), "c"}));
  // A word across 16-byte blocks, one ending exactly at a block's end, one
  // as long as the text.
  const std::string w40(40, 'x');
  EXPECT_EQ(words_of(w40), std::vector<std::string>{w40});
  EXPECT_EQ(words_of(std::string(15, 'y') + " " + w40 + " "),
            (std::vector<std::string>{std::string(15, 'y'), w40}));
  EXPECT_EQ(words_of(std::string(16, 'z') + "\n" + std::string(16, 'z')),
            (std::vector<std::string>{std::string(16, 'z'), std::string(16, 'z')}));
}

TEST(ForEachWord, EqualsByteByByteOnRandomText) {
  std::mt19937 rng(11);
  const std::string space(" \t\n\v\f\r");
  for (int round = 0; round < 3000; ++round) {
    std::string text(rng() % 200, '\0');
    const unsigned space_odds = 2 + rng() % 10; // from mostly space to long words
    for (char &c : text)
      c = rng() % space_odds == 0 ? space[rng() % space.size()]
                                  : static_cast<char>(rng());
    // Views at every alignment of the buffer.
    const std::size_t from = text.empty() ? 0 : rng() % text.size();
    const std::string_view view = std::string_view(text).substr(from);
    ASSERT_EQ(words_of(view), reference_words(view)) << "round " << round;
  }
}

} // namespace
