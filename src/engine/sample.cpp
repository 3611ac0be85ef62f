// src/engine/sample.cpp: see sample.h.
#include "engine/sample.h"

#include <algorithm>

#include "core/partitioner.h"
#include "core/splitter.h"
#include "engine/map_task.h"

namespace mr::engine {

namespace {

class KeyCollector : public Emitter {
public:
  void emit(std::string_view key, std::string_view) override { keys.emplace_back(key); }
  std::vector<std::string> keys;
};

/// SplitMix64: a fixed sequence, so the sample (and the partitions) are the
/// same on every run.
std::uint64_t next_random(std::uint64_t &state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

} // namespace

SampleResult sample_split_points(Job &job, const io::Input &input,
                                 std::uint32_t partitions) {
  SampleResult result;
  const InputInfo &info = input.info();
  const std::uint64_t total = input.size();
  const std::uint64_t want = std::max<std::uint64_t>(10000, 100ull * partitions);
  KeyCollector keys;
  std::vector<char> buf;
  const io::RecordFormat &format = input.format();
  std::uint64_t state = 0x5eed;
  const auto read = [&](std::uint64_t at, std::uint64_t n, char *dst) {
    input.read(at, n, dst);
  };
  // The records the format picks, each mapped on its own.
  for (const auto &[begin, end] : format.sample(
           total, want, [&] { return next_random(state); }, read)) {
    buf.resize(end - begin);
    input.read(begin, buf.size(), buf.data());
    const MapInput in{{buf.data(), buf.size()}, begin, &info, &format};
    result.records_sampled +=
        for_each_record(in, [&](const Record &r) { job.map(r, keys); });
  }
  result.keys_sampled = keys.keys.size();
  result.split_points = core::split_points_from_sample(std::move(keys.keys), partitions);
  return result;
}

} // namespace mr::engine
