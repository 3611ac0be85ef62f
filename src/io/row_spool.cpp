// src/io/row_spool.cpp: see row_spool.h.
#include "io/row_spool.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace mr::io {

namespace {

template <class V> std::string_view bytes_of(const V &v) {
  return {reinterpret_cast<const char *>(v.data()), v.size() * 8};
}

} // namespace

RowSpool::RowSpool(std::uint64_t budget, std::string scratch_dir)
    : budget_(budget), scratch_dir_(std::move(scratch_dir)) {}

void RowSpool::add(std::string_view key, std::string_view value) {
  core::copy_bytes(keys_.extend(key.size()), key.data(), key.size());
  core::copy_bytes(values_.extend(value.size()), value.data(), value.size());
  key_offsets_.push_back(key_bytes());
  value_offsets_.push_back(value_bytes());
  ++rows_;
  if (key_bytes() + value_bytes() - block_start_bytes_ >= kBlockBytes) {
    block_ends_.push_back(rows_);
    block_start_bytes_ = key_bytes() + value_bytes();
  }
  // Vectors grow by doubling: sizes within half the budget keep their
  // capacities within it.
  if (budget_ && memory_bytes() * 2 > budget_)
    spill();
}

std::string_view RowSpool::memory(Stream s) const {
  switch (s) {
  case kKeys:
    return {keys_.data(), keys_.size()};
  case kValues:
    return {values_.data(), values_.size()};
  case kKeyOffsets:
    return bytes_of(key_offsets_);
  case kValueOffsets:
    return bytes_of(value_offsets_);
  }
  return {};
}

void RowSpool::hash_up_to(Span &span, std::uint64_t row, bool closing) {
  // Everything of the span not hashed yet is in memory: a spill hashes
  // first, and keeps the last offset entry.
  const std::uint64_t kfirst = spilled_[kKeyOffsets] / 8; // first entry in memory
  const std::uint64_t entries_end = closing ? row + 1 : row;
  if (entries_end > span.hashed_entries) {
    const std::size_t n = entries_end - span.hashed_entries;
    span.hash.key_offsets(key_offsets_.data() + (span.hashed_entries - kfirst), n,
                          span.key_base);
    span.hash.value_offsets(value_offsets_.data() + (span.hashed_entries - kfirst), n,
                            span.value_base);
    span.hashed_entries = entries_end;
  }
  const std::uint64_t keys_end = key_offsets_[row - kfirst];
  hash_bytes(span, keys_end, value_offsets_[row - kfirst]);
}

void RowSpool::hash_bytes(Span &span, std::uint64_t keys_end, std::uint64_t values_end) {
  span.hash.keys(memory(kKeys).substr(span.hashed_keys - spilled_[kKeys],
                                      keys_end - span.hashed_keys));
  span.hash.values(memory(kValues).substr(span.hashed_values - spilled_[kValues],
                                          values_end - span.hashed_values));
  span.hashed_keys = keys_end;
  span.hashed_values = values_end;
}

void RowSpool::restart(Span &span) {
  span = Span();
  span.first_row = span.hashed_entries = rows_;
  span.hashed_keys = span.key_base = key_bytes();
  span.hashed_values = span.value_base = value_bytes();
}

void RowSpool::close_blocks_up_to(std::uint64_t row) {
  std::size_t closed = 0;
  for (; closed < block_ends_.size() && block_ends_[closed] <= row; ++closed) {
    const std::uint64_t end = block_ends_[closed];
    hash_up_to(block_, end, true);
    block_checksums_.push_back(block_.hash.digest());
    block_rows_.push_back(end - block_.first_row);
    const std::uint64_t kfirst = spilled_[kKeyOffsets] / 8;
    Span next;
    next.first_row = next.hashed_entries = end;
    next.hashed_keys = next.key_base = key_offsets_[end - kfirst];
    next.hashed_values = next.value_base = value_offsets_[end - kfirst];
    block_ = next;
  }
  block_ends_.erase(block_ends_.begin(), block_ends_.begin() + closed);
}

void RowSpool::end_partition() {
  hash_up_to(partition_, rows_, true);
  checksums_.push_back(partition_.hash.digest());
  partition_rows_.push_back(rows_ - partition_.first_row);
  close_blocks_up_to(rows_);
  if (rows_ > block_.first_row) {
    hash_up_to(block_, rows_, true);
    block_checksums_.push_back(block_.hash.digest());
    block_rows_.push_back(rows_ - block_.first_row);
  }
  restart(partition_);
  restart(block_);
  block_start_bytes_ = key_bytes() + value_bytes();
}

