// tests/core/combine_table_test.cpp: the combine table against std::map.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "core/combine_table.h"
#include "mr/codec.h"

namespace {

using mr::core::CombineTable;
using mr::core::MergeMode;

auto add_u64 = [](std::string_view, std::string_view a, std::string_view b,
                  std::string &out) {
  out = mr::u64_bytes(mr::read_u64(a) + mr::read_u64(b));
};

/// The table's entries, in key order, are the oracle's sums.
void expect_sums(const CombineTable &table,
                 const std::map<std::string, std::uint64_t> &oracle) {
  EXPECT_EQ(table.size(), oracle.size());
  const auto entries = table.sorted_entries();
  ASSERT_EQ(entries.size(), oracle.size());
  auto it = oracle.begin();
  for (const auto &[k, v] : entries) {
    EXPECT_EQ(k, it->first);
    EXPECT_EQ(mr::read_u64(v), it->second);
    ++it;
  }
}

TEST(CombineTable, SumsLikeAMap) {
  std::mt19937 rng(1);
  CombineTable table;
  std::map<std::string, std::uint64_t> oracle;
  for (int i = 0; i < 200000; ++i) { // many keys: the table grows several times
    std::string key = "k" + std::to_string(rng() % 50000);
    std::uint64_t v = rng() % 100;
    table.insert(key, mr::u64_bytes(v), add_u64);
    oracle[key] += v;
  }
  expect_sums(table, oracle);
}

TEST(CombineTable, ValuesMayChangeSize) {
  CombineTable table;
  auto concat = [](std::string_view, std::string_view a, std::string_view b,
                   std::string &out) { out = std::string(a) + "," + std::string(b); };
  table.insert("x", "1", concat);
  table.insert("y", "a", concat);
  table.insert("x", "22", concat);
  table.insert("x", "333", concat);
  auto e = table.sorted_entries();
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].second, "1,22,333");
  EXPECT_EQ(e[1].second, "a");
}

TEST(CombineTable, KeysAreBytesAndSortUnsigned) {
  CombineTable table;
  auto keep = [](std::string_view, std::string_view a, std::string_view,
                 std::string &out) { out = a; };
  table.insert(std::string("\xff", 1), "", keep);
  table.insert(std::string("a\0b", 3), "", keep);
  table.insert(std::string("a", 1), "", keep);
  table.insert("", "", keep);
  auto e = table.sorted_entries();
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].first, "");
  EXPECT_EQ(e[1].first, "a");
  EXPECT_EQ(e[2].first, std::string_view("a\0b", 3));
  EXPECT_EQ(e[3].first, "\xff"); // after ASCII, as `LC_ALL=C sort` puts it
}

TEST(CombineTable, BatchesGiveTheSameSums) {
  // insert_batch (counts added in place, and through a merge function)
  // against std::map, the table growing several times.
  std::mt19937 rng(2);
  CombineTable sums, merged;
  std::map<std::string, std::uint64_t> oracle;
  std::vector<std::string> keys, values;
  for (int i = 0; i < 100000; ++i) {
    keys.push_back("key" + std::to_string(rng() % 30000) + std::string(rng() % 20, 'x'));
    values.emplace_back(std::string_view(mr::u64_bytes(rng() % 1000)));
    oracle[keys.back()] += mr::read_u64(values.back());
  }
  std::vector<mr::core::HashedPair> batch;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    batch.push_back({mr::core::hash_bytes(keys[i]), keys[i], values[i]});
    if (batch.size() == CombineTable::kBatch || i + 1 == keys.size()) {
      sums.insert_batch(batch.data(), batch.size(), MergeMode::add_u64, add_u64);
      merged.insert_batch(batch.data(), batch.size(), MergeMode::call, add_u64);
      batch.clear();
    }
  }
  expect_sums(sums, oracle);
  expect_sums(merged, oracle);
}

TEST(CombineTable, AppendsInPlaceLikeConcatenation) {
  // MergeMode::append against std::map of concatenated strings: values of
  // every size from empty to many KiB, keys met once or thousands of times,
  // the table growing (and values moving to new room) all along.
  std::mt19937 rng(3);
  CombineTable table;
  std::map<std::string, std::string> oracle;
  auto unused = [](std::string_view, std::string_view, std::string_view, std::string &) {
    FAIL() << "append must not call the merge function";
  };
  std::vector<std::string> keys, values;
  for (int i = 0; i < 200000; ++i) {
    const std::uint32_t r = rng();
    // A Zipf-like mix: a few keys very often, many keys rarely.
    keys.push_back("w" + std::to_string(r % 7 == 0 ? r % 5 : r % 40000));
    values.push_back(std::string(rng() % 13, static_cast<char>('a' + i % 26)));
    oracle[keys.back()] += values.back();
  }
  std::vector<mr::core::HashedPair> batch;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    batch.push_back({mr::core::hash_bytes(keys[i]), keys[i], values[i]});
    if (batch.size() == CombineTable::kBatch || i + 1 == keys.size()) {
      table.insert_batch(batch.data(), batch.size(), MergeMode::append, unused);
      batch.clear();
    }
  }
  const auto entries = table.sorted_entries();
  ASSERT_EQ(entries.size(), oracle.size());
  auto it = oracle.begin();
  std::size_t value_bytes = 0;
  for (const auto &[k, v] : entries) {
    EXPECT_EQ(k, it->first);
    EXPECT_EQ(v, it->second) << "key " << k;
    value_bytes += v.size();
    ++it;
  }
  // The room kept for growth stays within a small multiple of the bytes
  // (moved-from copies and unused tails): not n^2 for a key met n times.
  EXPECT_LT(table.memory_bytes(), 4 * value_bytes + 40 * oracle.size());
}

TEST(CombineTable, ClearEmptiesIt) {
  CombineTable table;
  table.insert("a", mr::u64_bytes(1), add_u64);
  table.clear();
  EXPECT_TRUE(table.empty());
  table.insert("a", mr::u64_bytes(2), add_u64);
  EXPECT_EQ(mr::read_u64(table.sorted_entries()[0].second), 2u);
}

} // namespace
