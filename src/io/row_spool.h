// src/io/row_spool.h: the output rows a worker produces, held in memory up
// to a budget and spilled to scratch files beyond it, until the collective
// write copies them into the output file (io/output_file.h).
//
// Four streams, as in the output file: key bytes, key offsets (u64, rows+1
// entries, absolute within this rank), value bytes, value offsets. Each is a
// prefix in its spill file followed by a tail in memory. Rows belong to
// consecutive partitions (end_partition closes one); each partition's
// checksum (see output_file.h) is computed as its rows go by.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/spill_file.h"
#include "io/partition_hasher.h"

namespace mr::io {

class RowSpool {
public:
  /// Holds at most about `budget` bytes of rows in memory (0: no limit),
  /// the rest in spill files in `scratch_dir`.
  explicit RowSpool(std::uint64_t budget = 0, std::string scratch_dir = ".");

  void add(std::string_view key, std::string_view value);
  /// Closes the partition of the rows added since the last call.
  void end_partition();

  std::uint64_t rows() const { return rows_; }
  std::uint64_t key_bytes() const { return spilled_[kKeys] + keys_.size(); }
  std::uint64_t value_bytes() const { return spilled_[kValues] + values_.size(); }
  const std::vector<std::uint64_t> &rows_per_partition() const { return partition_rows_; }
  const std::vector<std::uint64_t> &partition_checksums() const { return checksums_; }
  /// Bytes written to spill files so far.
  std::uint64_t spilled_bytes() const;

  enum Stream { kKeys = 0, kKeyOffsets = 1, kValues = 2, kValueOffsets = 3 };
  /// Calls f(bytes) for bytes [from, to) of `stream`, in order, in pieces of
  /// at most `chunk` bytes (offset streams: 8 bytes an entry, cut on entries).
  void read(Stream stream, std::uint64_t from, std::uint64_t to, std::uint64_t chunk,
            const std::function<void(std::string_view)> &f) const;

  /// Bytes [from, to) of `stream`: a view of memory when they are all there,
  /// else read (and copied) into `scratch`.
  std::string_view view(Stream stream, std::uint64_t from, std::uint64_t to,
                        std::vector<char> &scratch) const;

  /// Sorts rows [first, rows()) by key bytes, stably (a reduce that emits
  /// keys out of order). Throws if some of them were already spilled.
  void sort_rows_since(std::uint64_t first);

private:
  void spill();
  void hash_partition_so_far(bool to_the_end);
  std::uint64_t memory_bytes() const {
    return keys_.size() + values_.size() +
           8 * (key_offsets_.size() + value_offsets_.size());
  }
  std::string_view memory(Stream s) const;

  std::uint64_t budget_;
  std::string scratch_dir_;
  std::vector<char> keys_, values_;
  // Offset entries from index spilled_[k..Offsets]/8 up to rows_ (the last
  // always stays in memory, so a partition's first entry can be hashed).
  std::vector<std::uint64_t> key_offsets_{0}, value_offsets_{0};
  std::uint64_t spilled_[4] = {0, 0, 0, 0}; // bytes of each stream on disk
  mutable std::unique_ptr<core::SpillFile> files_[4];
  std::uint64_t rows_ = 0;

  // The open partition.
  std::uint64_t partition_first_row_ = 0;
  std::uint64_t hashed_entries_ = 0; // offset entries of it hashed so far
  std::uint64_t hashed_keys_ = 0, hashed_values_ = 0; // stream bytes hashed
  std::uint64_t partition_key_base_ = 0, partition_value_base_ = 0;
  PartitionHasher hash_;

  std::vector<std::uint64_t> partition_rows_, checksums_;
};

} // namespace mr::io
