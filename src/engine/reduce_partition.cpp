// src/engine/reduce_partition.cpp: see reduce_partition.h.
#include "engine/reduce_partition.h"

#include "engine/crash_record.h"
#include "engine/merge_mode.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "core/key_sort.h"
#include "core/kv_buffer.h"

namespace mr::engine {

namespace {

/// Appends reduce's rows to the spool, checking their values' size and
/// whether their keys come in order (a reduce that emits its input keys
/// keeps them so; one that emits other keys gets its rows sorted).
class RowEmitter : public Emitter {
public:
  /// `stable_keys`: the keys given to input_key() stay valid (in memory)
  /// until the partition is done.
  RowEmitter(io::RowSpool &rows, bool uint64_values, bool stable_keys)
      : rows_(rows), uint64_values_(uint64_values), stable_(stable_keys),
        first_(rows.rows()) {}
  /// The key reduce is called with next (keys come in increasing order).
  void input_key(std::string_view key) {
    input_ = key;
    crash::reducing(key); // a crash in reduce names the key
  }
  void emit(std::string_view key, std::string_view value) override {
    if (uint64_values_ && value.size() != 8)
      throw std::runtime_error(
          "the job declares uint64 output values but reduce emitted a value of " +
          std::to_string(value.size()) + " bytes");
    if (in_order_) {
      // A row keyed by its reduce call's own key, after another such row, is
      // in order without a comparison (the input keys increase): the common
      // case costs no memcmp and no copy.
      const bool own = key.data() == input_.data() && key.size() == input_.size();
      if (emitted > 0 && !(own && last_own_) && key < last_)
        in_order_ = false;
      last_own_ = own;
      if (own && stable_) {
        last_ = key;
      } else {
        last_copy_.assign(key);
        last_ = last_copy_;
      }
    }
    rows_.add(key, value);
    ++emitted;
  }
  /// Sorts the rows emitted, if they came out of order.
  void finish() {
    if (!in_order_)
      rows_.sort_rows_since(first_);
  }
  std::uint64_t emitted = 0;

private:
  io::RowSpool &rows_;
  bool uint64_values_;
  bool stable_;
  std::uint64_t first_;
  std::string_view input_;
  bool in_order_ = true;
  bool last_own_ = false;
  std::string_view last_; // the last row's key
  std::string last_copy_;
};

/// Combines the pairs of `runs` by key into `table`: one entry per distinct
/// key. (Spreading the pairs first into cache-sized buckets by hash was
/// tried and measured slower: 0.9 s against 0.7 s for 4.9M pairs.)
void combine_all(Job &job, const std::vector<std::string_view> &runs,
                 core::CombineTable &table, std::uint64_t &pairs_in) {
  auto merge = [&job](std::string_view k, std::string_view a, std::string_view b,
                      std::string &merged) { job.combine(k, a, b, merged); };
  const core::MergeMode mode = merge_mode(job);
  const bool sums = mode == core::MergeMode::add_u64;
  std::array<core::HashedPair, core::CombineTable::kBatch> batch;
  std::size_t n = 0;
  for (std::string_view run : runs)
    core::for_each_pair(run, [&](std::string_view k, std::string_view v) {
      if (sums && v.size() != 8)
        throw std::runtime_error("a count of " + std::to_string(v.size()) +
                                 " bytes reached reduce (counts are 8 bytes)");
      batch[n++] = {core::hash_bytes(k), k, v};
      if (n == batch.size()) {
        table.insert_batch(batch.data(), n, mode, merge);
        n = 0;
      }
      ++pairs_in;
    });
  table.insert_batch(batch.data(), n, mode, merge);
}

} // namespace

ReduceStats reduce_partition(Job &job, const std::vector<std::string_view> &runs,
                             bool uint64_values, core::CombineTable &table,
                             ReduceWorkspace &work, io::RowSpool &rows) {
  ReduceStats stats;
  RowEmitter out(rows, uint64_values, true);

  if (job.combines()) {
    // The table's entries are sorted and reduced where they are; the table
    // is emptied once the rows are copied out.
    combine_all(job, runs, table, stats.pairs_in);
    core::RefVector &entries = work.refs;
    entries.clear();
    entries.reserve(table.size());
    table.for_each([&](std::string_view k, std::string_view v) {
      entries.push_back(core::make_ref(k, v));
    });
    core::sort_by_key(entries, false, work.scratch);
    // Keys in sorted order are scattered over the table's arena: fetch the
    // key (and its value, next to it) a few calls ahead.
    constexpr std::size_t kAhead = 8;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (i + kAhead < entries.size())
        __builtin_prefetch(entries[i + kAhead].key.data());
      const core::KeyValueRef &e = entries[i];
      out.input_key(e.key);
      job.reduce(e.key, std::span<const std::string_view>(&e.value, 1), out);
      ++stats.keys;
    }
    if (stats.keys)
      job.finish_partition(out);
    stats.rows_out = out.emitted;
    out.finish();
    table.clear();
    return stats;
  }
  // Counted first, for either way: whether keys repeat enough to group
  // them, and the refs sized at once (growing them by doubling would copy
  // them and hold up to twice their size: 40 bytes a pair, more than the
  // pairs' own bytes for word-sized keys; and first touches of memory cost).
  const core::KeyCensus census = core::take_census(runs);
  if (work.groups.group(runs, census)) {
    // Keys repeat (the usual case): grouped by hashing, only the distinct
    // keys sorted.
    const core::KeyGroups &groups = work.groups;
    stats.pairs_in = groups.pairs();
    for (std::size_t i = 0; i < groups.keys(); ++i) {
      const std::string_view key = groups.key(i);
      out.input_key(key);
      job.reduce(key, groups.values(i), out);
      ++stats.keys;
    }
    if (stats.keys)
      job.finish_partition(out);
  } else {
    // Mostly distinct keys: the pairs sorted.
    core::RefVector &pairs = work.refs;
    pairs.clear();
    pairs.reserve(census.pairs);
    for (std::string_view run : runs)
      core::for_each_pair(run, [&](std::string_view k, std::string_view v) {
        pairs.push_back(core::make_ref(k, v));
      });
    stats.pairs_in = pairs.size();
    core::sort_by_key(pairs, true, work.scratch);
    std::vector<std::string_view> values;
    for (std::size_t i = 0; i < pairs.size();) {
      // The key's first pair is its own, without comparing it with itself
      // (sort's 100-byte keys: a memcmp a record, 9% of its profile).
      values.assign(1, pairs[i].value);
      std::size_t j = i + 1;
      while (j < pairs.size() && core::same_key(pairs[j], pairs[i]))
        values.push_back(pairs[j++].value);
      out.input_key(pairs[i].key);
      job.reduce(pairs[i].key, values, out);
      ++stats.keys;
      i = j;
    }
    if (stats.keys)
      job.finish_partition(out);
  }
  stats.rows_out = out.emitted;
  out.finish();
  return stats;
}

