// src/comm/shuffle.h: all-to-all exchange of byte streams in bounded rounds.
//
// Every rank has one byte stream for every rank (possibly empty), given as a
// list of pieces so that nothing is copied up front. The exchange moves them
// in rounds of at most `round_bytes` sent per rank, each round an
// MPI_Alltoall of the counts and an MPI_Alltoallv of the bytes, until all is
// delivered. Streams may be larger than 2 GiB: MPI's int counts only ever
// describe one round.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "comm/comm.h"

namespace mr::comm {

/// The pieces of one stream, sent in this order.
using Pieces = std::vector<std::string_view>;

struct ShuffleResult {
  std::vector<std::vector<char>> received; // one stream per source rank
  std::uint64_t bytes_sent = 0;            // to other ranks and to itself
  std::uint64_t bytes_received = 0;
  std::uint32_t rounds = 0;
};

/// Collective over `comm`: `to[d]` goes to rank d. `round_bytes` >= 1 bounds
/// what this rank sends in one round (and so what it receives from each peer).
ShuffleResult shuffle(const Comm &comm, const std::vector<Pieces> &to,
                      std::uint64_t round_bytes);

} // namespace mr::comm
