// src/engine/reduce_partition.h: grouping one partition's pairs by key and
// calling the job's reduce on each group. Knows nothing of MPI or HDF5.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/combine_table.h"
#include "core/key_groups.h"
#include "core/key_sort.h"
#include "core/sorted_run.h"
#include "io/row_spool.h"
#include "mr/job.h"

namespace mr::engine {

struct ReduceStats {
  std::uint64_t pairs_in = 0;
  std::uint64_t keys = 0;
  std::uint64_t rows_out = 0;
};

/// Memory reduce_partition uses and keeps for the next partition: each
/// partition's refs (40 bytes a pair) in fresh memory cost more to touch
/// for the first time than to sort (a streaming word count's reduce: 3.6 s
/// against 2.0 s with the memory reused; bench/RESULTS.md).
struct ReduceWorkspace {
  core::RefVector refs, scratch;
  core::KeyGroups groups;
  void release() {
    core::RefVector().swap(refs);
    core::RefVector().swap(scratch);
    groups.release();
  }
  std::uint64_t bytes() const {
    return (refs.capacity() + scratch.capacity()) * sizeof(core::KeyValueRef) +
           groups.bytes();
  }
};

/// Reduces the pairs packed in `runs` (core/kv_buffer.h format) and appends
/// the output rows to `rows`. Keys are reduced in byte order; without a
/// combiner, a key's values are passed in byte order too, so the result never
/// depends on how many ranks ran or in which order data arrived.
/// `uint64_values`: every output value must be 8 bytes (mr::u64_bytes).
ReduceStats reduce_partition(Job &job, const std::vector<std::string_view> &runs,
                             bool uint64_values, core::CombineTable &table,
                             ReduceWorkspace &work, io::RowSpool &rows);

/// The same for pairs in sorted runs (each sorted by key, then value; with a
/// combiner, one pair per key): merges them, reading each through its
/// bounded buffer.
ReduceStats reduce_runs(Job &job, std::vector<core::RunReader> &runs, bool uint64_values,
                        io::RowSpool &rows);

} // namespace mr::engine
