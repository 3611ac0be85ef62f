// src/engine/map_task.h: one map task: records in, combined key/value pairs
// out, split into reduce partitions. Knows nothing of MPI or HDF5, so it is
// tested alone; its output is addressable by (task id, partition).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/combine_table.h"
#include "core/kv_buffer.h"
#include "core/partitioner.h"
#include "io/record_format.h"
#include "mr/job.h"

namespace mr::engine {

struct MapTaskOutput {
  std::uint32_t task_id = 0;
  std::vector<core::KvBuffer> partitions; // one per reduce partition
};

struct MapTaskStats {
  std::uint64_t records = 0; // records read
  std::uint64_t bytes_in = 0;
  std::uint64_t pairs_emitted = 0; // by map, before combining
  std::uint64_t pairs_out = 0;     // after combining
  std::uint64_t bytes_out = 0;
  std::uint64_t skipped = 0; // records of MapInput::skip passed over
};

/// A map task's input: whole records, starting at `offset` of the input.
struct MapInput {
  std::string_view bytes;
  std::uint64_t offset = 0;
  const InputInfo *info = nullptr;          // format and file table
  const io::RecordFormat *format = nullptr; // info's; null: made from info
  std::uint64_t task = 0;                   // its number (Job::current_task)
  std::span<const std::uint64_t> skip = {}; // offsets of records not to map, ascending
};

/// Calls f(record) for each record of `in` (as its format cuts them), with
/// its offset and file index. Returns the number of records.
std::uint64_t for_each_record(const MapInput &in,
                              const std::function<void(const Record &)> &f);

/// Maps the records of `in`. `table` is
/// scratch space reused across tasks; it is empty again on return. When the
/// job combines, the table is emptied into the partitions whenever it holds
/// more than `combine_bytes`: this bounds its memory, and a table that fits
/// in the CPU caches is faster than one that combines a little more.
///
/// `out`'s partitions keep the room the caller reserved in them.
///
/// `keep_going`, when given, is asked every few thousand records; when it
/// returns false the task stops at once: TaskCancelled is thrown and `table`
/// is emptied (the output is to be dropped).
MapTaskStats run_map_task(Job &job, const MapInput &in,
                          const core::Partitioner &partitioner, core::CombineTable &table,
                          MapTaskOutput &out, std::uint64_t combine_bytes,
                          const std::function<bool()> &keep_going = nullptr);

struct TaskCancelled {};

/// The job's map threw (or its emit failed) on one record: what was thrown,
/// and which record (its input offset, its file, its first bytes).
struct RecordFailed : std::runtime_error {
  RecordFailed(const std::string &what, std::uint64_t offset, std::uint32_t file,
               std::string_view bytes)
      : std::runtime_error(what), offset(offset), file(file),
        head(bytes.substr(0, kHeadBytes)) {}
  static constexpr std::size_t kHeadBytes = 41; // one more than a message shows
  std::uint64_t offset;
  std::uint32_t file;
  std::string head;
};

/// A task failed where no record is named (in finish_task: a streaming
/// command that exited): maps its records again in smaller and smaller
/// groups, each as a task of its own (start_task, map, finish_task; output
/// dropped), down to the first record that fails alone. Throws RecordFailed
/// for it; returns normally when no record fails alone (the failure needs
/// several records together, or did not happen again). `probing` is told
/// of each group before it is mapped (the worker tells the coordinator,
/// which then extends the task's deadline: each probe may take as long as
/// the failure did, e.g. a streaming command's idle limit).
void find_failing_record(Job &job, const MapInput &in,
                         const std::function<void(const std::string &)> &probing = {});

} // namespace mr::engine
