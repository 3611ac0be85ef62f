// src/comm/shuffle.cpp: the only place that calls MPI_Alltoall(v/w); see shuffle.h.
#include "comm/shuffle.h"

#include "comm/mpi_check.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace mr::comm {

using detail::check;

namespace {

/// Walks the pieces of one stream, handing out the next bytes in order as
/// (address, length) blocks for an MPI datatype: memory pieces as they are,
/// pieces of a ByteSource read into `staging` first.
class Cursor {
public:
  explicit Cursor(const Pieces *pieces) : pieces_(pieces) {}
  /// Appends blocks covering the next `n` bytes (n must not exceed what is left).
  void take(std::uint64_t n, std::vector<int> &lengths, std::vector<MPI_Aint> &addresses,
            std::vector<char> &staging) {
    while (n > 0) {
      const Piece &piece = (*pieces_)[index_];
      const std::uint64_t k = std::min<std::uint64_t>(n, piece.size - offset_);
      const char *at;
      if (!piece.source) {
        at = piece.bytes.data() + offset_;
      } else { // staging has room: reserved for a whole round, never moves
        const std::size_t used = staging.size();
        staging.resize(used + k);
        piece.source->read(piece.offset + offset_, k, staging.data() + used);
        at = staging.data() + used;
      }
      if (k > 0) {
        lengths.push_back(static_cast<int>(k));
        addresses.push_back(reinterpret_cast<MPI_Aint>(at));
      }
      n -= k;
      offset_ += k;
      if (offset_ == piece.size) {
        ++index_;
        offset_ = 0;
      }
    }
  }

