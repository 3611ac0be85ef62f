// src/engine/partition_inbox.cpp: see partition_inbox.h.
#include "engine/partition_inbox.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/key_sort.h"
#include "core/kv_buffer.h"
#include "engine/merge_mode.h"

namespace mr::engine {

std::array<char, kFrameHeader> frame_header(std::uint32_t partition,
                                            std::uint64_t length) {
  std::array<char, kFrameHeader> h;
  std::memcpy(h.data(), &partition, 4);
  std::memcpy(h.data() + 4, &length, 8);
  return h;
}

PartitionInbox::PartitionInbox(Job &job, core::PartitionRange mine, int sources,
                               std::uint64_t budget, std::string scratch_dir)
    : job_(job), mine_(mine), count_(mine.end - mine.begin), sources_(sources),
      budget_(budget), scratch_dir_(std::move(scratch_dir)),
      streams_(static_cast<std::size_t>(sources)),
      buffers_(static_cast<std::size_t>(sources) * count_), runs_(count_) {}

void PartitionInbox::keep_own(int source, std::vector<OwnRun> runs) {
  own_source_ = source;
  own_ = std::move(runs);
  own_bytes_ = 0;
  for (const OwnRun &r : own_)
    own_bytes_ += kFrameHeader + r.bytes.size();
}

char *PartitionInbox::expect(const std::vector<std::uint64_t> &incoming) {
  if (count_ == 0)
    return nullptr;
  std::uint64_t total = 0;
  for (std::uint64_t b : incoming)
    total += b;
  // Everything fits (the own runs counted as if sent): MPI writes it where
  // it stays (no copy of ours), and the own runs stay where they are.
  if (budget_ == 0 || total + own_bytes_ <= budget_ / 2) {
    incoming_ = incoming;
    in_place_bytes_ = total;
    in_place_ = core::big_buffer(total + 1); // uninitialised: MPI fills it
    own_in_place_ = true;
    return in_place_.get();
  }
  // Else pairs are copied into per-partition buffers, which spill. Growing
  // them by doubling would hold up to twice the bytes received; a few
  // percent over an even share covers the imbalance of a hash.
  fair_share_ = budget_ / 2 / (static_cast<std::uint64_t>(sources_) * count_);
  for (int s = 0; s < sources_; ++s) {
    std::uint64_t share = incoming[static_cast<std::size_t>(s)] / count_;
    share += share / 32 + 4096;
    if (budget_)
      share = std::min<std::uint64_t>(share, fair_share_);
    for (std::uint32_t p = mine_.begin; p < mine_.end; ++p)
      buffer(s, p).reserve(share);
  }
  return nullptr;
}

void PartitionInbox::receive(int source, std::string_view bytes) {
  Stream &s = streams_[static_cast<std::size_t>(source)];
  while (!bytes.empty()) {
    if (s.left == 0) { // between frames: (the rest of) a header
      const std::size_t k = std::min(kFrameHeader - s.header_have, bytes.size());
      std::memcpy(s.header.data() + s.header_have, bytes.data(), k);
      s.header_have += k;
      bytes.remove_prefix(k);
      if (s.header_have < kFrameHeader)
        return;
      s.header_have = 0;
      std::memcpy(&s.partition, s.header.data(), 4);
      std::memcpy(&s.left, s.header.data() + 4, 8);
      if (s.partition < mine_.begin || s.partition >= mine_.end || s.left == 0)
        throw std::runtime_error("shuffle delivered a frame that is not ours");
      continue;
    }
    const std::size_t k =
        static_cast<std::size_t>(std::min<std::uint64_t>(s.left, bytes.size()));
    std::vector<char> &b = buffer(source, s.partition);
    b.insert(b.end(), bytes.data(), bytes.data() + k);
    bytes.remove_prefix(k);
    s.left -= k;
    in_memory_ += k;
    // Buffers grow by doubling: sizes within half the budget keep their
    // capacities within it.
    if (budget_ && in_memory_ * 2 > budget_)
      spill_all();
  }
}

void PartitionInbox::finish() {
  if (!own_in_place_) { // the own runs as their stream would have brought them
    for (const OwnRun &r : own_) {
      const auto header = frame_header(r.partition, r.bytes.size());
      receive(own_source_, {header.data(), header.size()});
      receive(own_source_, r.bytes);
    }
    own_ = {};
  }
  for (const Stream &s : streams_)
    if (s.left != 0 || s.header_have != 0)
      throw std::runtime_error("shuffle stream is cut inside a frame");
  if (!in_place_)
    return;
  frames_.assign(count_, {});
  const char *at = in_place_.get();
  for (std::size_t source = 0; source < incoming_.size(); ++source) {
    if (static_cast<int>(source) == own_source_)
      for (const OwnRun &r : own_) {
        if (r.partition < mine_.begin || r.partition >= mine_.end)
          throw std::logic_error("an own run of a partition that is not ours");
        if (!r.bytes.empty())
          frames_[r.partition - mine_.begin].push_back(r.bytes);
      }
    const char *end = at + incoming_[source];
    while (at < end) {
      if (static_cast<std::uint64_t>(end - at) < kFrameHeader)
        throw std::runtime_error("shuffle stream is cut inside a frame header");
      std::uint32_t p;
      std::uint64_t len;
      std::memcpy(&p, at, 4);
      std::memcpy(&len, at + 4, 8);
      at += kFrameHeader;
      if (p < mine_.begin || p >= mine_.end || len > static_cast<std::uint64_t>(end - at))
        throw std::runtime_error("shuffle delivered a frame that is not ours");
      frames_[p - mine_.begin].emplace_back(at, len);
      at += len;
    }
  }
}

void PartitionInbox::clear() {
  in_place_.reset();
  in_place_bytes_ = 0;
  own_ = {};
  own_in_place_ = false;
  frames_.clear();
  buffers_.clear();
  buffers_.resize(static_cast<std::size_t>(sources_) * count_);
  in_memory_ = 0;
}

std::vector<std::string_view> PartitionInbox::pieces(std::uint32_t p) const {
  if (in_place_)
    return frames_[p - mine_.begin];
  std::vector<std::string_view> out;
  for (int s = 0; s < sources_; ++s) {
    const std::vector<char> &b =
        buffers_[static_cast<std::size_t>(s) * count_ + (p - mine_.begin)];
    if (!b.empty())
      out.emplace_back(b.data(), b.size());
  }
  return out;
}

void PartitionInbox::release(std::uint32_t p) {
  if (in_place_) {
    // Its frames (with their headers) lie in runs in the streams; the pages
    // wholly inside a run hold nothing else, and serve the output rows next.
    // Own runs (in the map output, not in the streams) are left alone.
    std::vector<std::string_view> &frames = frames_[p - mine_.begin];
    char *base = in_place_.get();
    const char *limit = base + in_place_bytes_;
    auto at = [&](const char *q) { return base + (q - base); }; // the same, writable
    auto received = [&](std::string_view f) {
      const auto a = reinterpret_cast<std::uintptr_t>(f.data());
      return a >= reinterpret_cast<std::uintptr_t>(base) + kFrameHeader &&
             a + f.size() <= reinterpret_cast<std::uintptr_t>(limit);
    };
    for (std::size_t i = 0; i < frames.size();) {
      if (!received(frames[i])) {
        ++i;
        continue;
      }
      const char *begin = frames[i].data() - kFrameHeader;
      const char *end = frames[i].data() + frames[i].size();
      for (++i; i < frames.size() && received(frames[i]) &&
                frames[i].data() == end + kFrameHeader;
           ++i)
        end = frames[i].data() + frames[i].size();
      core::release_pages(at(begin), at(end));
    }
    frames = {};
    return;
  }
  for (int s = 0; s < sources_; ++s) {
    std::vector<char> &b = buffer(s, p);
    in_memory_ -= b.size();
    std::vector<char>().swap(b);
  }
}

void PartitionInbox::spill_all() {
  for (std::uint32_t p = mine_.begin; p < mine_.end; ++p)
    spill_partition(p);
}

// About 90 lines on purpose: reassembling pairs cut by rounds, sorting,
// combining and writing one run share the partition's buffers; split, the
// hand-offs would hide which buffer is alive when (the memory limit's point).
void PartitionInbox::spill_partition(std::uint32_t p) {
  // Whole pairs only: a frame may be cut anywhere by the rounds, and the
  // rest of a pair arrives later.
  std::vector<std::string_view> whole(static_cast<std::size_t>(sources_));
  bool any = false;
  for (int s = 0; s < sources_; ++s) {
    const std::vector<char> &b = buffer(s, p);
    whole[static_cast<std::size_t>(s)] =
        std::string_view(b.data(), core::whole_pairs_prefix({b.data(), b.size()}));
    any = any || !whole[static_cast<std::size_t>(s)].empty();
  }
  if (!any)
    return;
  if (!file_)
    file_ = std::make_unique<core::SpillFile>(scratch_dir_, "runs");
  const std::uint64_t start = file_->size();
  core::KvBuffer pair; // one pair at a time, in the run format
  auto append = [&](std::string_view k, std::string_view v) {
    pair.clear();
    pair.append(k, v);
    file_->append(pair.bytes());
  };
  // Sorted through 16 bytes a pair (key prefix, where the pair is): a hash
  // table or full views would take 3-4 times the pairs' own size, which is
  // what the limit is for.
  struct Entry {
    std::uint64_t prefix;
    const char *pair;
  };
  std::vector<Entry> entries;
  for (std::string_view w : whole) {
    const char *p = w.data(), *end = p + w.size();
    while (p < end) {
      const char *at = p;
      std::string_view k, v;
      core::read_pair(p, end, k, v);
      entries.push_back({core::key_prefix(k), at});
    }
  }
  auto pair_at = [](const char *at, std::string_view &k, std::string_view &v) {
    core::read_pair(at, at + (1ull << 62), k, v); // whole: checked above
  };
  std::sort(entries.begin(), entries.end(), [&](const Entry &a, const Entry &b) {
    if (a.prefix != b.prefix)
      return a.prefix < b.prefix;
    std::string_view ka, va, kb, vb;
    pair_at(a.pair, ka, va);
    pair_at(b.pair, kb, vb);
    return ka != kb ? ka < kb : va < vb;
  });
  const bool combines = job_.combines();
  const core::MergeMode mode = merge_mode(job_);
  std::string key, value, merged;
  bool open = false;
  for (const Entry &e : entries) {
    std::string_view k, v;
    pair_at(e.pair, k, v);
    if (!combines) {
      append(k, v);
    } else if (open && k == key) {
      merge_into(job_, mode, key, value, v, merged);
    } else {
      if (open)
        append(key, value);
      key.assign(k);
      value.assign(v);
      open = true;
    }
  }
  if (open)
    append(key, value);
  runs_[p - mine_.begin].push_back({start, file_->size() - start});
  ++spills_;
  for (int s = 0; s < sources_; ++s) {
    std::vector<char> &b = buffer(s, p);
    const std::size_t used = whole[static_cast<std::size_t>(s)].size();
    b.erase(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(used));
    in_memory_ -= used;
    // A source's stream brings one partition's frame after another, so one
    // buffer may have grown far past its share before the spill: give the
    // memory back, or every buffer ends up keeping its largest size (with
    // 4 partitions a worker: 1.6x the limit at the shuffle's peak).
    if (budget_ && b.capacity() > fair_share_) {
      std::vector<char> smaller;
      smaller.reserve(std::max<std::size_t>(b.size(), fair_share_));
      smaller.assign(b.begin(), b.end());
      b.swap(smaller);
    }
  }
}

std::vector<core::RunReader> PartitionInbox::sorted_runs(std::uint32_t p,
                                                         std::uint64_t buffer_bytes) {
  spill_partition(p);
  release(p);
  file_->flush();
  const auto &runs = runs_[p - mine_.begin];
  const std::uint64_t each = std::max<std::uint64_t>(4096, buffer_bytes / runs.size());
  std::vector<core::RunReader> readers;
  for (const core::RunExtent &r : runs)
    readers.emplace_back(*file_, r, each);
  return readers;
}

} // namespace mr::engine
