// src/comm/control.cpp: coordinator/worker messages over Boost.MPI; see control.h.
#include "comm/control.h"

#include <boost/mpi/communicator.hpp>
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

boost::mpi::communicator world() {
  return boost::mpi::communicator(MPI_COMM_WORLD, boost::mpi::comm_attach);
}
} // namespace

TaskRequest ControlServer::wait_request() {
  TaskRequest r;
  auto status = world().recv(boost::mpi::any_source, kTagRequest, r.completed);
  r.worker = status.source();
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
