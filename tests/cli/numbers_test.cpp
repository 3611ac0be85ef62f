// tests/cli/numbers_test.cpp: sizes and seconds on the command line are
// read exactly or refused: never wrapped, clipped or thrown past the CLI.
#include <gtest/gtest.h>

#include <random>

#include "cli/numbers.h"

using namespace mr::cli;

TEST(ParseSize, UnitsArePowersOf1024) {
  EXPECT_EQ(parse_size("0"), 0u);
  EXPECT_EQ(parse_size("17"), 17u);
  EXPECT_EQ(parse_size("17B"), 17u);
  EXPECT_EQ(parse_size("4k"), 4096u);
  EXPECT_EQ(parse_size("4KiB"), 4096u);
  EXPECT_EQ(parse_size("4kb"), 4096u);
  EXPECT_EQ(parse_size("64MiB"), 64u << 20);
  EXPECT_EQ(parse_size("2g"), 2ull << 30);
  EXPECT_EQ(parse_size("1TiB"), 1ull << 40);
  EXPECT_EQ(parse_size("1PiB"), 1ull << 50);
  EXPECT_EQ(parse_size("18446744073709551615"), UINT64_MAX);
}

TEST(ParseSize, RefusesWhatItCannotReadExactly) {
  for (const char *bad :
       {"", "-1", "1.5MiB", "MiB", "1 MiB", "1e10", "0x10", "nan", "18446744073709551616",
        "99999999999999999999999", "16384PiB", "1EiB", "12XB", "+5"})
    EXPECT_FALSE(parse_size(bad)) << bad;
}

TEST(CheckSize, RangesAndZero) {
  std::string v = "64MiB";
  EXPECT_EQ(check_size(v, 1, 1ull << 30), "");
  EXPECT_EQ(v, std::to_string(64u << 20));
  v = "0";
  EXPECT_NE(check_size(v, 1, 100), "");
  v = "0";
  EXPECT_EQ(check_size(v, 1, 100, true), "");
  v = "101";
  EXPECT_NE(check_size(v, 1, 100).find("must be"), std::string::npos);
  v = "-1";
  EXPECT_NE(check_size(v, 0, 100).find("negative"), std::string::npos);
}

TEST(CheckSize, RandomDigitStringsNeverThrow) {
  std::mt19937_64 rng(7);
  const std::string alphabet = "0123456789kKmMgGtTpPiIbB.-e ";
  for (int i = 0; i < 20000; ++i) {
    std::string v(rng() % 30, ' ');
    for (char &c : v)
      c = alphabet[rng() % alphabet.size()];
    std::string copy = v;
    std::string why;
    EXPECT_NO_THROW(why = check_size(copy, 1, 1ull << 40, true)) << v;
    if (why.empty()) { // accepted: the value is what parse_size read, in range
      EXPECT_LE(std::stoull(copy), 1ull << 40) << v;
    }
  }
}

TEST(CheckSeconds, FiniteAndBounded) {
  EXPECT_EQ(check_seconds("600", 1e6), "");
  EXPECT_EQ(check_seconds("0.5", 1e6), "");
  for (const char *bad : {"0", "-1", "nan", "inf", "1e10", "", "5s", "1e309"})
    EXPECT_NE(check_seconds(bad, 2592000), "") << bad;
}
