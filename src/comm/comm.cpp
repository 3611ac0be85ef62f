// src/comm/comm.cpp: see comm.h.
#include "comm/comm.h"

#include "comm/mpi_check.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace mr::comm {

using detail::check;

Runtime::Runtime(int &argc, char **&argv) {
  check(MPI_Init(&argc, &argv), "MPI_Init");
}

Runtime::~Runtime() {
  MPI_Finalize();
}

Comm Comm::world() {
  return Comm(MPI_COMM_WORLD);
}

Comm Comm::subset(bool member) const {
  MPI_Comm out = MPI_COMM_NULL;
  check(MPI_Comm_split(comm_, member ? 0 : MPI_UNDEFINED, rank(), &out),
        "MPI_Comm_split");
  return Comm(out);
}

int Comm::rank() const {
  int r = 0;
  MPI_Comm_rank(comm_, &r);
  return r;
}

int Comm::size() const {
  int s = 0;
  MPI_Comm_size(comm_, &s);
  return s;
}

int Comm::ranks_on_node(bool counted) const {
  MPI_Comm node;
  check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node),
        "MPI_Comm_split_type");
  int mine = counted ? 1 : 0, n = 0;
  const int rc = MPI_Allreduce(&mine, &n, 1, MPI_INT, MPI_SUM, node);
  MPI_Comm_free(&node);
  check(rc, "MPI_Allreduce");
  return n;
}

void Comm::barrier() const {
  check(MPI_Barrier(comm_), "MPI_Barrier");
}

namespace {

/// Waits for `request` napping between tests (20 us doubling to 2 ms), not
/// polling as Open MPI's blocking calls do: a waiting rank then leaves its
/// core to the ranks that share it.
void wait_napping(MPI_Request &request) {
  int done = 0;
  for (auto nap = std::chrono::microseconds(20);;
       nap = std::min(nap * 2, std::chrono::microseconds(2000))) {
    check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
    if (done)
      return;
    std::this_thread::sleep_for(nap);
  }
}

} // namespace

void Comm::idle_barrier() const {
  MPI_Request request;
  check(MPI_Ibarrier(comm_, &request), "MPI_Ibarrier");
  wait_napping(request);
}

std::uint64_t Comm::sum(std::uint64_t v) const {
  std::uint64_t out = 0;
  check(MPI_Allreduce(&v, &out, 1, MPI_UINT64_T, MPI_SUM, comm_), "MPI_Allreduce");
  return out;
}

std::uint64_t Comm::max(std::uint64_t v) const {
  std::uint64_t out = 0;
  check(MPI_Allreduce(&v, &out, 1, MPI_UINT64_T, MPI_MAX, comm_), "MPI_Allreduce");
  return out;
}

double Comm::max(double v) const {
  double out = 0;
  check(MPI_Allreduce(&v, &out, 1, MPI_DOUBLE, MPI_MAX, comm_), "MPI_Allreduce");
  return out;
}

std::uint64_t Comm::exclusive_prefix_sum(std::uint64_t v) const {
  std::uint64_t out = 0;
  check(MPI_Exscan(&v, &out, 1, MPI_UINT64_T, MPI_SUM, comm_), "MPI_Exscan");
  return rank() == 0 ? 0 : out; // MPI leaves rank 0's result undefined
}

std::vector<std::uint64_t>
Comm::all_gather(const std::vector<std::uint64_t> &local) const {
  const int n = size();
  int mine = static_cast<int>(local.size());
  std::vector<int> counts(n), displs(n);
  check(MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_),
        "MPI_Allgather");
  int total = 0;
  for (int i = 0; i < n; ++i) {
    displs[i] = total;
    total += counts[i];
  }
  std::vector<std::uint64_t> out(total);
  check(MPI_Allgatherv(local.data(), mine, MPI_UINT64_T, out.data(), counts.data(),
                       displs.data(), MPI_UINT64_T, comm_),
        "MPI_Allgatherv");
  return out;
}

namespace {

/// Each rank's element count on `root` (counts, and displacements of a
/// packed buffer), for MPI_Gatherv. Collective.
struct GatherLayout {
  std::vector<int> counts, displs;
  int total = 0;
};
GatherLayout gather_layout(MPI_Comm comm, int n, int mine, int root) {
  GatherLayout l{std::vector<int>(n), std::vector<int>(n), 0};
  check(MPI_Gather(&mine, 1, MPI_INT, l.counts.data(), 1, MPI_INT, root, comm),
        "MPI_Gather");
  for (int i = 0; i < n; ++i) {
    l.displs[i] = l.total;
    l.total += l.counts[i];
  }
  return l;
}

} // namespace

std::vector<double> Comm::gather(const std::vector<double> &local, int root) const {
  const int mine = static_cast<int>(local.size());
  const GatherLayout l = gather_layout(comm_, size(), mine, root);
  std::vector<double> out(rank() == root ? l.total : 0);
  check(MPI_Gatherv(local.data(), mine, MPI_DOUBLE, out.data(), l.counts.data(),
                    l.displs.data(), MPI_DOUBLE, root, comm_),
        "MPI_Gatherv");
  return out;
}

std::vector<std::string> Comm::gather_bytes(const std::string &local, int root) const {
  const int mine = static_cast<int>(local.size());
  const GatherLayout l = gather_layout(comm_, size(), mine, root);
  std::string all(rank() == root ? l.total : 0, '\0');
  check(MPI_Gatherv(local.data(), mine, MPI_CHAR, all.data(), l.counts.data(),
                    l.displs.data(), MPI_CHAR, root, comm_),
        "MPI_Gatherv");
  std::vector<std::string> out;
  if (rank() == root)
    for (std::size_t i = 0; i < l.counts.size(); ++i)
      out.push_back(all.substr(l.displs[i], l.counts[i]));
  return out;
}

void Comm::broadcast(int &code, std::string &message, int root) const {
  // The others wait here while the root plans (0.1 s on 122 MB): napping,
  // so that they do not take the cores the root and its threads need.
  long long header[2] = {code, static_cast<long long>(message.size())};
  MPI_Request request;
  check(MPI_Ibcast(header, 2, MPI_LONG_LONG, root, comm_, &request), "MPI_Ibcast");
  wait_napping(request);
  code = static_cast<int>(header[0]);
  message.resize(static_cast<std::size_t>(header[1]));
  if (!message.empty())
    check(MPI_Bcast(message.data(), static_cast<int>(message.size()), MPI_CHAR, root,
                    comm_),
          "MPI_Bcast");
}

void Comm::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort(); // not reached: MPI_Abort does not return
}

} // namespace mr::comm
