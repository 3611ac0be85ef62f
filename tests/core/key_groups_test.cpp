// tests/core/key_groups_test.cpp: grouping a partition's pairs by key
// against an oracle that sorts every (key, value) pair with std::sort
// (byte order, the order of `LC_ALL=C sort`).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/hash.h"
#include "core/key_groups.h"
#include "core/kv_buffer.h"

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

/// The pairs packed as a reduce partition receives them, cut into `runs`
/// pieces (one per sending worker).
std::vector<std::string> pack(const Pairs &pairs, std::size_t runs) {
  std::vector<std::string> packed(runs);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    mr::core::KvBuffer b;
    b.append(pairs[i].first, pairs[i].second);
    packed[i % runs].append(b.bytes());
  }
  return packed;
}

/// Groups `pairs` and checks keys and values against the oracle; returns
/// whether they were grouped (false: the caller was told to sort). Grouped
/// whenever a key repeats at all, unless the engine's rule is asked for.
bool check(const Pairs &pairs, std::size_t runs, mr::core::KeyGroups &groups,
           double min_pairs_per_key = 1) {
  const std::vector<std::string> packed = pack(pairs, runs);
  std::vector<std::string_view> views(packed.begin(), packed.end());
  const mr::core::KeyCensus census = mr::core::take_census(views);
  EXPECT_EQ(census.pairs, pairs.size());
  if (!groups.group(views, census, min_pairs_per_key))
    return false;
  Pairs expected = pairs;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(groups.pairs(), pairs.size());
  std::size_t at = 0;
  for (std::size_t i = 0; i < groups.keys(); ++i) {
    if (i > 0) {
      EXPECT_LT(groups.key(i - 1), groups.key(i)) << "keys out of order at " << i;
    }
    for (std::string_view v : groups.values(i)) {
      EXPECT_LT(at, expected.size());
      if (at >= expected.size())
        return true;
      EXPECT_EQ(groups.key(i), expected[at].first) << "pair " << at;
      EXPECT_EQ(v, expected[at].second) << "pair " << at;
      ++at;
    }
  }
  EXPECT_EQ(at, expected.size());
  return true;
}

/// Keys of a Zipf-like skew (a few very frequent), with NULs, bytes above
/// 0x7f, shared 8- and 16-byte stems; values out of order and in order.
Pairs skewed_pairs(std::size_t n, std::size_t distinct, unsigned seed) {
  std::mt19937 rng(seed);
  const std::vector<std::string> stems = {"", "abcdefgh", "abcdefghijklmnop",
                                          std::string("ab\0\0\0\0\0\0", 8), "\xff\xfe"};
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < distinct; ++i)
    keys.push_back(stems[i % stems.size()] + std::to_string(i) +
                   (i % 3 ? std::string(1, '\0') : std::string("\x80")));
  Pairs pairs;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t k =
        std::min<std::size_t>(distinct - 1, distinct / (1 + rng() % distinct));
    // Values short (within the 8 bytes compared first), long (sharing
    // those 8), or with a NUL where a shorter one ends.
    const std::string stem = rng() % 3 == 0 ? "01234567" : "";
    pairs.emplace_back(keys[k], stem + std::to_string(rng() % 50) +
                                    (rng() % 2   ? ""
                                     : rng() % 2 ? "\xff"
                                                 : std::string(1, '\0')));
  }
  return pairs;
}

TEST(KeyGroups, RepeatedKeysGroupedInByteOrderWithValuesInByteOrder) {
  mr::core::KeyGroups groups; // kept from one partition to the next, as reduce does
  for (std::size_t n : {2u, 100u, 70000u, 300000u})
    for (std::size_t runs : {1u, 3u}) {
      SCOPED_TRACE("n=" + std::to_string(n) + " runs=" + std::to_string(runs));
      const Pairs pairs = skewed_pairs(n, std::max<std::size_t>(1, n / 20), 7u + n);
      EXPECT_TRUE(check(pairs, runs, groups));
    }
}

