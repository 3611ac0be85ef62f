// src/comm/comm.h: the MPI runtime and the few small collectives the engine
// needs. Together with shuffle.cpp and control.cpp, the only code that calls
// MPI. Bulk data goes through shuffle.h; task messages through control.h.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mr::comm {

/// Starts MPI for the process's lifetime (MPI_Init / MPI_Finalize).
class Runtime {
public:
  Runtime(int &argc, char **&argv);
  ~Runtime();
  Runtime(const Runtime &) = delete;
  Runtime &operator=(const Runtime &) = delete;
};

/// A communicator: MPI_COMM_WORLD or one made from it with `subset`.
class Comm {
public:
  static Comm world();

  /// The ranks that pass `member`, as a new communicator in world-rank order;
  /// a rank that does not pass gets an invalid Comm. Collective.
  Comm subset(bool member) const;

  bool valid() const { return comm_ != MPI_COMM_NULL; }
  int rank() const;
  int size() const;
  MPI_Comm native() const { return comm_; }

  /// How many ranks of this communicator run on this rank's node and say
  /// `counted` (each rank for itself). Collective.
  int ranks_on_node(bool counted = true) const;

  void barrier() const;
  /// A barrier that sleeps while it waits instead of spinning, for ranks
  /// that may wait long (a worker done mapping while others still map).
  void idle_barrier() const;
  std::uint64_t sum(std::uint64_t v) const;
  std::uint64_t max(std::uint64_t v) const;
  double max(double v) const;
  /// Sum of `v` over the ranks before this one (0 on rank 0).
  std::uint64_t exclusive_prefix_sum(std::uint64_t v) const;
  /// Every rank's `local`, concatenated in rank order (sizes may differ).
  std::vector<std::uint64_t> all_gather(const std::vector<std::uint64_t> &local) const;
  /// Every rank's `local` on `root` only, concatenated in rank order.
  std::vector<double> gather(const std::vector<double> &local, int root) const;

  /// Every rank's bytes on `root` only, one string per rank in rank order
  /// (small messages: each must stay under 2 GiB).
  std::vector<std::string> gather_bytes(const std::string &local, int root) const;

  /// Broadcasts (code, message) from `root`; every rank returns the root's.
  void broadcast(int &code, std::string &message, int root) const;

  /// Ends the whole job at once with `code` (every rank stops).
  [[noreturn]] void abort(int code) const;

private:
  explicit Comm(MPI_Comm c) : comm_(c) {}
  MPI_Comm comm_ = MPI_COMM_NULL;
};

} // namespace mr::comm
