// src/engine/map_task.cpp: see map_task.h.
#include "engine/map_task.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>

#include "core/hash.h"
#include "core/splitter.h"
#include "engine/crash_record.h"
#include "engine/merge_mode.h"
#include "mr/registry.h"

namespace mr::engine {

namespace {

/// Map output goes into the combine table when the job combines (other than
/// by appending), else straight into its partition.
class MapEmitter : public Emitter {
public:
  /// `input`: the task's input bytes, which stay in place until finish().
  MapEmitter(Job &job, const core::Partitioner &partitioner, core::CombineTable &table,
             MapTaskOutput &out, std::uint64_t combine_bytes, std::string_view input)
      : job_(job), partitioner_(partitioner), table_(table), out_(out),
        mode_(merge_mode(job)),
        // An appending combine keeps every value byte, so a task's table
        // would only save repeated keys, at the cost of an insert a pair;
        // the worker's pass (combine_outgoing) inserts each pair anyway.
        // Inverted index at 1 GiB, -n 3: map 13.3 s with the task table,
        // 7.3 s without, the pass 1.1 -> 3.2 s.
        combines_(job.combines() && mode_ != core::MergeMode::append),
        sums_(mode_ == core::MergeMode::add_u64), combine_bytes_(combine_bytes),
        input_begin_(reinterpret_cast<std::uintptr_t>(input.data())),
        input_end_(input_begin_ + input.size()) {}

  void emit(std::string_view key, std::string_view value) override {
    ++emitted;
    if (!combines_) {
      out_.partitions[partitioner_.of(key)].append(key, value);
      return;
    }
    // Hold the pair until a batch is full (the caller may reuse its bytes):
    // a key inside the task's input (a word of a line) by its address, any
    // other by a copy; a count as a number.
    Pending &p = pending_[pending_count_++];
    p.key_size = key.size();
    // (Compared as integers: `<` between pointers into different objects
    // is unspecified in C++.)
    const auto at = reinterpret_cast<std::uintptr_t>(key.data());
    if (at >= input_begin_ && at <= input_end_ && key.size() <= input_end_ - at) {
      p.key = key.data();
    } else {
      p.key = nullptr;
      p.key_offset = stage(key);
    }
    if (sums_) {
      if (value.size() != 8)
        throw std::runtime_error(
            "job sums 8-byte counts (CountJob) but map emitted a value of " +
            std::to_string(value.size()) + " bytes");
      std::memcpy(&p.count, value.data(), 8);
    } else {
      p.value_offset = stage(value);
      p.value_size = value.size();
    }
    if (pending_count_ == kBatch)
      insert_pending();
  }

  /// At the end of a task: everything into the partitions.
  void finish() {
    insert_pending();
    drain();
  }

  std::uint64_t emitted = 0;

private:
  static constexpr std::size_t kBatch = core::CombineTable::kBatch;

  struct Pending {
    const char *key; // in the task's input, or nullptr: staged at key_offset
    std::size_t key_offset, key_size;
    std::size_t value_offset, value_size; // staged (not for counts)
    std::uint64_t count;                  // the value, for counts
  };

  /// Copies bytes into the staging buffer; returns their offset.
  std::size_t stage(std::string_view bytes) {
    if (staged_size_ + bytes.size() > staged_capacity_) {
      std::size_t capacity = std::max(2 * staged_capacity_, staged_size_ + bytes.size());
      auto bigger = std::make_unique<char[]>(capacity);
      std::memcpy(bigger.get(), staged_.get(), staged_size_);
      staged_ = std::move(bigger);
      staged_capacity_ = capacity;
    }
    core::copy_bytes(staged_.get() + staged_size_, bytes.data(), bytes.size());
    staged_size_ += bytes.size();
    return staged_size_ - bytes.size();
  }

  void insert_pending() {
    std::array<core::HashedPair, kBatch> batch;
    for (std::size_t i = 0; i < pending_count_; ++i) {
      const Pending &p = pending_[i];
      const std::string_view key(p.key ? p.key : staged_.get() + p.key_offset,
                                 p.key_size);
      const std::string_view value =
          sums_ ? std::string_view(reinterpret_cast<const char *>(&p.count), 8)
                : std::string_view(staged_.get() + p.value_offset, p.value_size);
      batch[i] = {core::hash_bytes(key), key, value};
    }
    table_.insert_batch(batch.data(), pending_count_, mode_,
                        [this](std::string_view k, std::string_view a, std::string_view b,
                               std::string &merged) { job_.combine(k, a, b, merged); });
    pending_count_ = 0;
    staged_size_ = 0;
    if (table_.memory_bytes() > combine_bytes_)
      drain();
  }

  /// Moves the combined pairs into their partitions.
  void drain() {
    table_.for_each_hashed(
        [&](std::uint64_t hash, std::string_view key, std::string_view value) {
          out_.partitions[partitioner_.of_hashed(hash, key)].append(key, value);
        });
    table_.clear();
  }

