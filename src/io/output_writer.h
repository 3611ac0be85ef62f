// src/io/output_writer.h: writes an output file (output_file.h), every
// rank's rows at once through parallel HDF5.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "comm/comm.h"
#include "io/output_file.h"
#include "io/row_spool.h"

namespace mr::io {

/// Writes every rank's rows into one new file at `path`, in rank order
/// (ranks hold consecutive partitions), copying at most about `chunk_bytes`
/// at a time (0: each stream at once). Collective over `comm`.
/// Returns the total number of rows.
/// Records the job's counters in the finished (not yet committed) output at
/// `path`, which this process alone has open (rank 0, before the commit).
void record_counters(const std::string &path,
                     const std::map<std::string, std::uint64_t> &counters);
/// Records the records that --skip-bad-records skipped, one line each
/// ("FILE at byte N: \"first bytes\""), as the dataset /skipped_records
/// (uint8) of the finished output at `path` (rank 0, before the commit).
void record_skipped_records(const std::string &path, const std::string &lines);

/// `progress`, if given, is told after each piece this rank wrote: its
/// bytes written so far, of all it writes.
using WriteProgress = std::function<void(std::uint64_t written, std::uint64_t total)>;
std::uint64_t write_output(const comm::Comm &comm, const std::string &path,
                           const OutputMeta &meta, const RowSpool &rows,
                           std::uint64_t chunk_bytes = 0,
                           const WriteProgress &progress = {});
/// The same for rows held in memory (tests).
std::uint64_t write_output(const comm::Comm &comm, const std::string &path,
                           const OutputMeta &meta, const OutputRows &rows);

/// A spool's rows in memory (tests and small outputs).
OutputRows rows_of(const RowSpool &spool);

} // namespace mr::io
