// tests/core/key_sort_test.cpp: the radix sort of key/value refs against
// std::sort by plain byte comparison (the order of `LC_ALL=C sort`).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/key_sort.h"

namespace {

using mr::core::KeyValueRef;

/// Keys made to stress the sort: many share 8 or 16 bytes (stems), some end
/// inside or right at a prefix, some hold NUL bytes (which a zero-padded
/// prefix cannot tell from the end of a key) and bytes above 0x7f.
std::vector<std::string> tricky_keys(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  const std::vector<std::string> stems = {"",         "a",
                                          "abcdefgh", "abcdefghijklmnop",
                                          "https://", std::string("ab\0\0\0\0\0\0", 8),
                                          "\xff\xfe", std::string("\0", 1),
                                          "testsuit", "testsuite-with-a-long-name/"};
  const std::string alphabet("\0\x01 aAbz\x7f\x80\xff", 10);
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < n; ++i) {
    std::string k = stems[rng() % stems.size()];
    const std::size_t extra = rng() % 4 == 0 ? 0 : rng() % 20;
    for (std::size_t j = 0; j < extra; ++j)
      k += alphabet[rng() % alphabet.size()];
    keys.push_back(k);
  }
  return keys;
}

mr::core::RefVector refs_of(const std::vector<std::string> &keys,
                            const std::vector<std::string> &values) {
  mr::core::RefVector refs;
  for (std::size_t i = 0; i < keys.size(); ++i)
    refs.push_back(mr::core::make_ref(keys[i], values[i]));
  return refs;
}

TEST(KeySort, RadixEqualsByteOrder) {
  // Sizes around the small-range cut-off and far above it (several passes).
  for (std::size_t n : {0u, 1u, 47u, 48u, 49u, 1000u, 50000u}) {
    const std::vector<std::string> keys = tricky_keys(n, static_cast<unsigned>(n) + 7);
    std::vector<std::string> values;
    for (std::size_t i = 0; i < n; ++i)
      values.push_back(std::to_string(i));
    mr::core::RefVector refs = refs_of(keys, values);
    mr::core::sort_by_key(refs, false);

    std::vector<std::string> expected = keys;
    std::sort(expected.begin(), expected.end()); // std::string: unsigned bytes
    ASSERT_EQ(refs.size(), n);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(refs[i].key, expected[i]) << "n=" << n << " at " << i;
      // Each value is still its own key's, and the prefix is the key's own.
      const std::size_t original = std::stoul(std::string(refs[i].value));
      EXPECT_EQ(refs[i].key, keys[original]);
      EXPECT_EQ(refs[i].prefix, mr::core::key_prefix(refs[i].key));
    }
  }
}

TEST(KeySort, EqualKeysGroupAndTheirValuesSortToo) {
  const std::vector<std::string> keys = tricky_keys(20000, 3);
  std::mt19937 rng(4);
  std::vector<std::string> values;
  for (std::size_t i = 0; i < keys.size(); ++i)
    values.push_back(std::string(1, static_cast<char>(rng() % 256)) +
                     std::to_string(rng() % 5));
  mr::core::RefVector refs = refs_of(keys, values);
  mr::core::sort_by_key(refs, true);

  std::vector<std::pair<std::string, std::string>> expected;
  for (std::size_t i = 0; i < keys.size(); ++i)
    expected.emplace_back(keys[i], values[i]);
  std::sort(expected.begin(), expected.end());
  for (std::size_t i = 0; i < refs.size(); ++i) {
    ASSERT_EQ(refs[i].key, expected[i].first) << i;
    ASSERT_EQ(refs[i].value, expected[i].second) << i;
    if (i > 0) {
      EXPECT_EQ(mr::core::same_key(refs[i - 1], refs[i]), refs[i - 1].key == refs[i].key);
    }
  }
}

} // namespace