  Job &job_;
  const core::Partitioner &partitioner_;
  core::CombineTable &table_;
  MapTaskOutput &out_;
  core::MergeMode mode_;
  bool combines_; // in the task's table
  bool sums_;     // values are 8-byte counts added in place
  std::uint64_t combine_bytes_;
  std::uintptr_t input_begin_, input_end_; // the task's input bytes
  std::array<Pending, kBatch> pending_{};
  std::size_t pending_count_ = 0;
  std::unique_ptr<char[]> staged_ = std::make_unique<char[]>(4096);
  std::size_t staged_size_ = 0, staged_capacity_ = 4096;
};

} // namespace

std::uint64_t for_each_record(const MapInput &in,
                              const std::function<void(const Record &)> &f) {
  const io::RecordBytes bytes{in.bytes, in.offset, in.info};
  if (in.format)
    return in.format->for_each(bytes, f);
  return io::make_record_format(*in.info)->for_each(bytes, f);
}

MapTaskStats run_map_task(Job &job, const MapInput &in,
                          const core::Partitioner &partitioner, core::CombineTable &table,
                          MapTaskOutput &out, std::uint64_t combine_bytes,
                          const std::function<bool()> &keep_going) {
  out.partitions.resize(partitioner.count()); // keeping what the caller reserved
  for (core::KvBuffer &b : out.partitions)
    b.clear();
  MapEmitter emitter(job, partitioner, table, out, combine_bytes, in.bytes);
  MapTaskStats stats;
  stats.bytes_in = in.bytes.size();
  detail::JobAccess::set_task(job, in.task);
  job.start_task();
  // Records to skip come in input order, as the records do.
  std::size_t next_skip = 0;
  auto map_one = [&](const Record &r) {
    while (next_skip < in.skip.size() && in.skip[next_skip] < r.offset)
      ++next_skip;
    if (next_skip < in.skip.size() && in.skip[next_skip] == r.offset) {
      ++stats.skipped;
      return;
    }
    crash::mapping(&r); // a crash in map names the record
    try {
      job.map(r, emitter);
      crash::mapping(nullptr);
    } catch (const std::exception &e) {
      throw RecordFailed(e.what(), r.offset, r.file, r.bytes);
    }
  };
  crash::mapping_task(in.task);
  try {
    if (!keep_going) {
      stats.records = for_each_record(in, map_one);
    } else {
      constexpr std::uint64_t kAskEvery = 4096; // records
      std::uint64_t n = 0;
      stats.records = for_each_record(in, [&](const Record &r) {
        if (++n % kAskEvery == 0 && !keep_going())
          throw TaskCancelled{};
        map_one(r);
      });
    }
    crash::mapping(nullptr);
    job.finish_task(emitter);
  } catch (...) { // cancelled, or the job failed: nothing of it is kept
    crash::mapping(nullptr);
    table.clear();
    try {
      job.abandon_task();
    } catch (...) { // the first failure is the one to report
    }
    throw;
  }
  stats.pairs_emitted = emitter.emitted;

  emitter.finish();
  for (const auto &p : out.partitions) {
    stats.pairs_out += p.pairs();
    stats.bytes_out += p.bytes().size();
  }
  return stats;
}

namespace {

/// Drops what it is given: the output of a record search.
struct NullEmitter : Emitter {
  void emit(std::string_view, std::string_view) override {}
};

/// Maps records [first, last) of `in` (by their index) as one task of their
/// own, skipping in.skip; what the job threw on them, or nothing.
std::optional<std::string> group_fails(Job &job, const MapInput &in, std::uint64_t first,
                                       std::uint64_t last) {
  NullEmitter none;
  std::uint64_t index = 0;
  std::size_t next_skip = 0;
  job.start_task();
  try {
    for_each_record(in, [&](const Record &r) {
      const std::uint64_t i = index++;
      while (next_skip < in.skip.size() && in.skip[next_skip] < r.offset)
        ++next_skip;
      if (i < first || i >= last ||
          (next_skip < in.skip.size() && in.skip[next_skip] == r.offset))
        return;
      crash::mapping(&r);
      job.map(r, none);
    });
    crash::mapping(nullptr);
    job.finish_task(none);
    return std::nullopt;
  } catch (const std::exception &e) {
    crash::mapping(nullptr);
    try {
      job.abandon_task();
    } catch (...) {
    }
    return e.what();
  }
}

} // namespace

void find_failing_record(Job &job, const MapInput &in,
                         const std::function<void(const std::string &)> &probing) {
  std::uint64_t lo = 0, hi = for_each_record(in, [](const Record &) {});
  struct Narrowing { // job.narrowing() holds for the search, and only then
    Job &job;
    explicit Narrowing(Job &j) : job(j) { detail::JobAccess::set_narrowing(job, true); }
    ~Narrowing() { detail::JobAccess::set_narrowing(job, false); }
    Narrowing(const Narrowing &) = delete;
    Narrowing &operator=(const Narrowing &) = delete;
  } narrowing(job);
  auto fails = [&](std::uint64_t first, std::uint64_t last) {
    if (probing)
      probing("narrowing a failed map task: records " + std::to_string(first) + " to " +
              std::to_string(last));
    return group_fails(job, in, first, last);
  };
  // Halve [lo, hi), which failed as a whole, keeping a half that fails alone.
  while (hi - lo > 1) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (fails(lo, mid))
      hi = mid;
    else if (fails(mid, hi))
      lo = mid;
    else
      return; // only the two halves together fail
  }
  if (hi == lo)
    return;
  const std::optional<std::string> why = fails(lo, hi);
  if (!why)
    return;
  // Record lo fails alone: name it.
  std::uint64_t index = 0;
  for_each_record(in, [&](const Record &r) {
    if (index++ == lo)
      throw RecordFailed(*why, r.offset, r.file, r.bytes);
  });
}

} // namespace mr::engine
