// src/engine/map_task.h: one map task: records in, combined key/value pairs
// out, split into reduce partitions. Knows nothing of MPI or HDF5, so it is
// tested alone; its output is addressable by (task id, partition).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/combine_table.h"
#include "core/kv_buffer.h"
#include "mr/job.h"

namespace mr::engine {

struct MapTaskOutput {
  std::uint32_t task_id = 0;
  std::vector<core::KvBuffer> partitions; // one per reduce partition
};

struct MapTaskStats {
  std::uint64_t records = 0; // lines read
  std::uint64_t bytes_in = 0;
  std::uint64_t pairs_emitted = 0; // by map, before combining
  std::uint64_t pairs_out = 0;     // after combining
  std::uint64_t bytes_out = 0;
};

/// Maps the lines in `bytes` (which starts at a line start). `table` is
/// scratch space reused across tasks; it is empty again on return. When the
/// job combines, the table is emptied into the partitions whenever it holds
/// more than `combine_bytes`: this bounds its memory, and a table that fits
/// in the CPU caches is faster than one that combines a little more.
MapTaskStats run_map_task(Job &job, std::string_view bytes, std::uint32_t partitions,
                          core::CombineTable &table, MapTaskOutput &out,
                          std::uint64_t combine_bytes);

} // namespace mr::engine
