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

SampleResult sample_split_points(Job &job, const io::InputFile &input,
                                 std::uint32_t partitions) {
  SampleResult result;
  const InputInfo &info = input.info();
  const std::uint64_t total = input.size();
  const std::uint64_t want = std::max<std::uint64_t>(10000, 100ull * partitions);
  KeyCollector keys;
  std::vector<char> buf;
  /// Maps the records in `bytes`, which start at `begin` of the input.
  auto map_bytes = [&](std::string_view bytes, std::uint64_t begin) {
    MapInput in{bytes, begin, &info};
    result.records_sampled +=
        for_each_record(in, [&](const Record &r) { job.map(r, keys); });
  };
  auto map_at = [&](std::uint64_t begin, std::uint64_t end) {
    buf.resize(end - begin);
    input.read(begin, buf.size(), buf.data());
    map_bytes({buf.data(), buf.size()}, begin);
  };
  std::uint64_t state = 0x5eed;
  if (info.format == InputFormat::records) {
    const std::uint64_t n = total / info.record_size;
    std::vector<std::uint64_t> picks;
    if (n <= want) {
      for (std::uint64_t i = 0; i < n; ++i)
        picks.push_back(i);
    } else {
      for (std::uint64_t i = 0; i < want; ++i)
        picks.push_back(next_random(state) % n);
      std::sort(picks.begin(), picks.end()); // read in file order
    }
    for (std::uint64_t i : picks)
      map_at(i * info.record_size, (i + 1) * info.record_size);
  } else if (total > 0) {
    // Lines: the line that starts first at or after a random position
    // (reading at most 64 KiB of it: enough for a sample key).
    auto read = [&](std::uint64_t at, std::uint64_t n, char *dst) {
      input.read(at, n, dst);
    };
    std::vector<std::uint64_t> positions;
    for (std::uint64_t i = 0; i < want; ++i)
      positions.push_back(next_random(state) % total);
    std::sort(positions.begin(), positions.end());
    std::vector<char> window;
    for (std::uint64_t pos : positions) {
      const std::uint64_t start = core::next_line_start(pos, total, read, 4096);
      if (start >= total)
        continue;
      window.resize(std::min<std::uint64_t>(64 * 1024, total - start));
      input.read(start, window.size(), window.data());
      auto nl = std::find(window.begin(), window.end(), '\n');
      const std::uint64_t len =
          static_cast<std::uint64_t>(nl - window.begin()) + (nl == window.end() ? 0 : 1);
      map_at(start, start + len);
    }
  }
  result.keys_sampled = keys.keys.size();
  result.split_points = core::split_points_from_sample(std::move(keys.keys), partitions);
  return result;
}

} // namespace mr::engine
