// bench/programs/shuffle_bandwidth.cpp: our shuffle (comm/shuffle.h) against a raw
// MPI_Alltoallv of the same bytes between the same ranks, side by side.
//
//   mpirun -n 2 build/bench/shuffle_bandwidth [MIB] [REPS] [ROUND_MIB] [PIECE_KIB]
//
// Every rank sends MIB MiB to every rank (itself included), as map output is:
// many pieces of PIECE_KIB (default 64) with 12-byte frame headers between them,
// in rounds of ROUND_MIB (default 64, the engine's --round-size). Ours
// delivers to a receiver that appends every byte to a per-source buffer, as
// the engine's inbox does. Raw: one MPI_Alltoallv from one contiguous send
// buffer into one receive buffer, in the same round sizes. Packed: what the
// engine would do with MPI_Alltoallv instead of datatypes: each round copies
// the pieces (headers included) into one contiguous send buffer, then one
// MPI_Alltoallv lands them in place. Prints the median of REPS (default 5)
// for each, taking turns, in GB/s of bytes sent per rank.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "comm/shuffle.h"

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double now() {
  return MPI_Wtime();
}

/// The pieces of every destination packed round by round into one send
/// buffer, then one MPI_Alltoallv a round, landing in place in `got`
/// (sources one after the other). Every rank sends every other the same
/// bytes here, so receive counts equal send counts.
void pack_and_alltoallv(MPI_Comm comm, const std::vector<mr::comm::Pieces> &to,
                        std::uint64_t round, std::vector<char> &got) {
  const int n = static_cast<int>(to.size());
  std::vector<std::uint64_t> total(n, 0);
  for (int d = 0; d < n; ++d)
    for (const auto &p : to[d])
      total[d] += p.size;
  const std::uint64_t cap = std::max<std::uint64_t>(1, round / n);
  std::vector<char> send(cap * n);
  got.resize(total[0] * n + 1);
  std::vector<std::size_t> piece(n, 0), offset(n, 0); // where each stream is
  std::vector<int> counts(n), displs(n), rdispls(n);
  for (std::uint64_t done = 0; done < total[0]; done += cap) {
    for (int d = 0; d < n; ++d) {
      std::uint64_t c = 0;
      const std::uint64_t want = std::min(cap, total[d] - done);
      while (c < want) {
        const auto &p = to[d][piece[d]];
        const std::uint64_t k = std::min(want - c, p.size - offset[d]);
        std::memcpy(send.data() + d * cap + c, p.bytes.data() + offset[d], k);
        c += k;
        offset[d] += k;
        if (offset[d] == p.size) {
          ++piece[d];
          offset[d] = 0;
        }
      }
      counts[d] = static_cast<int>(c);
      displs[d] = static_cast<int>(d * cap);
      rdispls[d] = 0;
    }
    // In place: source s's bytes go after what came from it before. (An
    // int displacement limits one round's target to 2 GiB: fine here.)
    char *base = got.data() + done;
    for (int s = 0; s < n; ++s)
      rdispls[s] = static_cast<int>(s * total[0]);
    MPI_Alltoallv(send.data(), counts.data(), displs.data(), MPI_BYTE, base,
                  counts.data(), rdispls.data(), MPI_BYTE, comm);
  }
}

} // namespace

