// src/engine/coordinator.h: rank 0's part of the map phase: hand tasks to the
// workers that ask, track each task's state, end the phase when all are done.
#pragma once

#include <cstdint>
#include <vector>

#include "core/splitter.h"

namespace mr::engine {

enum class TaskState : std::uint8_t { pending, running, done };

struct TaskBoard {
  std::vector<core::Split> splits;
  std::vector<TaskState> state;
  std::vector<int> worker; // world rank running or having run the task

  explicit TaskBoard(std::vector<core::Split> s)
      : splits(std::move(s)), state(splits.size(), TaskState::pending),
        worker(splits.size(), -1) {}
};

/// Serves task requests until every one of `workers` was told that the map
/// phase is over; prints progress to stderr unless `quiet`.
void coordinate_map(TaskBoard &board, int workers, bool quiet);

} // namespace mr::engine