ReduceStats reduce_runs(Job &job, std::vector<core::RunReader> &runs, bool uint64_values,
                        io::RowSpool &rows) {
  ReduceStats stats;
  RowEmitter out(rows, uint64_values, false);
  // A min-heap of the runs by their current pair (key, then value bytes):
  // equal keys come out together, their values in byte order.
  std::vector<std::size_t> heap;
  auto after = [&](std::size_t a, std::size_t b) {
    const int c = runs[a].key().compare(runs[b].key());
    return c != 0 ? c > 0 : runs[a].value() > runs[b].value();
  };
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (runs[i].next())
      heap.push_back(i);
  std::make_heap(heap.begin(), heap.end(), after);
  std::string key, merged;
  std::vector<std::string> values;
  std::vector<std::string_view> views;
  const bool combines = job.combines();
  const core::MergeMode mode = merge_mode(job);
  while (!heap.empty()) {
    key.assign(runs[heap.front()].key());
    values.clear();
    while (!heap.empty() && runs[heap.front()].key() == key) {
      std::pop_heap(heap.begin(), heap.end(), after);
      core::RunReader &r = runs[heap.back()];
      if (combines && !values.empty()) {
        merge_into(job, mode, key, values.front(), r.value(), merged);
      } else {
        values.emplace_back(r.value());
      }
      ++stats.pairs_in;
      if (r.next())
        std::push_heap(heap.begin(), heap.end(), after);
      else
        heap.pop_back();
    }
    views.assign(values.begin(), values.end());
    out.input_key(key);
    job.reduce(key, views, out);
    ++stats.keys;
  }
  if (stats.keys)
    job.finish_partition(out);
  stats.rows_out = out.emitted;
  out.finish();
  return stats;
}

} // namespace mr::engine
