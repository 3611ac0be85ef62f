// src/engine/reduce_partition.cpp: see reduce_partition.h.
#include "engine/reduce_partition.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/kv_buffer.h"

namespace mr::engine {

namespace {

class RowEmitter : public Emitter {
public:
  RowEmitter(io::OutputRows &rows, bool uint64_values)
      : rows_(rows), uint64_values_(uint64_values) {}
  void emit(std::string_view key, std::string_view value) override {
    if (uint64_values_ && value.size() != 8)
      throw std::runtime_error(
          "the job declares uint64 output values but reduce emitted a value of " +
          std::to_string(value.size()) + " bytes");
    rows_.add(key, value);
    ++emitted;
  }
  std::uint64_t emitted = 0;

private:
  io::OutputRows &rows_;
  bool uint64_values_;
};

} // namespace

ReduceStats reduce_partition(Job &job, const std::vector<std::string_view> &runs,
                             bool uint64_values, core::CombineTable &table,
                             io::OutputRows &rows) {
  ReduceStats stats;
  RowEmitter out(rows, uint64_values);

  if (job.combines()) {
    auto merge = [&job](std::string_view k, std::string_view a, std::string_view b,
                        std::string &merged) { job.combine(k, a, b, merged); };
    for (std::string_view run : runs)
      core::for_each_pair(run, [&](std::string_view k, std::string_view v) {
        table.insert(k, v, merge);
        ++stats.pairs_in;
      });
    for (const auto &[key, value] : table.sorted_entries()) {
      job.reduce(key, std::span<const std::string_view>(&value, 1), out);
      ++stats.keys;
    }
    table.clear();
  } else {
    std::vector<std::pair<std::string_view, std::string_view>> pairs;
    for (std::string_view run : runs)
      core::for_each_pair(
          run, [&](std::string_view k, std::string_view v) { pairs.emplace_back(k, v); });
    stats.pairs_in = pairs.size();
    std::sort(pairs.begin(), pairs.end());
    std::vector<std::string_view> values;
    for (std::size_t i = 0; i < pairs.size();) {
      std::size_t j = i;
      values.clear();
      while (j < pairs.size() && pairs[j].first == pairs[i].first)
        values.push_back(pairs[j++].second);
      job.reduce(pairs[i].first, values, out);
      ++stats.keys;
      i = j;
    }
  }
  stats.rows_out = out.emitted;
  return stats;
}

} // namespace mr::engine
