// src/comm/control.cpp: coordinator/worker messages over Boost.MPI; see control.h.
#include "comm/control.h"

#include <algorithm>
#include <thread>

#include <boost/mpi/communicator.hpp>
#include <boost/mpi/nonblocking.hpp>
#include <boost/serialization/serialization.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include "comm/wire.h"

namespace boost::serialization {
template <class Archive> void serialize(Archive &ar, mr::comm::Assignment &a, unsigned) {
  ar &a.id &a.kind &a.begin &a.end &a.accepted &a.skip &a.isolate &a.backup;
  mr::comm::optional_field(ar, a.commit);
}
template <class Archive>
void serialize(Archive &ar, mr::comm::WorkerMessage &m, unsigned) {
  ar &m.kind &m.task &m.outcome &m.text &m.amount &m.of &m.bad_record &m.bad_where;
  mr::comm::optional_field(ar, m.commit);
}
} // namespace boost::serialization

namespace mr::comm {

namespace {
constexpr int kCoordinator = 0;
constexpr int kTagMessage = 101;
constexpr int kTagAssign = 102;
constexpr int kTagCancel = 103;
constexpr auto kMinSleep = std::chrono::microseconds(20);
constexpr auto kMaxSleep = std::chrono::microseconds(1000);

boost::mpi::communicator world() {
  return boost::mpi::communicator(MPI_COMM_WORLD, boost::mpi::comm_attach);
}

/// Waits for `request` without spinning: Open MPI's blocking calls poll the
/// CPU (measured: a third of a core), stolen from workers that share it.
/// A message waits at most kMaxSleep longer; a task takes far longer.
std::optional<boost::mpi::status>
test_until(boost::mpi::request &request,
           std::optional<std::chrono::steady_clock::time_point> until) {
  auto status = request.test();
  for (auto nap = kMinSleep; !status; nap = std::min(nap * 2, kMaxSleep)) {
    if (until && std::chrono::steady_clock::now() >= *until)
      return std::nullopt;
    std::this_thread::sleep_for(nap);
    status = request.test();
  }
  return *status;
}
} // namespace

struct ControlServer::Pending {
  boost::mpi::communicator comm = world();
  WorkerMessage message;
  std::optional<boost::mpi::request> request;
};

ControlServer::ControlServer() : pending_(new Pending) {}
ControlServer::~ControlServer() {
  delete pending_; // a receive still posted is dropped with the job
}

std::optional<WorkerMessage> ControlServer::wait(Time until) {
  Pending &p = *pending_;
  if (!p.request)
    p.request = p.comm.irecv(boost::mpi::any_source, kTagMessage, p.message);
  auto status = test_until(*p.request, until);
  if (!status)
    return std::nullopt; // the receive stays posted for the next call
  p.request.reset();
  WorkerMessage m = std::move(p.message);
  m.source = status->source();
  return m;
}

void ControlServer::assign(int worker, const Assignment &task) {
  pending_->comm.send(worker, kTagAssign, task);
}

void ControlServer::cancel(int worker, std::int64_t id) {
  pending_->comm.send(worker, kTagCancel, id);
}

std::optional<WorkerMessage> LocalChannel::wait(Time) {
  if (inbox_.empty())
    return std::nullopt;
  WorkerMessage m = std::move(inbox_.front());
  inbox_.pop_front();
  return m;
}

void LocalChannel::assign(int worker, const Assignment &task) {
  assigned_[worker].push_back(task);
}

void LocalChannel::cancel(int worker, std::int64_t id) {
  cancelled_[worker].push_back(id);
}

std::optional<Assignment> LocalChannel::take_assignment(int worker) {
  auto &q = assigned_[worker];
  if (q.empty())
    return std::nullopt;
  Assignment a = std::move(q.front());
  q.pop_front();
  return a;
}

std::optional<std::int64_t> LocalChannel::take_cancel(int worker) {
  auto &q = cancelled_[worker];
  if (q.empty())
    return std::nullopt;
  const std::int64_t id = q.front();
  q.pop_front();
  return id;
}

Assignment ControlClient::request(const WorkerMessage &m) {
  auto w = world();
  w.send(kCoordinator, kTagMessage, m);
  Assignment a;
  auto request = w.irecv(kCoordinator, kTagAssign, a);
  test_until(request, std::nullopt);
  return a;
}

void ControlClient::tell(const WorkerMessage &m) {
  world().send(kCoordinator, kTagMessage, m);
}

std::optional<std::int64_t> ControlClient::poll_cancel() {
  auto w = world();
  if (!w.iprobe(kCoordinator, kTagCancel))
    return std::nullopt;
  std::int64_t id = -1;
  w.recv(kCoordinator, kTagCancel, id);
  return id;
}

} // namespace mr::comm
