// src/engine/combine_outgoing.h: a worker's map output combined across its
// tasks, just before the shuffle sends it.
//
// Each map task drains its own combine table, since its output is
// committed, or dropped when another copy of the task wins, as one unit. So
// a key leaves a worker's map phase once per task: on 1 GiB of Zipf text, 24.6 M
// pairs for a 1 M-word vocabulary. Once the map phase is over, the outputs a
// worker sends are settled. Combining them then, partition by partition,
// changes nothing that a task's commit means for recovery or backup copies, and
// each key is then sent about once per worker.
#pragma once

#include <cstdint>
#include <vector>

#include "core/combine_table.h"
#include "engine/map_outputs.h"
#include "mr/job.h"

namespace mr::engine {

/// Pairs combined before the pass may decide it does not pay (on word
/// count of real text, 196 k pairs shrank only to 157 k: 13 ms for nothing).
constexpr std::uint64_t kCombineProbePairs = 1u << 14;

struct OutgoingCombineStats {
  std::uint64_t pairs_in = 0, pairs_out = 0; // of the partitions combined
  std::uint32_t partitions = 0;              // combined
  bool counting_combine = false;             // the job's combine counts: not combined
  bool combine_failed = false;               // the job's combine threw: not combined
};

struct OutgoingCombineLimits {
  std::uint64_t table_bytes = 0; // the table drains beyond this (0: no limit)
  std::uint64_t read_bytes = 0;  // buffer for runs on disk
  std::uint64_t chunk_bytes = 0; // combined pairs handed to the store at once (0: all)
};

/// Combines the runs of every partition p that is not `skip[p]` and has
/// more than one run in `outputs`, with `table`, into `combined`. A table
/// full beyond `limits.table_bytes` is drained, so a key may leave more
/// than once; the reduce combines those. Stops combining once the pairs of
/// at least kCombineProbePairs have not halved: the job's keys do not repeat across
/// tasks, and the pass would cost more than it saves. Returns which partitions
/// are in `combined`; the others are still only in `outputs`.
///
/// A job whose combine changes its counters (clean counts duplicates there)
/// is not combined here: its counts are committed with a map task or a
/// reduce partition, and counts made here belong to neither, so a resumed
/// run would count them twice. The counters are put back as they were, the
/// partition combined so far is dropped, and nothing is in `combined`. The
/// same when the job's combine throws: reduce then meets the same pairs,
/// and fails as it would have without this pass.
std::vector<bool> combine_outgoing(Job &job, MapOutputStore &outputs,
                                   const std::vector<bool> &skip,
                                   core::CombineTable &table,
                                   const OutgoingCombineLimits &limits,
                                   MapOutputStore &combined, OutgoingCombineStats &stats);

} // namespace mr::engine
