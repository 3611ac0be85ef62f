// src/engine/map_outputs.cpp: see map_outputs.h.
#include "engine/map_outputs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace mr::engine {

/// A committed map task's file, opened when first read. Only a few stay
/// open at once (a job may have 100,000 tasks; a process, 1,024 files).
class MapOutputStore::FileSource : public comm::ByteSource {
public:
  explicit FileSource(std::string path) : path_(std::move(path)) {}
  ~FileSource() override { close(); }
  void read(std::uint64_t offset, std::uint64_t n, char *dst) override {
    if (fd_ < 0)
      open();
    const std::int64_t got = core::read_at(fd_, offset, n, dst);
    if (got != static_cast<std::int64_t>(n))
      throw std::runtime_error("cannot read committed map output '" + path_ +
                               "': " + (got < 0 ? std::strerror(errno) : "cut short"));
  }

private:
  static constexpr std::size_t kMaxOpen = 64;
  static inline std::deque<FileSource *> open_; // oldest first

  void open() {
    if (open_.size() >= kMaxOpen)
      open_.front()->close();
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
      throw std::runtime_error("cannot open committed map output '" + path_ +
                               "': " + std::strerror(errno));
    open_.push_back(this);
  }
  void close() {
    if (fd_ < 0)
      return;
    ::close(fd_);
    fd_ = -1;
    for (auto it = open_.begin(); it != open_.end(); ++it)
      if (*it == this) {
        open_.erase(it);
        break;
      }
  }

  std::string path_;
  int fd_ = -1;
};

class MapOutputStore::ScratchSource : public comm::ByteSource {
public:
  explicit ScratchSource(core::SpillFile &f) : file_(f) {}
  void read(std::uint64_t offset, std::uint64_t n, char *dst) override {
    file_.read(offset, n, dst);
  }

private:
  core::SpillFile &file_;
};

MapOutputStore::MapOutputStore(std::uint64_t budget, std::string scratch_dir)
    : budget_(budget), scratch_dir_(std::move(scratch_dir)) {}

MapOutputStore::~MapOutputStore() = default;

void MapOutputStore::add(MapTaskOutput &&out, const std::string &committed,
                         const ckpt::TaskRuns &runs) {
  Task t;
  // Kept until the shuffle: only what they hold counts against the budget
  // (their doubling slack, ~40% on sort's records, made a default run spill).
  for (core::KvBuffer &b : out.partitions) {
    b.shrink_to_fit();
    t.bytes += b.capacity();
  }
  t.memory = std::move(out);
  if (!committed.empty()) {
    files_.push_back(std::make_unique<FileSource>(committed));
    t.file = files_.back().get();
    t.runs = runs;
  }
  in_memory_ += t.bytes;
  tasks_.push_back(std::move(t));
  while (budget_ && in_memory_ > budget_ && next_to_spill_ < tasks_.size())
    spill_oldest();
}

void MapOutputStore::add_committed(const std::string &path, const ckpt::TaskRuns &runs) {
  files_.push_back(std::make_unique<FileSource>(path));
  Task t;
  t.in_memory = false;
  t.file = files_.back().get();
  t.runs = runs;
  tasks_.push_back(std::move(t));
  if (next_to_spill_ + 1 == tasks_.size())
    ++next_to_spill_;
}

void MapOutputStore::drop_last() {
  Task &t = tasks_.back();
  if (t.in_memory)
    in_memory_ -= t.bytes;
  tasks_.pop_back();
  next_to_spill_ = std::min(next_to_spill_, tasks_.size());
  // A FileSource of a dropped task stays in files_ unused: it is never read.
}

void MapOutputStore::spill_oldest() {
  Task &t = tasks_[next_to_spill_++];
  if (!t.in_memory)
    return;
  if (!t.file) { // not committed anywhere: to the spill file
    if (!scratch_) {
      scratch_ = std::make_unique<core::SpillFile>(scratch_dir_, "map");
      scratch_source_ = std::make_unique<ScratchSource>(*scratch_);
    }
    t.runs = ckpt::TaskRuns{};
    for (const core::KvBuffer &b : t.memory.partitions) {
      t.runs.size.push_back(b.bytes().size());
      t.runs.offset.push_back(scratch_->append(b.bytes()));
    }
    t.file = scratch_source_.get();
  }
  in_memory_ -= t.bytes;
  t.memory = MapTaskOutput{};
  t.in_memory = false;
}

void MapOutputStore::keep_only(core::PartitionRange keep) {
  for (Task &t : tasks_) {
    if (!t.in_memory)
      continue;
    std::vector<core::KvBuffer> &parts = t.memory.partitions;
    for (std::uint32_t p = 0; p < parts.size(); ++p)
      if (p < keep.begin || p >= keep.end)
        parts[p] = core::KvBuffer{};
  }
}

void MapOutputStore::release_partition(std::uint32_t p) {
  for (Task &t : tasks_)
    if (t.in_memory && p < t.memory.partitions.size())
      t.memory.partitions[p] = core::KvBuffer{};
}

void MapOutputStore::clear() {
  tasks_.clear();
  next_to_spill_ = 0;
  in_memory_ = 0;
  files_.clear();
  scratch_source_.reset();
  scratch_.reset();
}

void MapOutputStore::flush() {
  if (scratch_)
    scratch_->flush();
}

} // namespace mr::engine
