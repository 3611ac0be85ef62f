// src/io/input_file.h: the HDF5 input format (see README, "Input file").
//
//   /data          uint8[N], chunked: the imported files' bytes, one after the
//                  other, each ending in '\n'
//   /files/names   fixed-length strings[F]: the imported paths
//   /files/offsets uint64[F+1]: file i is data[offsets[i] : offsets[i+1]]
//   attributes of /: mapreduce_input_version (1), format ("lines"), files, bytes
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/h5.h"

namespace mr::io {

/// A problem with what the user gave us (message is for the user).
class InputError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct ImportStats {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
};

/// Imports text files as lines into a new input file at `output` (written
/// under a temporary name, renamed when complete). Throws InputError for a
/// missing file, an existing output without `overwrite`, and the like.
ImportStats import_lines(const std::vector<std::string> &files, const std::string &output,
                         bool overwrite);

/// An input file opened for reading records.
class InputFile {
public:
  /// Opens and checks `path`; throws InputError naming the problem. With a
  /// communicator, opens through MPI-IO, collectively over it.
  static InputFile open(const std::string &path, MPI_Comm comm = MPI_COMM_NULL);

  std::uint64_t size() const { return size_; }
  const std::string &format() const { return format_; }
  /// Reads bytes [offset, offset + count) of /data into dst (independent I/O).
  void read(std::uint64_t offset, std::uint64_t count, char *dst) const;

private:
  Handle file_, data_;
  std::uint64_t size_ = 0;
  std::string format_;
};

/// Throws InputError unless `output` can be created: its folder exists, and
/// it does not exist (or `overwrite`).
void check_output_path(const std::string &output, bool overwrite);

/// The temporary name a file is written under before it is renamed.
std::string partial_name(const std::string &path);

/// Renames `from` to `to` (atomically, on one file system).
void commit_file(const std::string &from, const std::string &to);

} // namespace mr::io