int main(int argc, char **argv) {
  mr::comm::Runtime mpi(argc, argv);
  const auto world = mr::comm::Comm::world();
  const int n = world.size(), me = world.rank();
  const std::uint64_t per_dest = (argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 256)
                                 << 20;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 5;
  const std::uint64_t round = (argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 64) << 20;
  const std::uint64_t piece = (argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 64) << 10;

  // One buffer per destination, cut into pieces with a frame header each.
  std::vector<std::vector<char>> data(n,
                                      std::vector<char>(per_dest, static_cast<char>(me)));
  const std::string header(12, 'h');
  std::vector<mr::comm::Pieces> to(n);
  for (int d = 0; d < n; ++d)
    for (std::uint64_t at = 0; at < per_dest; at += piece) {
      to[d].emplace_back(std::string_view(header));
      to[d].emplace_back(
          std::string_view(data[d].data() + at, std::min(piece, per_dest - at)));
    }
  std::uint64_t sent = 0;
  for (const auto &pieces : to)
    for (const auto &p : pieces)
      sent += p.size;

  std::vector<double> ours, raw, packed;
  std::vector<std::vector<char>> got(n);
  for (int rep = 0; rep < 3 * reps; ++rep) {
    const int turn = (rep + rep / 3) % 3; // each goes first, second and third
    const bool our_turn = turn == 0;
    const bool gather = std::getenv("RAW_GATHER") != nullptr;
    world.barrier();
    const double t0 = now();
    if (turn == 2) {
      pack_and_alltoallv(world.native(), to, round, got[0]);
    } else if (our_turn) {
      for (auto &g : got)
        g.clear();
      mr::comm::shuffle(
          world, to, round,
          [&](int s, std::string_view b) {
            got[s].insert(got[s].end(), b.begin(), b.end());
          },
          [&](const std::vector<std::uint64_t> &in) -> char * {
            if (!std::getenv("OURS_COPY")) { // received in place, as the engine does
              std::uint64_t total = 0;
              for (int s = 0; s < n; ++s)
                total += in[s];
              got[0].resize(total + 1);
              return got[0].data();
            }
            for (int s = 0; s < n; ++s)
              got[s].reserve(in[s]);
            return nullptr;
          });
    } else {
      // The same bytes (headers included), in the same rounds, contiguous.
      const std::uint64_t total = sent / n; // per destination
      const std::uint64_t cap = std::max<std::uint64_t>(1, round / n);
      std::vector<char> send(std::min(total, cap) * n), recv(std::min(total, cap) * n);
      std::vector<int> counts(n), displs(n);
      for (std::uint64_t done = 0; done < total; done += cap) {
        const int c = static_cast<int>(std::min(cap, total - done));
        for (int d = 0; d < n; ++d) {
          counts[d] = c;
          displs[d] = d * c;
          if (gather) // experiment: what our gather copy alone costs
            std::memcpy(send.data() + d * c, data[d].data() + done % (per_dest - c + 1),
                        c);
        }
        MPI_Alltoallv(send.data(), counts.data(), displs.data(), MPI_BYTE, recv.data(),
                      counts.data(), displs.data(), MPI_BYTE, world.native());
      }
    }
    const double s = world.max(now() - t0);
    (turn == 0 ? ours : turn == 1 ? raw : packed).push_back(s);
    if (turn == 2 && packed.size() == 1) { // what landed: each source's own bytes
      const std::uint64_t from_each = sent / n;
      for (std::uint64_t i = 0; i < from_each * n; ++i)
        if (got[0][i] != 'h' && got[0][i] != static_cast<char>(i / from_each)) {
          std::fprintf(stderr, "pack + Alltoallv: wrong byte at %llu\n",
                       static_cast<unsigned long long>(i));
          return 1;
        }
    }
  }
  if (me == 0) {
    const double o = median(ours), r = median(raw), k = median(packed);
    std::printf("%d ranks, %.0f MiB sent per rank (%llu KiB pieces, %llu MiB rounds)\n",
                n, sent / 1048576.0, static_cast<unsigned long long>(piece >> 10),
                static_cast<unsigned long long>(round >> 20));
    std::printf("raw MPI_Alltoallv: %.3f s, %.2f GB/s per rank\n", r, sent / r / 1e9);
    std::printf("our shuffle:       %.3f s, %.2f GB/s per rank (%.0f%% of raw)\n", o,
                sent / o / 1e9, 100 * r / o);
    std::printf("pack + Alltoallv:  %.3f s, %.2f GB/s per rank (%.0f%% of raw)\n", k,
                sent / k / 1e9, 100 * r / k);
  }
  return 0;
}