  /// Copies the next `n` bytes (n must not exceed what is left) to `dst`.
  void copy(std::uint64_t n, char *dst) {
    while (n > 0) {
      const Piece &piece = (*pieces_)[index_];
      const std::uint64_t k = std::min<std::uint64_t>(n, piece.size - offset_);
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

/// An MPI datatype of bytes at absolute addresses (used with MPI_BOTTOM),
/// freed with the object.
class Blocks {
public:
  Blocks(const std::vector<int> &lengths, const std::vector<MPI_Aint> &addresses) {
    if (lengths.empty())
      return;
    check(MPI_Type_create_hindexed(static_cast<int>(lengths.size()), lengths.data(),
                                   addresses.data(), MPI_BYTE, &type_),
          "MPI_Type_create_hindexed");
    check(MPI_Type_commit(&type_), "MPI_Type_commit");
  }
  ~Blocks() {
    if (type_ != MPI_DATATYPE_NULL)
      MPI_Type_free(&type_);
  }
  Blocks(const Blocks &) = delete;
  Blocks &operator=(const Blocks &) = delete;
  Blocks(Blocks &&o) noexcept : type_(o.type_) { o.type_ = MPI_DATATYPE_NULL; }
  int count() const { return type_ == MPI_DATATYPE_NULL ? 0 : 1; }
  MPI_Datatype type() const { return type_ == MPI_DATATYPE_NULL ? MPI_BYTE : type_; }

private:
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
};

} // namespace

// Longer than 80 lines on purpose: one round's datatypes, the
// MPI_Alltoallw and the hand-over to `receive` share buffers whose lifetimes
// must be read together, and this is the hot path whose speed
// bench/programs/shuffle_bandwidth.cpp measures against a raw MPI_Alltoallv.
ShuffleStats shuffle(const Comm &comm, const std::vector<Pieces> &to,
                     std::uint64_t round_bytes, const Receiver &receive,
                     const Expect &expect, const RoundDone &round_done, SendMode mode) {
  const int n = comm.size();
  if (static_cast<int>(to.size()) != n)
    throw std::invalid_argument("shuffle: need one stream per rank");
  if (round_bytes == 0)
    throw std::invalid_argument("shuffle: round size must be positive");

  // Per destination and round at most `cap` bytes, so one round's buffers
  // stay within round_bytes and every block length within an int.
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

  // Where received bytes go: straight into the caller's buffer (one stream
  // after the other, in source order), or a round buffer handed to `receive`.
  char *in_place = expect ? expect(incoming) : nullptr;
  std::vector<std::uint64_t> region(n, 0);
  for (int s = 1; s < n; ++s)
    region[s] = region[s - 1] + incoming[s - 1];

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
  std::vector<int> send_counts(n), recv_counts(n), zeros(n, 0);
  std::vector<MPI_Datatype> send_types(n), recv_types(n);
  std::vector<char> staging, recv_buf;
  std::vector<int> lengths;
  std::vector<MPI_Aint> addresses;

  std::vector<int> send_displs(n), recv_displs(n);
  // Mode packed: one round's sends, `stride` a destination (no more than
  // the most this rank sends one destination: a small shuffle does not
  // touch a whole round's memory), uninitialised.
  std::uint64_t stride = 0;
  for (int d = 0; d < n; ++d)
    stride = std::max(stride, std::min(cap, left[d]));
  std::unique_ptr<char[]> packed;
  if (mode == SendMode::packed)
    packed.reset(new char[stride * n + 1]);
  // Every sender sends min(cap, what is left) to every destination each
  // round, so a receiver knows each round's counts without asking.
  for (std::uint64_t round = 0; round < rounds; ++round) {
    std::vector<Blocks> blocks;
    blocks.reserve(2 * n);
    staging.clear();
    staging.reserve(cap * n);
    for (int d = 0; d < n; ++d) {
      const std::uint64_t c = std::min(cap, left[d]);
      left[d] -= c;
      if (mode == SendMode::packed) {
        cursors[d].copy(c, packed.get() + d * stride);
        send_counts[d] = static_cast<int>(c);
        send_displs[d] = static_cast<int>(d * stride); // stride * n <= INT_MAX
        continue;
      }
      lengths.clear();
      addresses.clear();
      cursors[d].take(c, lengths, addresses, staging);
      blocks.emplace_back(lengths, addresses);
      send_counts[d] = blocks.back().count();
      send_types[d] = blocks.back().type();
    }
    std::uint64_t round_in = 0;
    for (int s = 0; s < n; ++s)
      round_in += std::min(cap, incoming[s] - filled[s]);
    // Packed, bytes land in place when every source's target lies within
    // an int of the lowest (MPI_Alltoallv's displacements); else in the
    // round buffer, copied to their place after.
    char *base = nullptr;
    if (mode == SendMode::packed && in_place) {
      char *low = in_place + region[n - 1] + incoming[n - 1], *high = in_place;
      for (int s = 0; s < n; ++s)
        if (incoming[s] > filled[s]) {
          low = std::min(low, in_place + region[s] + filled[s]);
          high = std::max(high, in_place + region[s] + filled[s] +
                                    std::min(cap, incoming[s] - filled[s]));
        }
      if (high - low <= detail::max_in_place_span)
        base = low;
    }
    const bool via_buffer = !in_place || (mode == SendMode::packed && !base);
    if (via_buffer)
      recv_buf.resize(round_in);
    std::uint64_t at = 0;
    for (int s = 0; s < n; ++s) {
      const std::uint64_t c = std::min(cap, incoming[s] - filled[s]);
      char *where = via_buffer ? recv_buf.data() + at : in_place + region[s] + filled[s];
      at += c;
      if (mode == SendMode::packed) {
        recv_counts[s] = static_cast<int>(c);
        recv_displs[s] =
            c == 0 ? 0 : static_cast<int>(where - (base ? base : recv_buf.data()));
        continue;
      }
      lengths.assign(1, static_cast<int>(c));
      addresses.assign(1, reinterpret_cast<MPI_Aint>(where));
      if (c == 0)
        lengths.clear(), addresses.clear();
      blocks.emplace_back(lengths, addresses);
      recv_counts[s] = blocks.back().count();
      recv_types[s] = blocks.back().type();
    }
    if (mode == SendMode::packed)
      check(MPI_Alltoallv(packed.get(), send_counts.data(), send_displs.data(), MPI_BYTE,
                          base ? base : recv_buf.data(), recv_counts.data(),
                          recv_displs.data(), MPI_BYTE, comm.native()),
            "MPI_Alltoallv");
    else
      check(MPI_Alltoallw(MPI_BOTTOM, send_counts.data(), zeros.data(), send_types.data(),
                          MPI_BOTTOM, recv_counts.data(), zeros.data(), recv_types.data(),
                          comm.native()),
            "MPI_Alltoallw");
    at = 0;
    for (int s = 0; s < n; ++s) {
      const std::uint64_t c = std::min(cap, incoming[s] - filled[s]);
      if (via_buffer && in_place && c > 0)
        std::memcpy(in_place + region[s] + filled[s], recv_buf.data() + at, c);
      else if (!in_place && c > 0)
        receive(s, {recv_buf.data() + at, static_cast<std::size_t>(c)});
      filled[s] += c;
      at += c;
    }
    if (round_done) {
      std::uint64_t received = 0;
      for (int s = 0; s < n; ++s)
        received += filled[s];
      round_done(received, result.bytes_received);
    }
  }
  for (int s = 0; s < n; ++s)
    if (filled[s] != incoming[s])
      throw std::runtime_error("shuffle: a peer sent less than it announced");
  return result;
}

ShuffleResult shuffle(const Comm &comm, const std::vector<Pieces> &to,
                      std::uint64_t round_bytes, bool in_place, SendMode mode) {
  ShuffleResult result;
  result.received.resize(comm.size());
  std::vector<char> all;
  std::vector<std::uint64_t> sizes;
  static_cast<ShuffleStats &>(result) = shuffle(
      comm, to, round_bytes,
      [&](int source, std::string_view bytes) {
        auto &stream = result.received[source];
        stream.insert(stream.end(), bytes.begin(), bytes.end());
      },
      [&](const std::vector<std::uint64_t> &incoming) -> char * {
        sizes = incoming;
        if (!in_place)
          return nullptr;
        std::uint64_t total = 0;
        for (std::uint64_t b : incoming)
          total += b;
        all.resize(total + 1); // data() of an empty vector may be null
        return all.data();
      },
      nullptr, mode);
  if (in_place) {
    std::uint64_t at = 0;
    for (std::size_t s = 0; s < sizes.size(); ++s) {
      result.received[s].assign(all.begin() + at, all.begin() + at + sizes[s]);
      at += sizes[s];
    }
  }
  return result;
}

} // namespace mr::comm
