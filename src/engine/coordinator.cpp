// src/engine/coordinator.cpp: see coordinator.h.
#include "engine/coordinator.h"

#include <cstdio>
#include <stdexcept>
#include <string>

#include "comm/control.h"

namespace mr::engine {

void coordinate_map(TaskBoard &board, int workers, bool quiet) {
  comm::ControlServer server;
  const std::size_t total = board.splits.size();
  std::size_t next = 0, done = 0;
  int finished = 0;
  std::size_t reported_tenths = 0;
  while (finished < workers) {
    comm::TaskRequest req = server.wait_request(); // blocks: no CPU spent here
    if (req.completed >= 0) {
      const auto id = static_cast<std::size_t>(req.completed);
      if (id >= total || board.state[id] != TaskState::running ||
          board.worker[id] != req.worker)
        throw std::runtime_error("worker " + std::to_string(req.worker) +
                                 " reported task " + std::to_string(id) +
                                 " that it was not running");
      board.state[id] = TaskState::done;
      ++done;
      if (!quiet && total >= 10 && done * 10 / total > reported_tenths) {
        reported_tenths = done * 10 / total;
        std::fprintf(stderr, "map: %zu/%zu tasks done\n", done, total);
      }
    }
    if (next < total) {
      const core::Split &s = board.splits[next];
      board.state[next] = TaskState::running;
      board.worker[next] = req.worker;
      server.assign(req.worker, {static_cast<std::int64_t>(s.id), s.begin, s.end});
      ++next;
    } else {
      server.assign(req.worker, {});
      ++finished;
    }
  }
}

} // namespace mr::engine
