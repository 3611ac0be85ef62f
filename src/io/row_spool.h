// src/io/row_spool.h: the output rows a worker produces, held in memory up
// to a budget and spilled to scratch files beyond it, until the collective
// write copies them into the output file (io/output_file.h).
//
// Four streams, as in the output file: key bytes, key offsets (u64, rows+1
// entries, absolute within this rank), value bytes, value offsets. Each is a
// prefix in its spill file followed by a tail in memory. Rows belong to
// consecutive partitions (end_partition closes one); each partition's
// checksum, and the checksum of each block of about kBlockBytes of its rows
// (see output_file.h), are computed as the rows go by.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/big_memory.h"
#include "core/bytes.h"
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
  /// Rows of each checksum block closed so far, in order (a block never
  /// crosses a partition; an empty partition has none), and their checksums.
  const std::vector<std::uint64_t> &rows_per_block() const { return block_rows_; }
  const std::vector<std::uint64_t> &block_checksums() const { return block_checksums_; }

  /// A block ends after the row that brings its key and value bytes to this.
  static constexpr std::uint64_t kBlockBytes = 1 << 20;
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

  /// Forgets rows [first, rows()) of the open partition, which began at row
  /// `first` (a reduce that failed, to be tried again). False, and nothing
  /// changed, when some of them were already spilled.
  bool drop_rows_since(std::uint64_t first);

  /// Sorts rows [first, rows()) by key bytes, stably (a reduce that emits
  /// keys out of order). Throws if some of them were already spilled.
  void sort_rows_since(std::uint64_t first);

private:
  /// A checksum over consecutive rows: a partition's, or a block's.
  struct Span {
    PartitionHasher hash;
    std::uint64_t first_row = 0;
    std::uint64_t hashed_entries = 0;                 // offset entries hashed
    std::uint64_t hashed_keys = 0, hashed_values = 0; // stream bytes hashed
    std::uint64_t key_base = 0, value_base = 0;
  };
  void spill();
  /// Hashes what `span` has not yet of the rows before `row`: their bytes,
  /// and offset entries up to `row` (included when `closing`).
  void hash_up_to(Span &span, std::uint64_t row, bool closing);
  void hash_bytes(Span &span, std::uint64_t keys_end, std::uint64_t values_end);
  void restart(Span &span);
  /// Closes the blocks that ended before `row` (hashed lazily: a reduce
  /// may still sort the rows of the open partition that are in memory).
  void close_blocks_up_to(std::uint64_t row);
  std::uint64_t memory_bytes() const {
    return keys_.size() + values_.size() +
           8 * (key_offsets_.size() + value_offsets_.size());
  }
  std::string_view memory(Stream s) const;

  std::uint64_t budget_;
  std::string scratch_dir_;
  // In huge-page memory (core/big_memory.h): a sort's reduce copies all its
  // rows here, and 4 KiB faults on fresh malloc memory were most of its time.
  core::ByteArena keys_, values_;
  // Offset entries from index spilled_[k..Offsets]/8 up to rows_ (the last
  // always stays in memory, so a partition's first entry can be hashed).
  using Offsets = std::vector<std::uint64_t, core::BigAllocator<std::uint64_t>>;
  Offsets key_offsets_{0}, value_offsets_{0};
  std::uint64_t spilled_[4] = {0, 0, 0, 0}; // bytes of each stream on disk
  mutable std::unique_ptr<core::SpillFile> files_[4];
  std::uint64_t rows_ = 0;

  Span partition_, block_;                // the open partition, and its open block
  std::vector<std::uint64_t> block_ends_; // rows where blocks end, not hashed yet
  std::uint64_t block_start_bytes_ = 0;   // key + value bytes before the open block

  std::vector<std::uint64_t> partition_rows_, checksums_;
  std::vector<std::uint64_t> block_rows_, block_checksums_;
};

} // namespace mr::io
