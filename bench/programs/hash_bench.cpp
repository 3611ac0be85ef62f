// bench/programs/hash_bench.cpp: our key hash (core/hash.h) against XXH3-64 on the
// words of real files, as the map phase hashes them: one word at a time.
// Prints ns per word for each (median of 5 passes) and checks that both
// spread keys evenly over partitions.
//
//   build/bench/hash_bench FILE...
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "core/hash.h"
#include "mr/text.h"

namespace {

template <class F>
double ns_per_word(const std::vector<std::string_view> &words, F &&hash) {
  std::vector<double> times;
  std::uint64_t sink = 0;
  for (int pass = 0; pass < 5; ++pass) {
    const auto t0 = std::chrono::steady_clock::now();
    for (std::string_view w : words)
      sink += hash(w);
    const auto t1 = std::chrono::steady_clock::now();
    times.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() /
                    static_cast<double>(words.size()));
  }
  std::sort(times.begin(), times.end());
  if (sink == 42)
    std::puts(""); // keeps the loop
  return times[2];
}

template <class F>
double imbalance(const std::vector<std::string_view> &words, F &&hash) {
  constexpr std::uint32_t R = 7;
  std::vector<std::uint64_t> n(R);
  for (std::string_view w : words)
    ++n[hash(w) % R];
  const auto [lo, hi] = std::minmax_element(n.begin(), n.end());
  return static_cast<double>(*hi) / static_cast<double>(*lo);
}

} // namespace

int main(int argc, char **argv) {
  std::string text;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    text.append(std::istreambuf_iterator<char>(in), {});
  }
  std::vector<std::string_view> words;
  mr::for_each_word(text, [&](std::string_view w) { words.push_back(w); });
  auto ours = [](std::string_view w) { return mr::core::hash_bytes(w); };
  auto xxh3 = [](std::string_view w) { return XXH3_64bits(w.data(), w.size()); };
  std::vector<std::string_view> distinct = words;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::printf("%zu words, %zu distinct; partition max/min is over the distinct words\n",
              words.size(), distinct.size());
  std::printf("hash_bytes: %.2f ns/word, partition max/min %.4f\n",
              ns_per_word(words, ours), imbalance(distinct, ours));
  std::printf("XXH3-64:    %.2f ns/word, partition max/min %.4f\n",
              ns_per_word(words, xxh3), imbalance(distinct, xxh3));
  return 0;
}
