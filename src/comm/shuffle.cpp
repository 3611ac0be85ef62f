// src/comm/shuffle.cpp: the only place that calls MPI_Alltoall(v); see shuffle.h.
#include "comm/shuffle.h"

#include "comm/mpi_check.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <stdexcept>

namespace mr::comm {

using detail::check;

namespace {

/// Walks the pieces of one stream, handing out the next bytes in order.
class Cursor {
public:
  explicit Cursor(const Pieces *pieces) : pieces_(pieces) {}
  /// Copies the next `n` bytes to dst (n must not exceed what is left).
  void take(std::uint64_t n, char *dst) {
    while (n > 0) {
      const Piece &piece = (*pieces_)[index_];
      std::uint64_t k = std::min<std::uint64_t>(n, piece.size - offset_);
      if (!piece.source)
        std::memcpy(dst, piece.bytes.data() + offset_, k);
      else
        piece.source->read(piece.offset + offset_, k, dst);
      dst += k;
      n -= k;
      offset_ += k;
      if (offset_ == piece.size) {
        ++index_;
        offset_ = 0;
      }
    }
  }

private:
  const Pieces *pieces_;
  std::size_t index_ = 0;
  std::uint64_t offset_ = 0;
};

} // namespace

ShuffleStats shuffle(const Comm &comm, const std::vector<Pieces> &to,
                     std::uint64_t round_bytes, const Receiver &receive,
                     const Expect &expect) {
  const int n = comm.size();
  if (static_cast<int>(to.size()) != n)
    throw std::invalid_argument("shuffle: need one stream per rank");
  if (round_bytes == 0)
    throw std::invalid_argument("shuffle: round size must be positive");

  // Per destination and round at most `cap` bytes, so one round's send (and
  // receive) buffer stays within round_bytes and its int displacements.
  const std::uint64_t limit = std::min<std::uint64_t>(round_bytes, INT_MAX);
  const std::uint64_t cap = std::max<std::uint64_t>(1, limit / n);

  std::vector<std::uint64_t> left(n), incoming(n);
  std::uint64_t my_rounds = 0;
  for (int d = 0; d < n; ++d) {
    for (const Piece &p : to[d])
      left[d] += p.size;
    my_rounds = std::max(my_rounds, (left[d] + cap - 1) / cap);
  }
  check(MPI_Alltoall(left.data(), 1, MPI_UINT64_T, incoming.data(), 1, MPI_UINT64_T,
                     comm.native()),
        "MPI_Alltoall");

  if (expect)
    expect(incoming);
  ShuffleStats result;
  for (int s = 0; s < n; ++s)
    result.bytes_received += incoming[s];
  for (int d = 0; d < n; ++d)
    result.bytes_sent += left[d];
  const std::uint64_t rounds = comm.max(my_rounds);
  result.rounds = static_cast<std::uint32_t>(rounds);

  std::vector<Cursor> cursors;
  for (int d = 0; d < n; ++d)
    cursors.emplace_back(&to[d]);
  std::vector<std::uint64_t> filled(n, 0);
  std::vector<int> send_counts(n), send_displs(n), recv_counts(n), recv_displs(n);
  std::vector<char> send_buf, recv_buf;

  for (std::uint64_t round = 0; round < rounds; ++round) {
    int send_total = 0;
    for (int d = 0; d < n; ++d) {
      send_counts[d] = static_cast<int>(std::min(cap, left[d]));
      send_displs[d] = send_total;
      send_total += send_counts[d];
    }
    send_buf.resize(send_total);
    for (int d = 0; d < n; ++d) {
      cursors[d].take(send_counts[d], send_buf.data() + send_displs[d]);
      left[d] -= send_counts[d];
    }
    check(MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT,
                       comm.native()),
          "MPI_Alltoall");
    int recv_total = 0;
    for (int s = 0; s < n; ++s) {
      recv_displs[s] = recv_total;
      recv_total += recv_counts[s];
    }
    recv_buf.resize(recv_total);
    check(MPI_Alltoallv(send_buf.data(), send_counts.data(), send_displs.data(), MPI_BYTE,
                        recv_buf.data(), recv_counts.data(), recv_displs.data(), MPI_BYTE,
                        comm.native()),
          "MPI_Alltoallv");
    for (int s = 0; s < n; ++s) {
      if (filled[s] + recv_counts[s] > incoming[s])
        throw std::runtime_error("shuffle: a peer sent more than it announced");
      if (recv_counts[s] > 0) // an empty buffer's data() may be null
        receive(s, {recv_buf.data() + recv_displs[s],
                    static_cast<std::size_t>(recv_counts[s])});
      filled[s] += recv_counts[s];
    }
  }
  for (int s = 0; s < n; ++s)
    if (filled[s] != incoming[s])
      throw std::runtime_error("shuffle: a peer sent less than it announced");
  return result;
}

ShuffleResult shuffle(const Comm &comm, const std::vector<Pieces> &to,
                      std::uint64_t round_bytes) {
  ShuffleResult result;
  result.received.resize(comm.size());
  static_cast<ShuffleStats &>(result) = shuffle(
      comm, to, round_bytes,
      [&](int source, std::string_view bytes) {
        auto &stream = result.received[source];
        stream.insert(stream.end(), bytes.begin(), bytes.end());
      },
      [&](const std::vector<std::uint64_t> &incoming) {
        for (std::size_t s = 0; s < incoming.size(); ++s)
          result.received[s].reserve(incoming[s]);
      });
  return result;
}

} // namespace mr::comm
