// tests/core/kv_buffer_test.cpp: the packed key/value encoding.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "core/kv_buffer.h"
#include "mr/codec.h"

namespace {

using namespace mr::core;

TEST(Varint, RoundTripsBoundaries) {
  const std::uint64_t values[] = {
      0,     1,     127,        128,
      16383, 16384, 1ull << 32, std::numeric_limits<std::uint64_t>::max()};
  for (std::uint64_t v : values) {
    std::vector<char> buf;
    put_varint(buf, v);
    const char *p = buf.data();
    EXPECT_EQ(get_varint(p, buf.data() + buf.size()), v);
    EXPECT_EQ(p, buf.data() + buf.size());
  }
}

TEST(Varint, SmallValuesTakeOneByte) {
  std::vector<char> buf;
  put_varint(buf, 127);
  EXPECT_EQ(buf.size(), 1u);
  put_varint(buf, 128);
  EXPECT_EQ(buf.size(), 3u);
}

TEST(Varint, TruncatedThrows) {
  std::vector<char> buf;
  put_varint(buf, 1 << 20);
  const char *p = buf.data();
  EXPECT_THROW(get_varint(p, buf.data() + 1), std::runtime_error);
}

TEST(KvBuffer, PairsRoundTripIncludingEmptyAndBinary) {
  std::mt19937 rng(7);
  std::vector<std::pair<std::string, std::string>> pairs = {
      {"", ""}, {"k", ""}, {"", "v"}, {std::string("\0\xff\n\t", 4), "x"}};
  for (int i = 0; i < 500; ++i) {
    std::string k(rng() % 300, '\0'), v(rng() % 20, '\0');
    for (auto &c : k)
      c = static_cast<char>(rng());
    for (auto &c : v)
      c = static_cast<char>(rng());
    pairs.emplace_back(k, v);
  }
  KvBuffer buf;
  for (const auto &[k, v] : pairs)
    buf.append(k, v);
  EXPECT_EQ(buf.pairs(), pairs.size());
  std::size_t i = 0;
  for_each_pair(buf.bytes(), [&](std::string_view k, std::string_view v) {
    ASSERT_LT(i, pairs.size());
    EXPECT_EQ(k, pairs[i].first);
    EXPECT_EQ(v, pairs[i].second);
    ++i;
  });
  EXPECT_EQ(i, pairs.size());
  // Copies hold the same bytes (a map task's partitions are copied).
  const KvBuffer copy = buf;
  EXPECT_EQ(copy.bytes(), buf.bytes());
}

TEST(KvBuffer, CutBufferThrows) {
  KvBuffer buf;
  buf.append("key", "value");
  std::string_view cut = buf.bytes().substr(0, buf.bytes().size() - 1);
  EXPECT_THROW(for_each_pair(cut, [](auto, auto) {}), std::runtime_error);
}

TEST(Codec, U64IsEightLittleEndianBytes) {
  const mr::U64Bytes bytes = mr::u64_bytes(0x0102030405060708ull);
  std::string_view b = bytes;
  ASSERT_EQ(b.size(), 8u);
  EXPECT_EQ(b[0], 8);
  EXPECT_EQ(b[7], 1);
  EXPECT_EQ(mr::read_u64(mr::u64_bytes(~0ull)), ~0ull);
  EXPECT_THROW(mr::read_u64("short"), std::invalid_argument);
}

} // namespace
