// src/comm/shuffle.h: all-to-all exchange of byte streams in bounded rounds.
//
// Every rank has one byte stream for every rank (possibly empty), given as a
// list of pieces so that nothing is copied up front: bytes in memory, or a
// range of an open file (map output spilled to disk is read only when its
// round comes). The exchange moves them in rounds of at most `round_bytes`
// sent per rank, each round one MPI_Alltoallw, until all is delivered (one
// MPI_Alltoall of the totals first: from them every rank knows each round's
// counts). Received bytes land in the caller's buffer, or are handed to the
// caller round by round, so that neither side need hold more than a round's
// buffers. Streams may be larger than 2 GiB: MPI's int counts only ever
// describe one round.
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "comm/comm.h"

namespace mr::comm {

/// Bytes that are not in memory (a file), read when their round comes.
class ByteSource {
public:
  virtual ~ByteSource() = default;
  /// Copies `n` bytes at `offset` into `dst`; throws if it cannot.
  virtual void read(std::uint64_t offset, std::uint64_t n, char *dst) = 0;
};

/// Part of a stream: `bytes` in memory, or `size` bytes at `offset` of
/// `source`.
struct Piece {
  Piece(std::string_view b) : bytes(b), size(b.size()) {} // NOLINT: implicit
  Piece(ByteSource *from, std::uint64_t at, std::uint64_t n)
      : source(from), offset(at), size(n) {}
  std::string_view bytes;
  ByteSource *source = nullptr;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

/// The pieces of one stream, sent in this order.
using Pieces = std::vector<Piece>;

/// Receives the next `bytes` of the stream from rank `source` (stream order
/// is kept; a stream arrives in one or more calls, cut anywhere). The view
/// is valid during the call only.
using Receiver = std::function<void(int source, std::string_view bytes)>;

struct ShuffleStats {
  std::uint64_t bytes_sent = 0; // to other ranks and to itself
  std::uint64_t bytes_received = 0;
  std::uint32_t rounds = 0;
};

/// Told, before any bytes arrive, how many will come from each rank. May
/// return a buffer of their sum: the bytes then land there directly, the
/// streams one after the other in rank order, and `receive` is not called
/// (no copy of ours on the receiving side); or nullptr, to be handed each
/// round's bytes through `receive`.
using Expect = std::function<char *(const std::vector<std::uint64_t> &incoming)>;

/// Told after each round how many bytes this rank received so far, of all
/// it will receive (for a progress line).
using RoundDone = std::function<void(std::uint64_t received, std::uint64_t to_receive)>;

/// How a round's bytes leave the sender (docs/performance.md, "How the
/// shuffle sends"; measured in bench/RESULTS.md: packed is the engine's
/// default).
enum class SendMode {
  /// One MPI_Alltoallw whose datatypes describe the pieces where they are
  /// (absolute addresses): ours never copies the bytes, MPI reads them from
  /// the map output.
  datatypes,
  /// The pieces copied into one contiguous buffer, then one MPI_Alltoallv.
  packed,
};

namespace detail {
/// Packed, received bytes land in place when the round's targets span at
/// most this many bytes (MPI_Alltoallv's displacements are ints); tests
/// lower it to reach the other way (through a buffer, then copied).
inline std::int64_t max_in_place_span = INT_MAX;
} // namespace detail

/// Collective over `comm`: `to[d]` goes to rank d. `round_bytes` >= 1 bounds
/// what this rank sends in one round (and so what it receives from each
/// peer). Every rank must pass the same `mode`.
ShuffleStats shuffle(const Comm &comm, const std::vector<Pieces> &to,
                     std::uint64_t round_bytes, const Receiver &receive,
                     const Expect &expect = nullptr,
                     const RoundDone &round_done = nullptr,
                     SendMode mode = SendMode::datatypes);

struct ShuffleResult : ShuffleStats {
  std::vector<std::vector<char>> received; // one stream per source rank
};

/// As above, keeping every received stream whole in memory (tests,
/// benches), received through `receive` or, with `in_place`, directly.
ShuffleResult shuffle(const Comm &comm, const std::vector<Pieces> &to,
                      std::uint64_t round_bytes, bool in_place = false,
                      SendMode mode = SendMode::datatypes);

} // namespace mr::comm
