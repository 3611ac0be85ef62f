// src/comm/control.h: the small messages between the coordinator (world rank
// 0) and the workers: "give me a task (and I finished this one)" and the
// answer. Workers pull, so a faster worker gets more tasks. Both sides wait
// in blocking MPI calls.
#pragma once

#include <cstdint>

#include "comm/comm.h"

namespace mr::comm {

/// A map task handed to a worker; id < 0 means "no more tasks".
struct Assignment {
  std::int64_t id = -1;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

struct TaskRequest {
  int worker = -1;             // world rank of the asking worker
  std::int64_t completed = -1; // the task it just finished, or -1
};

/// Coordinator side, on world rank 0.
class ControlServer {
public:
  /// Waits (blocking) for the next request from any worker.
  TaskRequest wait_request();
  void assign(int worker, const Assignment &task);
};

/// Worker side.
class ControlClient {
public:
  /// Reports `completed` (or -1) and waits for the next assignment.
  Assignment next_task(std::int64_t completed);
};

} // namespace mr::comm
