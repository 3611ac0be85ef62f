// src/engine/counters.h: a job's counters as committed work. The engine takes
// the increments made while producing one task's or one partition's output
// and keeps them only if that output is kept, so that counters never count
// a discarded backup copy twice, and a resumed run reports the same counts
// as an uninterrupted one (the increments are committed with the output).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "mr/codec.h"
#include "mr/registry.h"

namespace mr::engine {

using CounterSums = std::map<std::string, std::uint64_t>;

/// The job's counter increments since the last call, encoded (name, value,
/// name, value, ...), and every counter back to zero. The job's references
/// to its counters stay valid.
inline std::string take_counters(Job &job) {
  std::string out;
  for (auto &[name, value] : detail::JobAccess::counters(job))
    if (value != 0) {
      append_string(out, name);
      append_string(out, std::to_string(value));
      value = 0;
    }
  return out;
}

inline void add_counters(std::string_view encoded, CounterSums &sum) {
  std::string name;
  bool is_name = true;
  for_each_string(encoded, [&](std::string_view s) {
    if (is_name)
      name = s;
    else
      sum[name] += std::stoull(std::string(s));
    is_name = !is_name;
  });
}

inline std::string encode_counters(const CounterSums &sums) {
  std::string out;
  for (const auto &[name, value] : sums) {
    append_string(out, name);
    append_string(out, std::to_string(value));
  }
  return out;
}

} // namespace mr::engine
