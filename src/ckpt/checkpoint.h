// src/ckpt/checkpoint.h: the checkpoint folder, one owner: on every rank the
// files that commit finished work, written and read back; on the
// coordinator also the manifest that records them and holds the folder's
// lock (ckpt/manifest.h).
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
// (Fingerprint::digest): a file copied from the checkpoint of another
// input, job or split is refused even with its manifest record. Every file
// is written durably (ckpt/durable_file.h); its size and XXH3-64 are in its
// manifest record, checked before any use.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "ckpt/manifest.h"
#include "core/kv_buffer.h"
#include "io/row_spool.h"

namespace mr::ckpt {

/// The version of the checkpoint's file formats, part of its fingerprint: a
/// checkpoint of another version is refused rather than misread.
// 2: keys hashed with XXH3 (partitions of format 1 differ).
// 3: files bound to their checkpoint's fingerprint; counters in records.
// 4: inverted-index's map output holds 4-byte file ids (8 before), appended.
inline constexpr const char *kFormat = "4";

/// A committed file that cannot be used: missing, cut, or its checksum is
/// wrong. Its work is done again.
struct DamagedCommit : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Where a committed map task's runs are in its file: partition p's is
/// `size[p]` bytes at `offset[p]`.
struct TaskRuns {
  std::vector<std::uint64_t> offset, size;
};

/// One checkpoint folder as one rank uses it: its committed files (which
/// run they belong to, and how this rank names new ones so that two writers,
/// a task and its backup or two runs, never write the same one), and on the
/// coordinator its manifest.
class Checkpoint {
public:
  /// A worker's (or a reader's, such as `verify`, with no `writer`):
  /// `writer` is the run id and world rank, e.g. "1f2e3d4c5b6a-r2";
  /// `fingerprint` is Fingerprint::digest() of the checkpoint's fingerprint.
  Checkpoint(std::string dir, std::string writer, std::uint64_t fingerprint)
      : dir_(std::move(dir)), writer_(std::move(writer)), fingerprint_(fingerprint) {}
  /// The coordinator's: the same, owning the opened manifest (and so the
  /// folder's lock, held until this is destroyed).
  Checkpoint(Manifest manifest, std::string writer, std::uint64_t fingerprint)
      : dir_(manifest.dir()), writer_(std::move(writer)), fingerprint_(fingerprint),
        manifest_(std::move(manifest)) {}

  const std::string &dir() const { return dir_; }
  /// The manifest, on the coordinator; nullptr elsewhere.
  Manifest *manifest() { return manifest_ ? &*manifest_ : nullptr; }
  const Manifest *manifest() const { return manifest_ ? &*manifest_ : nullptr; }
  /// The path of a committed file.
  std::string path(const Commit &commit) const { return dir_ + "/" + commit.file; }

  /// Checks a committed file's size and checksum against its record, and its
  /// header (kind, id, partition count R for a map task, fingerprint);
  /// throws DamagedCommit saying why.
  void check(const Commit &commit, std::uint32_t R) const;

  /// Commits map task `task`'s runs, one per partition.
  Commit commit_map_task(std::uint32_t task, std::span<const core::KvBuffer> runs,
                         const std::string &counters) const;

  /// Checks a committed map task (size, checksum, header: read 1 MiB at a
  /// time, never whole) and returns where its runs are; its counter
  /// increments go to `counters`. Throws DamagedCommit saying why.
  TaskRuns locate_map_task(const Commit &commit, std::uint32_t R,
                           std::string &counters) const;

  /// Where `runs` are in the file commit_map_task makes of them.
  static TaskRuns map_task_runs(std::span<const core::KvBuffer> runs,
                                std::uint64_t counter_bytes);

  /// Commits rows [first, end) of `rows`, partition `p`'s, copying at most
  /// about `chunk` bytes at a time.
  Commit commit_partition(std::uint32_t p, const io::RowSpool &rows, std::uint64_t first,
                          std::uint64_t end, const std::string &counters,
                          std::uint64_t chunk = 8 << 20) const;

  /// Appends a committed partition's rows to `rows`; throws DamagedCommit.
  void load_partition(const Commit &commit, io::RowSpool &rows,
                      std::string &counters) const;

private:
  std::string read_committed(const Commit &commit) const;

  std::string dir_;
  std::string writer_;
  std::uint64_t fingerprint_ = 0;
  std::optional<Manifest> manifest_;
};

} // namespace mr::ckpt
