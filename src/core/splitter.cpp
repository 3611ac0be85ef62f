// src/core/splitter.cpp: see splitter.h.
#include "core/splitter.h"

#include <algorithm>
#include <stdexcept>

namespace mr::core {

std::vector<Split> split_input(std::uint64_t total, std::uint64_t split_size,
                               const NextRecordStart &next_record_start) {
  if (split_size == 0)
    throw std::invalid_argument("split size must be positive");
  std::vector<Split> splits;
  std::uint64_t begin = 0;
  while (begin < total) {
    std::uint64_t target = total - begin <= split_size ? total : begin + split_size;
    std::uint64_t end = target >= total ? total : next_record_start(target);
    if (end <= begin || end > total)
      throw std::logic_error("record boundary did not move forward");
    splits.push_back({static_cast<std::uint32_t>(splits.size()), begin, end});
    begin = end;
  }
  return splits;
}

std::uint64_t next_line_start(std::uint64_t pos, std::uint64_t total,
                              const ReadBytes &read, std::uint64_t window) {
  if (pos == 0 || pos >= total)
    return std::min(pos, total);
  std::vector<char> buf;
  // Look at the byte before pos too: if it is '\n', pos is a line start.
  for (std::uint64_t at = pos - 1; at < total; at += buf.size()) {
    buf.resize(std::min(window, total - at));
    read(at, buf.size(), buf.data());
    auto nl = std::find(buf.begin(), buf.end(), '\n');
    if (nl != buf.end())
      return at + (nl - buf.begin()) + 1;
  }
  return total;
}

} // namespace mr::core
