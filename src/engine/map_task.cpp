// src/engine/map_task.cpp: see map_task.h.
#include "engine/map_task.h"

#include "core/hash.h"
#include "core/splitter.h"

namespace mr::engine {

namespace {

/// Map output goes into the combine table when the job combines, else
/// straight into its partition.
class MapEmitter : public Emitter {
public:
  MapEmitter(Job &job, core::CombineTable &table, MapTaskOutput &out,
             std::uint64_t combine_bytes)
      : job_(job), table_(table), out_(out), combines_(job.combines()),
        partitions_(static_cast<std::uint32_t>(out.partitions.size())),
        combine_bytes_(combine_bytes) {}

  void emit(std::string_view key, std::string_view value) override {
    ++emitted;
    if (combines_) {
      table_.insert(key, value,
                    [this](std::string_view k, std::string_view a, std::string_view b,
                           std::string &merged) { job_.combine(k, a, b, merged); });
      if (table_.memory_bytes() > combine_bytes_)
        flush();
    } else {
      out_.partitions[core::partition_of(key, partitions_)].append(key, value);
    }
  }

  /// Moves the combined pairs into their partitions.
  void flush() {
    table_.for_each_hashed(
        [&](std::uint64_t hash, std::string_view key, std::string_view value) {
          out_.partitions[core::partition_of_hash(hash, partitions_)].append(key, value);
        });
    table_.clear();
  }

  std::uint64_t emitted = 0;

private:
  Job &job_;
  core::CombineTable &table_;
  MapTaskOutput &out_;
  bool combines_;
  std::uint32_t partitions_;
  std::uint64_t combine_bytes_;
};

} // namespace

MapTaskStats run_map_task(Job &job, std::string_view bytes, std::uint32_t partitions,
                          core::CombineTable &table, MapTaskOutput &out,
                          std::uint64_t combine_bytes) {
  out.partitions.assign(partitions, core::KvBuffer{});
  MapEmitter emitter(job, table, out, combine_bytes);
  MapTaskStats stats;
  stats.bytes_in = bytes.size();
  stats.records =
      core::for_each_line(bytes, [&](std::string_view line) { job.map(line, emitter); });
  stats.pairs_emitted = emitter.emitted;

  emitter.flush();
  for (const auto &p : out.partitions) {
    stats.pairs_out += p.pairs();
    stats.bytes_out += p.bytes().size();
  }
  return stats;
}

} // namespace mr::engine
