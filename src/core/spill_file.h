// src/core/spill_file.h: an append-only scratch file for data that does not
// fit in a rank's --memory-limit (map output, sorted runs, output rows).
//
// The file is unlinked as soon as it is created: its space is freed when the
// process ends, however it ends (kill -9 included), and nothing is left for
// anyone to clean up. Appends go through a small write buffer.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mr::core {

/// A scratch file could not be made, written or read (a full disk): the
/// engine's trouble, not the job's, so never a reason to try a task again.
struct ScratchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Reads up to `n` bytes at `offset` of file `fd` into `dst`, retrying
/// short reads and EINTR. Returns the bytes read: fewer than `n` only where
/// the file ends, or -1 on an error (errno says which).
std::int64_t read_at(int fd, std::uint64_t offset, std::uint64_t n, char *dst);

class SpillFile {
public:
  /// Creates the file in folder `dir`; throws std::runtime_error naming the
  /// folder and the reason. `write_buffer` bytes are kept before a write().
  SpillFile(const std::string &dir, const std::string &label,
            std::size_t write_buffer = 256 << 10);
  ~SpillFile();
  SpillFile(const SpillFile &) = delete;
  SpillFile &operator=(const SpillFile &) = delete;

  /// Appends `bytes`; returns the offset where they start.
  std::uint64_t append(std::string_view bytes);
  /// Bytes appended so far.
  std::uint64_t size() const { return written_ + pending_.size(); }
  /// Copies `n` bytes at `offset` into `dst` (flushing pending appends).
  void read(std::uint64_t offset, std::uint64_t n, char *dst);
  /// Writes pending appends; afterwards fd() sees every appended byte.
  void flush();
  int fd() const { return fd_; }

private:
  [[noreturn]] void fail(const char *what) const;
  void write_at(const char *bytes, std::uint64_t n);
  std::string where_;
  int fd_ = -1;
  std::uint64_t written_ = 0; // bytes in the file; pending_ follows them
  std::vector<char> pending_;
  std::size_t buffer_;
};

} // namespace mr::core
