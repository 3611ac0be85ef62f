// src/io/input_file.h: the HDF5 input format (see docs/file-formats.md, "Input").
//
//   /data                uint8[N], chunked: the imported files' bytes, one
//                        after the other (lines: each file ends in '\n')
//   /files/name_bytes    uint8[B]: the imported paths, one after the other
//   /files/name_offsets  uint64[F+1]: path i is name_bytes[n_o[i] : n_o[i+1]]
//   /files/offsets       uint64[F+1]: file i is data[offsets[i] : offsets[i+1]]
//   /checksums           uint64[ceil(N / C)]: XXH3-64 of each C bytes of /data
//                        (the last chunk may be shorter)
//   attributes of /: mapreduce_input_version (3), format ("lines",
//                    "records" or "tsv"), record_size (records), files, bytes,
//                    checksum ("xxh3-64"), checksum_chunk_bytes (C = 1 MiB)
// Version 1 files (fixed-length strings in /files/names) are still read;
// files without /checksums (versions 1 and 2) too, unverified.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "io/h5.h"
#include "io/input.h"
#include "io/input_error.h"
#include "io/record_format.h"
#include "mr/job.h"

namespace mr::io {

struct ImportOptions {
  InputFormat format = InputFormat::lines;
  std::uint64_t record_size = 0; // for InputFormat::records
  std::string output;
  bool overwrite = false;
  /// Decompress gzip files (known by their first two bytes, whatever their
  /// name). Without it a gzip file is refused: its compressed bytes would be
  /// imported as text without a word.
  bool gunzip = false;
  /// Told as the files are read: bytes of them read so far (as they are on
  /// disk: compressed, for gzip), of all.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

struct ImportStats {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0; // as stored: gzip files decompressed
  std::uint64_t gunzipped = 0;
};

/// Imports `files` (in this order; names stored as given) into a new input
/// file, written under a temporary name and renamed when complete; nothing is
/// left behind on failure. Throws InputError for an unreadable file, a file
/// whose size is not a multiple of the record size, an existing output
/// without `overwrite`, and the like.
ImportStats import_files(const std::vector<std::string> &files, const ImportOptions &o);

/// An input file opened for reading records.
class InputFile : public Input {
public:
  /// Opens and checks `path`; throws InputError naming the problem. With a
  /// communicator, opens through MPI-IO, collectively over it.
  static InputFile open(const std::string &path, MPI_Comm comm = MPI_COMM_NULL);

  std::uint64_t size() const override { return size_; }
  const InputInfo &info() const override { return info_; }
  const RecordFormat &format() const override { return *format_; }
  /// Reads bytes [offset, offset + count) of /data into dst (independent I/O).
  void read(std::uint64_t offset, std::uint64_t count, char *dst) const override;
  /// As read, and checks every checksum chunk the range touches first (the
  /// edge chunks are read whole); throws InputError naming the damaged bytes
  /// and the files they hold. Unchecked when the file has no checksums.
  void read_verified(std::uint64_t offset, std::uint64_t count, char *dst) const override;
  /// False for inputs imported before checksums existed.
  bool verifiable() const override { return checksum_chunk_ != 0; }
  /// The names of the files that bytes [begin, end) hold, for messages:
  /// "'a.txt', 'b.txt'" (at most 3, then "...").
  std::string files_between(std::uint64_t begin, std::uint64_t end) const override;
  std::string kind() const override { return "an imported input"; }

private:
  void verify_chunk(std::uint64_t k, const char *bytes, std::uint64_t n) const;
  void check_chunk(std::uint64_t k, std::uint64_t hash, std::uint64_t n) const;

  Handle file_, data_;
  std::uint64_t size_ = 0;
  InputInfo info_;
  std::unique_ptr<RecordFormat> format_;
  std::string path_;
  std::uint64_t checksum_chunk_ = 0; // 0: no checksums
  std::vector<std::uint64_t> checksums_;
};

} // namespace mr::io
