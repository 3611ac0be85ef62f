// tests/cli/suggest_test.cpp: the closest command or flag to a mistyped one,
// and none when nothing is close.
#include "cli/suggest.h"

#include <gtest/gtest.h>

namespace {

using mr::cli::closest;

const std::vector<std::string> kCommands = {"import", "run",  "export",  "validate-sort",
                                            "verify", "jobs", "pipeline"};
const std::vector<std::string> kFlags = {"--reducers", "--split-size", "--overwrite",
                                         "--output",   "--resume",     "--report"};

TEST(Closest, OneTypoAwayIsFound) {
  EXPECT_EQ(closest("imprt", kCommands), "import");
  EXPECT_EQ(closest("exprot", kCommands), "export"); // two letters swapped: one step
  EXPECT_EQ(closest("pipelin", kCommands), "pipeline");
  EXPECT_EQ(closest("--overwirte", kFlags), "--overwrite");
}

TEST(Closest, TheStartOfOneFlagIsThatFlag) {
  EXPECT_EQ(closest("--reducer", kFlags), "--reducers");
  EXPECT_EQ(closest("--split", kFlags), "--split-size");
  EXPECT_EQ(closest("--re", kFlags), ""); // the start of three: none said
}

TEST(Closest, NothingCloseIsNothing) {
  EXPECT_EQ(closest("frobnicate", kCommands), "");
  EXPECT_EQ(closest("", kCommands), "");
  EXPECT_EQ(closest("x", kCommands), "");
  EXPECT_EQ(closest("--bogus", kFlags), "");
}

} // namespace
