// src/cli/suggest.cpp: see suggest.h.
#include "cli/suggest.h"

#include <algorithm>
#include <cstddef>

namespace mr::cli {

namespace {

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and swaps of two neighbours, each 1.
std::size_t distance(const std::string &a, const std::string &b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i)
    d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j)
    d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

} // namespace

std::string closest(const std::string &word, const std::vector<std::string> &candidates) {
  if (word.empty())
    return {};
  // A word that is the start of exactly one candidate (--reducer, --reduce)
  // means it.
  std::vector<std::string> starting;
  for (const std::string &c : candidates)
    if (c.size() > word.size() && c.compare(0, word.size(), word) == 0)
      starting.push_back(c);
  if (starting.size() == 1)
    return starting.front();
  const std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const std::string &c : candidates) {
    const std::size_t d = distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

} // namespace mr::cli
