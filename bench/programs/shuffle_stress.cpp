// bench/programs/shuffle_stress.cpp: checks that one shuffle moves more than 2 GiB
// between two ranks correctly (MPI counts are int: the rounds must keep every
// call under 2 GiB). Too big for CI; run by hand:
//
//   mpirun -n 2 build/bench/shuffle_stress 2200   # MiB each rank sends each other rank
//
// Each rank sends every other rank a stream of that size, and itself 1 MiB,
// whose bytes are a function of (source, destination, position); receivers
// recompute and compare. Prints the rounds, bytes and seconds; exits 1 on any
// difference. Memory: about 3 x the stream size per rank.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "comm/shuffle.h"

namespace {
char byte_at(int src, int dst, std::uint64_t i) {
  return static_cast<char>((src * 131 + dst * 31 + i * 7 + (i >> 20)) & 0xff);
}
} // namespace

int main(int argc, char **argv) {
  mr::comm::Runtime mpi(argc, argv);
  const auto world = mr::comm::Comm::world();
  const std::uint64_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2200;
  auto size_of = [&](int src, int dst) -> std::uint64_t {
    return src == dst ? 1 << 20 : mib << 20;
  };
  const int n = world.size(), me = world.rank();

  std::vector<std::vector<char>> data(n);
  std::vector<mr::comm::Pieces> to(n);
  for (int d = 0; d < n; ++d) {
    const std::uint64_t bytes = size_of(me, d);
    data[d].resize(bytes);
    for (std::uint64_t i = 0; i < bytes; ++i)
      data[d][i] = byte_at(me, d, i);
    // Pieces of 1 GiB, so a piece boundary falls inside a round too.
    for (std::uint64_t at = 0; at < bytes; at += 1ull << 30)
      to[d].emplace_back(std::string_view(
          data[d].data() + at, std::min<std::uint64_t>(1ull << 30, bytes - at)));
  }
  world.barrier();
  const auto start = std::chrono::steady_clock::now();
  mr::comm::ShuffleResult r = mr::comm::shuffle(world, to, 1ull << 30);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  data = {};
  to = {};

  std::uint64_t wrong = 0;
  for (int s = 0; s < n; ++s) {
    const std::uint64_t bytes = size_of(s, me);
    if (r.received[s].size() != bytes) {
      std::fprintf(stderr, "rank %d: %zu bytes from %d, expected %llu\n", me,
                   r.received[s].size(), s, static_cast<unsigned long long>(bytes));
      ++wrong;
      continue;
    }
    for (std::uint64_t i = 0; i < bytes; ++i)
      wrong += r.received[s][i] != byte_at(s, me, i);
  }
  const std::uint64_t total_wrong = world.sum(wrong);
  if (me == 0)
    std::printf(
        "%s: %d ranks, %llu MiB per stream, %llu MiB received by rank 0, %u rounds, "
        "%.1f s\n",
        total_wrong ? "FAIL" : "ok", n, static_cast<unsigned long long>(mib),
        static_cast<unsigned long long>(r.bytes_received >> 20), r.rounds, seconds);
  return total_wrong ? 1 : 0;
}
