// src/comm/control.cpp: coordinator/worker messages over Boost.MPI; see control.h.
#include "comm/control.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <boost/mpi/communicator.hpp>
#include <boost/mpi/nonblocking.hpp>
#include <boost/serialization/serialization.hpp>

namespace boost::serialization {
template <class Archive> void serialize(Archive &ar, mr::comm::Assignment &a, unsigned) {
  ar &a.id &a.begin &a.end;
}
} // namespace boost::serialization

namespace mr::comm {

namespace {
constexpr int kCoordinator = 0;
constexpr int kTagRequest = 101;
constexpr int kTagAssign = 102;
constexpr auto kMinSleep = std::chrono::microseconds(20);
constexpr auto kMaxSleep = std::chrono::microseconds(1000);

boost::mpi::communicator world() {
  return boost::mpi::communicator(MPI_COMM_WORLD, boost::mpi::comm_attach);
}
} // namespace

TaskRequest ControlServer::wait_request() {
  // Open MPI's blocking receive spins on the CPU (measured: rank 0 used a
  // third of a core while waiting, stolen from the workers when ranks share
  // cores). So: test, then sleep with backoff. A request waits at most
  // kMaxSleep longer; a map task takes far longer than that.
  TaskRequest r;
  auto request = world().irecv(boost::mpi::any_source, kTagRequest, r.completed);
  auto status = request.test();
  for (auto nap = kMinSleep; !status; nap = std::min(nap * 2, kMaxSleep)) {
    std::this_thread::sleep_for(nap);
    status = request.test();
  }
  r.worker = status->source();
  return r;
}

void ControlServer::assign(int worker, const Assignment &task) {
  world().send(worker, kTagAssign, task);
}

Assignment ControlClient::next_task(std::int64_t completed) {
  auto w = world();
  w.send(kCoordinator, kTagRequest, completed);
  Assignment a;
  w.recv(kCoordinator, kTagAssign, a);
  return a;
}

} // namespace mr::comm