bool RowSpool::drop_rows_since(std::uint64_t first) {
  if (first == rows_)
    return true;
  const std::uint64_t kfirst = spilled_[kKeyOffsets] / 8; // first entry in memory
  // Nothing of them hashed (a spill hashes what it writes) or on disk.
  if (first != partition_.first_row || partition_.hashed_entries != first ||
      first < kfirst)
    return false;
  keys_.truncate(key_offsets_[first - kfirst] - spilled_[kKeys]);
  values_.truncate(value_offsets_[first - kfirst] - spilled_[kValues]);
  key_offsets_.resize(first - kfirst + 1);
  value_offsets_.resize(first - kfirst + 1);
  rows_ = first;
  block_ends_.clear(); // all within the partition: a block never crosses one
  restart(partition_);
  restart(block_);
  block_start_bytes_ = key_bytes() + value_bytes();
  return true;
}

void RowSpool::spill() {
  hash_up_to(partition_, rows_, false);
  close_blocks_up_to(rows_);
  hash_up_to(block_, rows_, false);
  for (Stream s : {kKeys, kKeyOffsets, kValues, kValueOffsets}) {
    std::string_view bytes = memory(s);
    if (s == kKeyOffsets || s == kValueOffsets)
      bytes.remove_suffix(8); // the last entry stays (see hash_partition_so_far)
    if (bytes.empty())
      continue;
    if (!files_[s])
      files_[s] = std::make_unique<core::SpillFile>(scratch_dir_, "rows");
    files_[s]->append(bytes);
    spilled_[s] += bytes.size();
  }
  keys_.clear();
  values_.clear();
  key_offsets_.erase(key_offsets_.begin(), key_offsets_.end() - 1);
  value_offsets_.erase(value_offsets_.begin(), value_offsets_.end() - 1);
}

std::uint64_t RowSpool::spilled_bytes() const {
  return spilled_[0] + spilled_[1] + spilled_[2] + spilled_[3];
}

std::string_view RowSpool::view(Stream s, std::uint64_t from, std::uint64_t to,
                                std::vector<char> &scratch) const {
  const std::uint64_t on_disk = spilled_[s];
  const std::string_view mem = memory(s);
  if (from >= on_disk)
    return mem.substr(from - on_disk, to - from);
  scratch.resize(to - from);
  const std::uint64_t from_disk = std::min(to, on_disk) - from;
  files_[s]->read(from, from_disk, scratch.data());
  if (to > on_disk)
    std::copy_n(mem.data(), to - on_disk, scratch.data() + from_disk);
  return {scratch.data(), scratch.size()};
}

void RowSpool::read(Stream s, std::uint64_t from, std::uint64_t to, std::uint64_t chunk,
                    const std::function<void(std::string_view)> &f) const {
  if (s == kKeyOffsets || s == kValueOffsets)
    chunk = std::max<std::uint64_t>(8, chunk / 8 * 8);
  std::vector<char> scratch;
  for (std::uint64_t at = from; at < to;) {
    const std::uint64_t end = std::min(to, at + std::max<std::uint64_t>(chunk, 1));
    f(view(s, at, end, scratch));
    at = end;
  }
}

void RowSpool::sort_rows_since(std::uint64_t first) {
  const std::uint64_t kfirst = spilled_[kKeyOffsets] / 8;
  if (first < kfirst)
    throw std::runtime_error(
        "reduce emitted keys out of order in a partition too large to sort within "
        "--memory-limit: raise the limit, or use more --reducers");
  auto key = [&](std::uint64_t r) {
    const std::uint64_t a = key_offsets_[r - kfirst], b = key_offsets_[r + 1 - kfirst];
    return std::string_view(keys_.data() + (a - spilled_[kKeys]), b - a);
  };
  auto value = [&](std::uint64_t r) {
    const std::uint64_t a = value_offsets_[r - kfirst],
                        b = value_offsets_[r + 1 - kfirst];
    return std::string_view(values_.data() + (a - spilled_[kValues]), b - a);
  };
  std::vector<std::uint64_t> order(rows_ - first);
  std::iota(order.begin(), order.end(), first);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint64_t a, std::uint64_t b) { return key(a) < key(b); });
  std::vector<char> keys, values;
  for (std::uint64_t r : order) {
    const std::string_view k = key(r), v = value(r);
    keys.insert(keys.end(), k.begin(), k.end());
    values.insert(values.end(), v.begin(), v.end());
  }
  const std::uint64_t k0 = key_offsets_[first - kfirst],
                      v0 = value_offsets_[first - kfirst];
  std::vector<std::uint64_t> klen, vlen;
  for (std::uint64_t r : order) {
    klen.push_back(key(r).size());
    vlen.push_back(value(r).size());
  }
  std::copy(keys.begin(), keys.end(), keys_.data() + (k0 - spilled_[kKeys]));
  std::copy(values.begin(), values.end(), values_.data() + (v0 - spilled_[kValues]));
  std::uint64_t ko = k0, vo = v0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    key_offsets_[first + 1 + i - kfirst] = ko += klen[i];
    value_offsets_[first + 1 + i - kfirst] = vo += vlen[i];
  }
}

} // namespace mr::io
