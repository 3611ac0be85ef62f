// src/core/splitter.h: cutting an input into map tasks at record boundaries.
//
// The coordinator aims for tasks of `split_size` bytes, then moves each cut
// forward to the next record start, so every record belongs to exactly one
// task. A record longer than a split swallows the cuts inside it: its task is
// simply larger. Tasks are addressed by id, which is their rank in the input.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace mr::core {

struct Split {
  std::uint32_t id = 0;
  std::uint64_t begin = 0; // first byte of the first record
  std::uint64_t end = 0;   // one past the last byte of the last record
  std::uint64_t size() const { return end - begin; }
};

/// Returns the smallest record start >= pos (or the input size if none).
using NextRecordStart = std::function<std::uint64_t(std::uint64_t pos)>;

/// Splits [0, total) into tasks of about split_size bytes (split_size > 0);
/// no task is empty, and an empty input gives no task.
std::vector<Split> split_input(std::uint64_t total, std::uint64_t split_size,
                               const NextRecordStart &next_record_start);

/// Reads `count` bytes at `offset` of the input into `dst`.
using ReadBytes =
    std::function<void(std::uint64_t offset, std::uint64_t count, char *dst)>;

/// Record starts of newline-terminated lines: the smallest position >= pos
/// that is 0 or follows a '\n'. Reads windows of `window` bytes as it scans.
std::uint64_t next_line_start(std::uint64_t pos, std::uint64_t total,
                              const ReadBytes &read, std::uint64_t window = 64 * 1024);

/// Calls f(line) for each line in `bytes` (which starts at a line start),
/// without its "\n" or "\r\n"; a last line without '\n' counts too.
/// Returns the number of lines.
template <class F> std::uint64_t for_each_line(std::string_view bytes, F &&f) {
  std::uint64_t lines = 0;
  std::size_t start = 0;
  while (start < bytes.size()) {
    std::size_t nl = bytes.find('\n', start);
    std::size_t stop = nl == std::string_view::npos ? bytes.size() : nl;
    std::size_t len = stop - start;
    if (nl != std::string_view::npos && len > 0 && bytes[stop - 1] == '\r')
      --len;
    f(bytes.substr(start, len));
    ++lines;
    if (nl == std::string_view::npos)
      break;
    start = nl + 1;
  }
  return lines;
}

} // namespace mr::core
