// include/mr/count_job.h: a base for jobs that count keys (word count, URL
// frequency, ...): emit (key, mr::u64_bytes(n)) from map; this class sums.
#pragma once

#include "mr/codec.h"
#include "mr/job.h"

namespace mr {

class CountJob : public Job {
public:
  // Final: the engine adds counts itself (combine_sums_u64), so a count job
  // that merged them otherwise would be silently wrong.
  void combine(std::string_view, std::string_view a, std::string_view b,
               std::string &merged) final {
    merged = u64_bytes(read_u64(a) + read_u64(b));
  }
  bool combine_sums_u64() const final { return true; }
  void reduce(std::string_view key, std::span<const std::string_view> counts,
              Emitter &out) override {
    std::uint64_t total = 0;
    for (std::string_view c : counts)
      total += read_u64(c);
    out.emit(key, u64_bytes(total));
  }
  ValueType output_value_type() const override { return ValueType::uint64; }
};

} // namespace mr
