// src/engine/partition_inbox.h: where a worker's share of the shuffle lands.
//
// The shuffle delivers, from each source, a stream of frames: partition id
// (u32), run length (u64), then that many bytes of packed pairs. The inbox
// keeps each (source, partition)'s pairs in memory up to its budget; beyond
// it, every partition's pairs received so far are sorted by key (combined,
// when the job combines) and appended to a spill file as one sorted run, to
// be merged in reduce (an external merge sort).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/big_memory.h"
#include "core/partitioner.h"
#include "core/sorted_run.h"
#include "core/spill_file.h"
#include "mr/job.h"

namespace mr::engine {

/// A frame's header: partition id (u32), run length (u64).
constexpr std::size_t kFrameHeader = 12;
std::array<char, kFrameHeader> frame_header(std::uint32_t partition,
                                            std::uint64_t length);

class PartitionInbox {
public:
  /// `budget`: bytes of received pairs kept in memory (0: no limit).
  PartitionInbox(Job &job, core::PartitionRange mine, int sources, std::uint64_t budget,
                 std::string scratch_dir);

  /// One of this worker's own runs of map output (partition p's pairs).
  struct OwnRun {
    std::uint32_t partition;
    std::string_view bytes;
  };
  /// Before the shuffle: this worker's runs for its own partitions, in the
  /// order of a stream from `source` (itself), which the shuffle then does
  /// not carry. When everything fits (expect() receives in place) they are
  /// read where they are, in the map output, which must outlive the reduce
  /// (own_in_place()); else finish() copies them in as that stream.
  void keep_own(int source, std::vector<OwnRun> runs);
  /// Whether the own runs are read where they are (known after expect()).
  bool own_in_place() const { return own_in_place_; }
  /// Sizes the buffers for `incoming[s]` bytes from each source s (spread
  /// over this worker's partitions as a hash spreads them), within budget.
  /// Returns where the shuffle may put all of them directly (when they fit
  /// in the budget; then finish() cuts them into frames), or nullptr.
  char *expect(const std::vector<std::uint64_t> &incoming);
  /// The next bytes of `source`'s stream (shuffle.h's Receiver).
  void receive(int source, std::string_view bytes);
  /// Checks that every stream ended between frames (and cuts what landed
  /// in place into frames, the own runs at their source's place).
  void finish();

  /// Whether some of partition p's pairs went to the spill file.
  bool spilled(std::uint32_t p) const { return !runs_[p - mine_.begin].empty(); }
  /// Partition p's pairs in memory, one piece per source (when not spilled).
  std::vector<std::string_view> pieces(std::uint32_t p) const;
  /// Spills what is left of partition p and returns readers of all its
  /// sorted runs, sharing `buffer_bytes` between them (when spilled).
  std::vector<core::RunReader> sorted_runs(std::uint32_t p, std::uint64_t buffer_bytes);
  /// Frees partition p's memory once it is reduced.
  void release(std::uint32_t p);
  /// Frees everything (after the reduce phase).
  void clear();

  std::uint64_t spilled_bytes() const { return file_ ? file_->size() : 0; }
  std::uint64_t spilled_runs() const { return spills_; }

private:
  struct Stream { // the frame being received from one source
    std::array<char, kFrameHeader> header{};
    std::size_t header_have = 0;
    std::uint32_t partition = 0;
    std::uint64_t left = 0; // payload bytes still to come
  };
  std::vector<char> &buffer(int source, std::uint32_t p) {
    return buffers_[static_cast<std::size_t>(source) * count_ + (p - mine_.begin)];
  }
  void spill_all();
  void spill_partition(std::uint32_t p);

  Job &job_;
  core::PartitionRange mine_;
  std::uint32_t count_;
  int sources_;
  std::uint64_t budget_;
  std::string scratch_dir_;
  std::vector<Stream> streams_;
  std::vector<std::vector<char>> buffers_; // [source][partition]
  std::uint64_t in_memory_ = 0;
  std::uint64_t fair_share_ = 0; // of the budget, for one (source, partition) buffer
  std::unique_ptr<core::SpillFile> file_;
  std::vector<std::vector<core::RunExtent>> runs_; // per partition
  // Received in place (when everything fits): the streams, one after the
  // other, and each partition's frames in them.
  core::BigBuffer in_place_;
  std::uint64_t in_place_bytes_ = 0;
  std::vector<std::uint64_t> incoming_;
  int own_source_ = -1;
  std::vector<OwnRun> own_;
  std::uint64_t own_bytes_ = 0; // as framed in a stream
  bool own_in_place_ = false;
  std::vector<std::vector<std::string_view>> frames_; // per partition
  std::uint64_t spills_ = 0;
};

} // namespace mr::engine
