// src/engine/map_outputs.h: the map task outputs a worker holds until the
// shuffle sends them. They stay in memory while they fit in the worker's
// budget; beyond it the oldest go to disk: a task committed to the
// checkpoint is simply read back from its committed file, any other is
// appended to a spill file. The shuffle reads them from there round by
// round (comm::ByteSource), so map output never has to fit in memory.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/checkpoint.h"
#include "comm/shuffle.h"
#include "core/hash.h"
#include "core/spill_file.h"
#include "engine/map_task.h"

namespace mr::engine {

class MapOutputStore {
public:
  /// `budget`: bytes of map output kept in memory (0: no limit).
  MapOutputStore(std::uint64_t budget, std::string scratch_dir);
  ~MapOutputStore();

  /// Keeps a task's output; `committed` is its file in the checkpoint
  /// (empty: none) and `runs` where its runs are in that file.
  void add(MapTaskOutput &&out, const std::string &committed, const ckpt::TaskRuns &runs);
  /// Keeps a committed task by reference only (its file is read when sent).
  void add_committed(const std::string &path, const ckpt::TaskRuns &runs);
  /// Forgets the task added last (another copy of it won).
  void drop_last();

  /// Calls f(piece) for the run of partition p of every task, in the order
  /// tasks were added (empty runs skipped).
  template <class F> void for_each_run(std::uint32_t p, F &&f);

  std::uint64_t spilled_bytes() const { return scratch_ ? scratch_->size() : 0; }
  /// Makes every spilled byte readable (before the shuffle).
  void flush();
  /// Frees everything (after the shuffle, or after the reduce when the
  /// worker's own runs were read in place).
  void clear();
  /// Frees the in-memory runs of every partition outside `keep` (after the
  /// shuffle, when the runs of `keep` are read where they are).
  void keep_only(core::PartitionRange keep);
  /// Frees partition p's in-memory runs (once it is reduced).
  void release_partition(std::uint32_t p);

private:
  class FileSource;
  class ScratchSource;
  struct Task {
    MapTaskOutput memory; // when in_memory
    bool in_memory = true;
    comm::ByteSource *file = nullptr; // else: its runs are here
    ckpt::TaskRuns runs;
    std::uint64_t bytes = 0; // memory it holds while in_memory
  };
  void spill_oldest();

  std::uint64_t budget_;
  std::string scratch_dir_;
  std::deque<Task> tasks_;
  std::size_t next_to_spill_ = 0; // tasks before it are on disk
  std::uint64_t in_memory_ = 0;
  std::unique_ptr<core::SpillFile> scratch_;
  std::unique_ptr<ScratchSource> scratch_source_;
  std::deque<std::unique_ptr<FileSource>> files_;
};

template <class F> void MapOutputStore::for_each_run(std::uint32_t p, F &&f) {
  for (const Task &t : tasks_) {
    if (t.in_memory) {
      const std::string_view run = t.memory.partitions[p].bytes();
      if (!run.empty())
        f(comm::Piece(run));
    } else if (t.runs.size[p] > 0) {
      f(comm::Piece(t.file, t.runs.offset[p], t.runs.size[p]));
    }
  }
}

} // namespace mr::engine
