// tests/comm/shuffle_test.cpp: every byte is delivered exactly once, in order,
// with many rounds, empty streams, skew and pieces of every size.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>

#include "comm/shuffle.h"

namespace {

using namespace mr::comm;

/// The stream that rank `src` sends to rank `dst` in scenario `seed`: its
/// size is chosen by `size_of`, its bytes by position, so the receiver can
/// recompute it independently.
std::string stream(int src, int dst, std::uint64_t size) {
  std::string s(size, '\0');
  for (std::uint64_t i = 0; i < size; ++i)
    s[i] = static_cast<char>((src * 131 + dst * 31 + i * 7 + i / 251) & 0xff);
  return s;
}

/// Bytes "not in memory" as the shuffle sees them (a spill file in the
/// engine): read through ByteSource.
class StringSource : public ByteSource {
public:
  explicit StringSource(const std::string &s) : s_(s) {}
  void read(std::uint64_t offset, std::uint64_t n, char *dst) override {
    ASSERT_LE(offset + n, s_.size());
    std::memcpy(dst, s_.data() + offset, n);
  }

private:
  const std::string &s_;
};

/// Cuts a stream into pieces of random sizes (including empty ones), some
/// in memory and some read through `source` (which holds the same bytes).
Pieces cut(const std::string &s, unsigned seed, ByteSource *source) {
  std::mt19937 rng(seed);
  Pieces pieces;
  std::size_t at = 0;
  while (at < s.size()) {
    std::size_t n = std::min<std::size_t>(s.size() - at, rng() % 50);
    if (rng() % 3 == 0)
      pieces.emplace_back(source, at, n);
    else
      pieces.emplace_back(std::string_view(s.data() + at, n));
    at += n;
  }
  return pieces;
}

void check_result(const ShuffleResult &r,
                  const std::function<std::uint64_t(int, int)> &size_of,
                  std::uint64_t round_bytes);

void run_scenario(const std::function<std::uint64_t(int, int)> &size_of,
                  std::uint64_t round_bytes) {
  const Comm world = Comm::world();
  const int n = world.size(), me = world.rank();
  std::vector<std::string> data(n);
  std::vector<Pieces> to(n);
  std::vector<std::unique_ptr<StringSource>> sources;
  for (int d = 0; d < n; ++d) {
    data[d] = stream(me, d, size_of(me, d));
    sources.push_back(std::make_unique<StringSource>(data[d]));
    to[d] = cut(data[d], me * 100 + d, sources.back().get());
  }
  // Received round by round through the callback, and straight into place;
  // sent through datatypes, and packed (landing in place, or, when the
  // targets are too far apart for MPI_Alltoallv, through a buffer).
  for (bool in_place : {false, true})
    for (SendMode mode : {SendMode::datatypes, SendMode::packed})
      for (std::int64_t span : {std::int64_t(INT_MAX), std::int64_t(0)}) {
        if (span == 0 && (mode != SendMode::packed || !in_place))
          continue;
        SCOPED_TRACE(std::string(in_place ? "received in place"
                                          : "received through the callback") +
                     (mode == SendMode::packed ? ", packed" : ", datatypes") +
                     (span == 0 ? ", through a buffer" : ""));
        detail::max_in_place_span = span;
        check_result(shuffle(world, to, round_bytes, in_place, mode), size_of,
                     round_bytes);
        detail::max_in_place_span = INT_MAX;
      }
}

void check_result(const ShuffleResult &r,
                  const std::function<std::uint64_t(int, int)> &size_of,
                  std::uint64_t round_bytes) {
  const Comm world = Comm::world();
  const int n = world.size(), me = world.rank();
  ASSERT_EQ(r.received.size(), static_cast<std::size_t>(n));
  std::uint64_t expected_in = 0, expected_out = 0;
  for (int s = 0; s < n; ++s) {
    const std::string want = stream(s, me, size_of(s, me));
    expected_in += want.size();
    expected_out += size_of(me, s);
    ASSERT_EQ(r.received[s].size(), want.size()) << "from rank " << s;
    EXPECT_TRUE(std::equal(want.begin(), want.end(), r.received[s].begin()))
        << "bytes from rank " << s << " differ";
  }
  EXPECT_EQ(r.bytes_received, expected_in);
  EXPECT_EQ(r.bytes_sent, expected_out);
  // Each round moves at most round_bytes / ranks from one rank to another.
  const std::uint64_t cap = std::max<std::uint64_t>(1, round_bytes / n);
  std::uint64_t rounds = 0;
  for (int s = 0; s < n; ++s)
    for (int d = 0; d < n; ++d)
      rounds = std::max(rounds, (size_of(s, d) + cap - 1) / cap);
  EXPECT_EQ(r.rounds, rounds);
}

TEST(Shuffle, ManyTinyRounds) {
  // 1000+ bytes per pair at ~3 bytes per destination per round.
  run_scenario([](int s, int d) { return 1000 + 37 * s + 11 * d; }, 10);
}

TEST(Shuffle, OneRoundWhenItFits) {
  run_scenario([](int s, int d) { return 100 + s + d; }, 1 << 20);
}

TEST(Shuffle, EmptyStreamsAndAllEmpty) {
  run_scenario([](int s, int d) { return (s + d) % 2 ? 0 : 500; }, 64);
  run_scenario([](int, int) { return 0; }, 64);
}

TEST(Shuffle, SkewOneDestinationGetsMost) {
  run_scenario([](int, int d) { return d == 0 ? 200000 : 10; }, 4096);
}

TEST(Shuffle, RoundSizeOfOneByte) {
  run_scenario([](int s, int d) { return 5 + s * 3 + d; }, 1);
}

TEST(Shuffle, RejectsBadArguments) {
  const Comm world = Comm::world();
  EXPECT_THROW(shuffle(world, {}, 10), std::invalid_argument);
}

} // namespace
