// tests/core/hash_test.cpp: partitioning is stable, spread, and covers every
// partition exactly once across workers.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/hash.h"

namespace {

using namespace mr::core;

TEST(Hash, IsStableAcrossBuilds) {
  // Checkpoints written by one build are read by the next: these must never
  // change. XXH3-64, seed 0 (the empty string's is in xxhash's own tests).
  EXPECT_EQ(hash_bytes(""), 0x2d06800538d394c2ull);
  EXPECT_EQ(hash_bytes("the"), 14632902600990866813ull);
  EXPECT_EQ(hash_bytes("a longer key over eight bytes"), 2750220661227517754ull);
}

TEST(Hash, DependsOnEveryByteAndTheLength) {
  EXPECT_NE(hash_bytes("abcdefgh1"), hash_bytes("abcdefgh2"));
  EXPECT_NE(hash_bytes("1abcdefgh"), hash_bytes("2abcdefgh"));
  EXPECT_NE(hash_bytes(std::string("a\0", 2)), hash_bytes("a"));
}

TEST(Hash, ShortKeysNeverCollide) {
  // Every key of 0, 1 and 2 bytes, and many of 3 to 17 (the lengths take
  // different code paths): no two share a hash.
  std::set<std::string> keys{""};
  for (int a = 0; a < 256; ++a) {
    keys.insert(std::string(1, char(a)));
    for (int b = 0; b < 256; ++b)
      keys.insert(std::string{char(a), char(b)});
  }
  for (std::size_t len = 3; len <= 17; ++len)
    for (int i = 0; i < 5000; ++i) {
      std::string k(len, 'x');
      k[i % len] = static_cast<char>(i);
      k[(i / 256) % len] ^= static_cast<char>(i / 7);
      keys.insert(k);
    }
  std::set<std::uint64_t> hashes;
  for (const auto &k : keys)
    hashes.insert(hash_bytes(k));
  EXPECT_EQ(hashes.size(), keys.size());
  EXPECT_GT(keys.size(), 100000u);
}

TEST(Partition, SpreadsKeysEvenly) {
  for (std::uint32_t r : {1u, 2u, 3u, 7u, 64u}) {
    std::vector<int> count(r);
    const int keys = 70000;
    for (int i = 0; i < keys; ++i) {
      auto p = partition_of("word" + std::to_string(i), r);
      ASSERT_LT(p, r);
      ++count[p];
    }
    for (int c : count) // within 10% of an even share
      EXPECT_NEAR(c, keys / double(r), keys / double(r) * 0.1) << "R=" << r;
  }
}

TEST(Partition, WorkersOwnConsecutiveBlocksCoveringAll) {
  for (std::uint32_t workers = 1; workers <= 9; ++workers)
    for (std::uint32_t parts = 1; parts <= 20; ++parts) {
      std::uint32_t next = 0;
      for (std::uint32_t w = 0; w < workers; ++w) {
        auto range = partitions_of_worker(w, workers, parts);
        EXPECT_EQ(range.begin, next);
        EXPECT_LE(range.begin, range.end);
        next = range.end;
      }
      EXPECT_EQ(next, parts);
    }
}

} // namespace