TEST(KeyGroups, EmptyKeysAndValuesAndAnEmptyPartition) {
  mr::core::KeyGroups groups;
  EXPECT_TRUE(check({{"", "b"}, {"", ""}, {"x", ""}, {"", "a"}, {"x", ""}}, 2, groups));
  // Values equal in their first 8 bytes, or differing only by a NUL.
  // (Each key's values are otherwise in order: only that difference can
  // tell the check that it must sort them.)
  const std::string a0("a\0", 2);
  EXPECT_TRUE(check({{"k", a0}, {"k", "a"}, {"k", "a"}}, 1, groups));
  EXPECT_TRUE(
      check({{"j", "123456789"}, {"j", "12345678"}, {"j", "12345678"}}, 1, groups));
  EXPECT_TRUE(
      check({{"i", "12345678"}, {"i", "123456789"}, {"i", "12345678"}}, 1, groups));
  EXPECT_TRUE(
      check({{"h", "12345678b"}, {"h", "12345678a"}, {"h", "12345678a"}}, 1, groups));
  EXPECT_TRUE(check({}, 1, groups));
  EXPECT_EQ(groups.keys(), 0u);
}

TEST(KeyGroups, KeysOfOnePartitionShareTheirHashModuloThePartitions) {
  // A partition holds keys whose hashes agree modulo the partition count:
  // the table must not crowd them into a fraction of its slots (it would
  // still be right, only slow; here: right with 200k such keys).
  Pairs pairs;
  for (std::size_t i = 0; pairs.size() < 200000; ++i) {
    std::string k = "key" + std::to_string(i);
    if (mr::core::partition_of(k, 64) == 5) {
      pairs.emplace_back(k, "1");
      pairs.emplace_back(k, "0");
    }
  }
  mr::core::KeyGroups groups;
  EXPECT_TRUE(check(pairs, 1, groups));
  EXPECT_EQ(groups.keys(), 100000u);
}

TEST(KeyGroups, KeysRepeatingOnlyFarApartAreGrouped) {
  // An inverted index's partition: one document's words first, all
  // distinct, then the next document's, the same words again. Deciding on
  // the first 64k pairs left it to the sort of every pair.
  Pairs pairs;
  for (int doc = 0; doc < 8; ++doc)
    for (std::size_t w = 0; w < 100000; ++w)
      pairs.emplace_back("word" + std::to_string(w * 7919 % 100003), std::to_string(doc));
  mr::core::KeyGroups groups;
  EXPECT_TRUE(check(pairs, 2, groups, mr::core::KeyGroups::kMinPairsPerKey));
  EXPECT_EQ(groups.keys(), 100000u);
}

TEST(KeyGroups, CensusEstimatesDistinctKeysWithinAFewPercent) {
  for (std::size_t distinct : {1u, 10u, 1000u, 5000u, 100000u, 1000000u}) {
    std::string packed;
    mr::core::KvBuffer b;
    for (std::size_t i = 0; i < distinct; ++i) // each key twice, far apart
      b.append("k" + std::to_string(i), "v");
    for (std::size_t i = 0; i < distinct; ++i)
      b.append("k" + std::to_string(i), "w");
    const mr::core::KeyCensus c = mr::core::take_census({b.bytes()});
    EXPECT_EQ(c.pairs, 2 * distinct);
    EXPECT_NEAR(c.distinct_keys, double(distinct), 0.05 * double(distinct) + 0.5)
        << distinct << " keys";
  }
  EXPECT_EQ(mr::core::take_census({}).pairs, 0u);
  EXPECT_EQ(mr::core::take_census({}).distinct_keys, 0.0);
}

TEST(KeyGroups, MostlyDistinctKeysAreLeftToTheSort) {
  Pairs pairs;
  for (std::size_t i = 0; i < 100000; ++i)
    pairs.emplace_back("record" + std::to_string(i * 7919 % 100003), "v");
  mr::core::KeyGroups groups;
  const double rule = mr::core::KeyGroups::kMinPairsPerKey;
  EXPECT_FALSE(check(pairs, 1, groups, rule));
  // Small partitions decide on all their pairs: 3 pairs a key are sorted,
  // 4 grouped (the rule is 3.5).
  EXPECT_FALSE(check({{"a", "1"}}, 1, groups, rule));
  EXPECT_FALSE(check({{"a", "1"}, {"b", "1"}, {"c", "1"}}, 1, groups, rule));
  Pairs repeated;
  for (const char *v : {"1", "0", "2"})
    for (const char *k : {"a", "c"})
      repeated.emplace_back(k, v);
  EXPECT_FALSE(check(repeated, 1, groups, rule));
  repeated.emplace_back("a", "3");
  repeated.emplace_back("c", "3");
  EXPECT_TRUE(check(repeated, 1, groups, rule));
}

} // namespace
