// src/io/output_file.h: the HDF5 output format (see docs/file-formats.md,
// "Output"), and what its writer (output_writer.h) and reader
// (output_reader.h) share.
//
//   /keys                uint8[K]   every row's key bytes, row after row
//   /key_offsets         uint64[N+1]  row i's key is keys[k_o[i] : k_o[i+1]]
//   /values              uint64[N] when value_type is "uint64", or else
//                        uint8[V] with /value_offsets uint64[N+1], as for keys
//   /partition_offsets   uint64[R+1]  partition p holds rows [p_o[p], p_o[p+1]),
//                        sorted by key bytes within the partition
//   /partition_checksums uint64[R]  XXH3-64 of partition p: of the 32 bytes of
//                        four XXH3-64s (LE): of its key bytes, of its key
//                        offsets minus the first (rows+1), of its value bytes
//                        (uint64: 8 LE bytes each), of its value offsets
//                        likewise (uint64: 0, 8, 16, ...)
//   /block_rows          uint64[B+1]  checksum block b holds rows
//                        [b_r[b], b_r[b+1]): consecutive rows of one
//                        partition, cut after the row that brings the
//                        block's key and value bytes to 1 MiB (version 4)
//   /block_checksums     uint64[B]  of each block, as a partition's: what a
//                        run that reads this output as its input verifies
//                        task by task (io/pairs_input.h)
//   attributes of /: mapreduce_output_version (4), checksum ("xxh3-64"), job,
//                    parameters, input, reducers, records, value_type
//                    ("uint64" or "bytes"), export_format, partitioning
//                    ("hash", "range" or "custom"), fingerprint (optional), split_size
//                    (optional)
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mr::io {

/// What `run` writes; outputs of versions 1 to this one are read.
constexpr std::uint64_t kOutputVersion = 4;
/// The most partitions a run writes (--reducers): a file with more is not ours.
constexpr std::uint64_t kMaxPartitions = 65536;

/// Output rows of consecutive partitions, as one rank holds them.
struct OutputRows {
  std::vector<char> keys;
  std::vector<std::uint64_t> key_offsets{0};
  std::vector<char> values;
  std::vector<std::uint64_t> value_offsets{0};
  /// Rows of each partition this rank holds, in partition order.
  std::vector<std::uint64_t> rows_per_partition;

  void add(std::string_view key, std::string_view value) {
    keys.insert(keys.end(), key.begin(), key.end());
    key_offsets.push_back(keys.size());
    values.insert(values.end(), value.begin(), value.end());
    value_offsets.push_back(values.size());
  }
  std::uint64_t rows() const { return key_offsets.size() - 1; }
  std::string_view key(std::uint64_t i) const {
    return {keys.data() + key_offsets[i], key_offsets[i + 1] - key_offsets[i]};
  }
  std::string_view value(std::uint64_t i) const {
    return {values.data() + value_offsets[i], value_offsets[i + 1] - value_offsets[i]};
  }
};

struct OutputMeta {
  std::string job;
  std::string parameters;
  std::string input;
  std::uint64_t reducers = 0;
  bool uint64_values = false; // else bytes
  /// How export prints rows: "key_tab_value", "value_lines" or "raw_keys".
  std::string export_format = "key_tab_value";
  std::string partitioning = "hash"; // or "range", "custom"
  /// XXH3 of the run's fingerprint (job, parameters, input identity, tasks:
  /// see engine/run.cpp); lets `--resume` recognise a job already finished.
  std::string fingerprint;
  /// Input bytes per map task of the run that wrote it (0: not recorded):
  /// with `fingerprint`, lets a `--resume` whose checkpoint is already
  /// removed plan the same tasks, and so recognise the output as its own.
  std::uint64_t split_size = 0;
  /// The job's counters summed over ranks (attribute "counters": lines
  /// `name value`), recorded by rank 0 before the commit, so that a
  /// --resume that finds the output complete knows them too.
  std::map<std::string, std::uint64_t> counters;
  bool counters_recorded = false; // false: an output written before 2026-12-04
  /// mapreduce_output_version of a file read (what a run writes: kOutputVersion).
  std::uint64_t version = kOutputVersion;
};

} // namespace mr::io
