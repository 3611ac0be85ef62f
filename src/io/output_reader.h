// src/io/output_reader.h: reads an output file (output_file.h) without MPI:
// whole (small files, tests), or streamed in bounded memory, merged in key
// order, and verified against its checksums.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "io/h5.h"
#include "io/output_file.h"

namespace mr::io {

/// Opens an output file (through MPI-IO, collectively, with a communicator)
/// and reads its attributes into `meta`; throws InputError naming what makes
/// it no output of ours.
Handle open_output(const std::string &path, OutputMeta &meta,
                   MPI_Comm comm = MPI_COMM_NULL);

/// Elements [at, at + n) of uint64 dataset `name` (all from `at` when n is
/// ~0); throws InputError when it is shorter.
std::vector<std::uint64_t> read_u64s(hid_t file, const std::string &name,
                                     std::uint64_t at = 0, std::uint64_t n = ~0ull);

/// A whole output file, read serially (for tests and small files; export
/// streams through OutputReader instead).
struct OutputFile {
  OutputMeta meta;
  OutputRows rows;
  std::vector<std::uint64_t> partition_offsets;
};

/// Reads `path`; throws InputError naming the problem.
OutputFile read_output(const std::string &path);

/// An output file read in chunks: memory stays bounded whatever its size.
class OutputReader {
public:
  /// Opens and checks `path` (serially); throws InputError naming the problem.
  explicit OutputReader(const std::string &path);
  ~OutputReader();
  OutputReader(const OutputReader &) = delete;
  OutputReader &operator=(const OutputReader &) = delete;

  const OutputMeta &meta() const { return meta_; }
  std::uint64_t rows() const { return rows_; }
  /// Row ranges of the partitions: p holds [offsets[p], offsets[p+1]).
  const std::vector<std::uint64_t> &partition_offsets() const { return partitions_; }

  /// Calls f(key, value) for every row, in key byte order over all partitions
  /// (each partition is sorted; they are merged), rows of equal keys in
  /// partition then row order. uint64 values come as 8 little-endian bytes.
  /// Holds about 2 x `chunk_bytes` per partition, plus the largest row.
  void
  for_each_row_in_chunks(const std::function<void(std::string_view, std::string_view)> &f,
                         std::uint64_t chunk_bytes) const;
  /// As above, within about `budget` bytes however many partitions there are
  /// (chunks of budget / partitions, at least 4 KiB).
  void for_each_row(const std::function<void(std::string_view, std::string_view)> &f,
                    std::uint64_t budget = kReadBudget) const;

  static constexpr std::uint64_t kReadBudget = 64ull << 20;

  /// Reads every partition (8 MiB at a time, less within a smaller
  /// `budget`) and checks it against its checksum; throws InputError naming
  /// a damaged partition. Does nothing for files written before checksums
  /// (see verifiable()).
  /// `progress`, if given, is told after each partition: rows checked, of all.
  void verify(std::uint64_t budget = kReadBudget,
              const std::function<void(std::uint64_t done, std::uint64_t total)>
                  &progress = {}) const;
  bool verifiable() const;

  /// Calls f(key, value) for every row in the order stored: partition after
  /// partition (to check that an output really is globally sorted).
  void for_each_stored_row(
      const std::function<void(std::string_view, std::string_view)> &f) const;

private:
  struct Impl;
  Impl *impl_;
  OutputMeta meta_;
  std::uint64_t rows_ = 0;
  std::vector<std::uint64_t> partitions_;
};

} // namespace mr::io
