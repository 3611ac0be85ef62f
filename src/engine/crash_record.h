// src/engine/crash_record.h: what a rank was doing when the job's code
// crashed it (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT): the record map was
// on, or the key reduce was on. Its handler says so on stderr and, with a
// checkpoint, appends the record to the folder's crash-r<RANK> file, so
// that a relaunch (--resume) knows it and, once it has crashed there twice,
// skips it (--skip-bad-records). The handler allocates nothing and calls
// only async-signal-safe functions; then the signal goes on as before (to a
// sanitizer's handler, or the default: the rank dies, and mpirun ends the
// run).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/fixed_text.h"
#include "mr/job.h"

namespace mr::engine::crash {

namespace detail {
inline const Record *volatile record = nullptr; // map is on it
inline volatile std::uint64_t task = 0;
inline const char *volatile key = nullptr; // reduce is on it
inline volatile std::size_t key_size = 0;
inline volatile std::uint32_t partition = 0;
} // namespace detail

/// Installs the handlers. `input`: the file table, to name a record (kept
/// by pointer); `record_path`: the file to append crash records to ("":
/// none; a path that is not a plain file of ours is not written).
void install(int rank, const InputInfo *input, const std::string &record_path);

/// Cheap (a store or two): what map or reduce is on now.
inline void mapping_task(std::uint64_t task) {
  detail::task = task;
  detail::record = nullptr;
}
inline void mapping(const Record *r) {
  detail::record = r;
} // nullptr: none
inline void reducing_partition(std::uint32_t partition) {
  detail::partition = partition;
  detail::key = nullptr;
}
inline void reducing(std::string_view key) {
  detail::key_size = key.size();
  detail::key = key.data();
}
inline void reduce_done() {
  detail::key = nullptr;
}

/// "FILE at byte N: \"its first bytes\"": a record, for people.
void describe_record(core::FixedText &out, const InputInfo &info, std::uint64_t offset,
                     std::uint32_t file, std::string_view bytes);

/// A record of the crash-r* files of a checkpoint folder.
struct Crash {
  std::uint64_t task = 0;
  std::uint64_t offset = 0; // in the input
  std::string where;        // as describe_record says it
};

/// The crash records of checkpoint folder `dir` (its plain crash-r<N>
/// files), in file order; damaged records are left out and counted.
std::vector<Crash> read_records(const std::string &dir, std::size_t &damaged);

/// Removes the crash-r<N> files of `dir` (plain files only).
void remove_records(const std::string &dir);

} // namespace mr::engine::crash
