// src/engine/commits.h: the committed files of a checkpoint (see
// ckpt/manifest.h for the folder and its manifest).
//
// A map task's output, one file per task whatever R (so a job of 100,000
// tasks makes 100,000 files, not 100,000 x R), in DIR/map/<task / 1000>/:
//   "MRMAPT02" | u32 task | u32 R | u64 run | u64 counter bytes |
//   R x (u64 run bytes, u64 pairs) | counters | the R runs, in partition order
// A reduce partition's output rows, in DIR/reduce/:
//   "MRPART02" | u32 partition | u32 0 | u64 run | u64 rows | u64 key bytes |
//   u64 value bytes | u64 counter bytes | counters |
//   u64 key offsets [rows + 1] | keys | u64 value offsets [rows + 1] | values
// Integers little-endian. "counters" are the job's counter increments made
// while producing the file, so that counters of a resumed run equal those of
// an uninterrupted one. "run" is the digest of the checkpoint's fingerprint
// (ckpt::Fingerprint::digest): a file copied from the checkpoint of another
// input, job or split is refused even with its manifest record. Every file
// is written durably (ckpt/durable_file.h); its size and XXH3-64 are in its
// manifest record, checked before any use.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "ckpt/manifest.h"
#include "engine/map_task.h"
#include "io/output_file.h"

namespace mr::engine {

/// The version of the checkpoint's file formats, part of its fingerprint: a
/// checkpoint of another version is refused rather than misread.
// 2: keys hashed with XXH3 (partitions of format 1 differ).
// 3: files bound to their checkpoint's fingerprint; counters in records.
inline constexpr const char *kCheckpointFormat = "3";

/// A committed file that cannot be used: missing, cut, or its checksum is
/// wrong. Its work is done again.
struct DamagedCommit : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A checkpoint's committed files: where they are, which run they belong
/// to, and how this rank names new ones so that two writers (a task and its
/// backup, or two runs) never write the same one.
struct CommitNames {
  std::string dir;               // the checkpoint folder
  std::string writer;            // run id and world rank, e.g. "1f2e3d4c5b6a-r2"
  std::uint64_t fingerprint = 0; // ckpt::Fingerprint::digest() of the checkpoint
};

/// Checks a committed file's size and checksum against its record, and its
/// header (kind, id, partition count R for a map task, fingerprint); throws
/// DamagedCommit saying why.
void check_commit(const CommitNames &names, const ckpt::Commit &commit, std::uint32_t R);

ckpt::Commit commit_map_task(const CommitNames &names, const MapTaskOutput &out,
                             const std::string &counters);

/// Reads and checks a committed map task into `out` and its counter
/// increments into `counters`; throws DamagedCommit saying why.
void load_map_task(const CommitNames &names, const ckpt::Commit &commit, std::uint32_t R,
                   MapTaskOutput &out, std::string &counters);

/// Where a committed map task's runs are in its file: partition p's is
/// `size[p]` bytes at `offset[p]`.
struct TaskRuns {
  std::vector<std::uint64_t> offset, size;
};

/// The runs of `out` in the file commit_map_task makes of it.
TaskRuns map_task_runs(const MapTaskOutput &out, std::uint64_t counter_bytes);

/// Checks a committed map task (size, checksum, header: read 1 MiB at a
/// time, never whole) and returns where its runs are; its counter
/// increments go to `counters`. Throws DamagedCommit saying why.
TaskRuns locate_map_task(const CommitNames &names, const ckpt::Commit &commit,
                         std::uint32_t R, std::string &counters);

/// Commits rows [first, end) of `rows`, partition `p`'s, copying at most
/// about `chunk` bytes at a time.
ckpt::Commit commit_partition(const CommitNames &names, std::uint32_t p,
                              const io::RowSpool &rows, std::uint64_t first,
                              std::uint64_t end, const std::string &counters,
                              std::uint64_t chunk = 8 << 20);

/// Appends a committed partition's rows to `rows`; throws DamagedCommit.
void load_partition(const CommitNames &names, const ckpt::Commit &commit,
                    io::RowSpool &rows, std::string &counters);

} // namespace mr::engine
