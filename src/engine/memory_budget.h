// src/engine/memory_budget.h: how a rank's --memory-limit is shared out
// between the buffers that grow with the input (docs/performance.md, "Memory").
//
// Peak use is in the shuffle: map output still held (1/8, and 1/8 of it
// combined across tasks), a round's send and receive buffers (1/8
// together), received pairs (1/4, plus their sort when they spill: up to
// about as much again). The map phase holds a task's input (at most 1/8),
// the combine table (1/4) and map output (1/8). The table is used again,
// as large, to combine across tasks before the shuffle (with the map
// output, what it combined and a read buffer of one round), then freed. The reduce phase
// holds the merge buffers (1/4) and output rows (1/4). MPI's and HDF5's own memory is not
// counted: it does not grow with the input.
#pragma once

#include <algorithm>
#include <cstdint>

namespace mr::engine {

/// Below this, the fixed buffers alone do not fit.
constexpr std::uint64_t kMinMemoryLimit = 4ull << 20;

struct MemoryBudget {
  std::uint64_t limit = 0;       // 0: no limit: nothing spills
  std::uint64_t max_split = 0;   // input bytes of one map task
  std::uint64_t combine = 0;     // combine table (map, then across tasks)
  std::uint64_t map_outputs = 0; // map output kept in memory until the shuffle (and
                                 // as much again once combined across tasks)
  std::uint64_t round = 0;       // shuffle bytes sent per round
  std::uint64_t inbox = 0;       // received pairs kept in memory
  std::uint64_t merge = 0;       // read buffers of the sorted runs of one partition
  std::uint64_t rows = 0;        // output rows kept in memory
  std::uint64_t copy_chunk = 0;  // bytes copied at once to the output or checkpoint

  /// With `limit` 0, the options as given and nothing spills.
  static MemoryBudget of(std::uint64_t limit, std::uint64_t combine_option,
                         std::uint64_t round_option) {
    MemoryBudget b;
    b.limit = limit;
    if (limit == 0) {
      b.combine = combine_option;
      b.round = round_option;
      return b;
    }
    b.max_split = limit / 8;
    b.combine = std::min(combine_option, limit / 4);
    b.map_outputs = limit / 8;
    b.round = std::min(round_option, limit / 16);
    b.inbox = limit / 4;
    b.merge = limit / 4;
    b.rows = limit / 4;
    b.copy_chunk = limit / 16;
    return b;
  }
};

} // namespace mr::engine
