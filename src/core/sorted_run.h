// src/core/sorted_run.h: reading back a run of key/value pairs (kv_buffer.h
// format) that was written, sorted, to a spill file: through a buffer of
// bounded size, refilled as the merge consumes it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "core/kv_buffer.h"
#include "core/spill_file.h"

namespace mr::core {

/// Where a run is in its spill file.
struct RunExtent {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

/// Reads the pair at the start of `bytes` if it is whole there: sets `key`,
/// `value` and the bytes it takes (`used`); false if `bytes` ends first.
inline bool whole_pair_at(std::string_view bytes, std::string_view &key,
                          std::string_view &value, std::size_t &used) {
  const char *p = bytes.data(), *end = p + bytes.size();
  auto varint = [&](std::uint64_t &v) {
    v = 0;
    for (int shift = 0; p < end && shift < 64; shift += 7) {
      const auto byte = static_cast<unsigned char>(*p++);
      v |= std::uint64_t(byte & 0x7f) << shift;
      if (!(byte & 0x80))
        return true;
    }
    return false;
  };
  std::uint64_t n;
  if (!varint(n) || n > std::uint64_t(end - p))
    return false;
  key = {p, n};
  p += n;
  if (!varint(n) || n > std::uint64_t(end - p))
    return false;
  value = {p, n};
  p += n;
  used = static_cast<std::size_t>(p - bytes.data());
  return true;
}

/// The length of the longest prefix of `bytes` made of whole pairs.
inline std::size_t whole_pairs_prefix(std::string_view bytes) {
  std::size_t at = 0, used = 0;
  std::string_view k, v;
  while (whole_pair_at(bytes.substr(at), k, v, used))
    at += used;
  return at;
}

/// The pairs of one run, one at a time. key() and value() stay valid until
/// the next call to next().
class RunReader {
public:
  /// Reads through a buffer of `buffer_bytes`, or of the run's size when
  /// that is smaller: with many partitions a worker (65,536 under a 64 MiB
  /// limit), runs are small, and zero-filling a full buffer for each one
  /// took 97 of a sort's 99 s.
  RunReader(SpillFile &file, RunExtent run, std::size_t buffer_bytes)
      : file_(&file), at_(run.offset), end_(run.offset + run.size),
        buffer_(
            std::max<std::size_t>(std::min<std::uint64_t>(buffer_bytes, run.size), 64)) {}

  /// Moves to the next pair; false at the end of the run.
  bool next() {
    for (;;) {
      std::size_t used = 0;
      if (whole_pair_at({buffer_.data() + pos_, len_ - pos_}, key_, value_, used)) {
        pos_ += used;
        return true;
      }
      if (at_ == end_) {
        if (pos_ != len_)
          throw std::runtime_error("spilled run ends inside a pair");
        return false;
      }
      refill();
    }
  }
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }
  /// The memory its buffer holds.
  std::size_t buffer_bytes() const { return buffer_.size(); }

private:
  void refill() {
    const std::size_t kept = len_ - pos_;
    std::copy(buffer_.begin() + static_cast<std::ptrdiff_t>(pos_),
              buffer_.begin() + static_cast<std::ptrdiff_t>(len_), buffer_.begin());
    pos_ = 0;
    len_ = kept;
    if (len_ == buffer_.size()) // one pair larger than the buffer
      buffer_.resize(buffer_.size() * 2);
    const std::uint64_t n = std::min<std::uint64_t>(buffer_.size() - len_, end_ - at_);
    file_->read(at_, n, buffer_.data() + len_);
    at_ += n;
    len_ += static_cast<std::size_t>(n);
  }

  SpillFile *file_;
  std::uint64_t at_, end_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0, len_ = 0;
  std::string_view key_, value_;
};

} // namespace mr::core
