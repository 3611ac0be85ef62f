// src/cli/suggest.h: "did you mean ...?" for a mistyped command or flag.
#pragma once

#include <string>
#include <vector>

namespace mr::cli {

/// The candidate closest to `word` (edit distance, a transposition counting
/// one; a candidate that `word` begins or ends a prefix of wins at once),
/// or "" when none is close enough to be what was meant: within a third of
/// the word's length, at least 1, at most 3.
std::string closest(const std::string &word, const std::vector<std::string> &candidates);

} // namespace mr::cli
