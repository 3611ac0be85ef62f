// src/io/pairs_input.h: the output of a run read as the input of another.
//
// Its rows are the records: map gets each row's key and value. The rows are
// presented as a byte sequence that exists only in memory, each row as
//
//   key length (u64 LE) | value length (u64 LE) | key bytes | value bytes
//
// so row r starts at byte key_offsets[r] + value_offsets[r] + 16 r, and the
// planner, the sampler and the workers treat it as any other input. Tasks
// are whole checksum blocks (output_file.h: /block_rows; in outputs written
// before blocks, whole partitions), so every task checks the blocks it reads
// against their checksums, as a task of an imported input does.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "io/h5.h"
#include "io/input.h"
#include "io/output_file.h"

namespace mr::io {

class PairsInput : public Input {
public:
  /// Opens and checks the output file `path`; throws InputError.
  static std::unique_ptr<PairsInput> open(const std::string &path,
                                          MPI_Comm comm = MPI_COMM_NULL);

  std::uint64_t size() const override { return block_pos_.back(); }
  const InputInfo &info() const override { return info_; }
  const RecordFormat &format() const override { return *format_; }
  /// Whole blocks only: `offset` and `offset + count` must be block starts
  /// (where tasks and samples begin and end); throws InputError otherwise.
  void read(std::uint64_t offset, std::uint64_t count, char *dst) const override;
  void read_verified(std::uint64_t offset, std::uint64_t count, char *dst) const override;
  bool verifiable() const override { return verifiable_; }
  std::string files_between(std::uint64_t begin, std::uint64_t end) const override;
  std::string content_digest() const override;
  std::string kind() const override { return "the output of job " + meta_.job; }

  const OutputMeta &meta() const { return meta_; }
  std::uint64_t rows() const { return block_rows_.back(); }

private:
  void read_blocks(std::uint64_t offset, std::uint64_t count, char *dst,
                   bool verify) const;
  /// Serializes block b's rows into dst; checks its checksum when `verify`.
  void read_block(std::size_t b, char *dst, bool verify) const;
  std::size_t block_at(std::uint64_t pos) const;
  std::string rows_text(std::size_t b) const;

  std::string path_;
  OutputMeta meta_;
  Handle file_, keys_, key_offsets_, values_, value_offsets_;
  std::uint64_t key_bytes_ = 0, value_bytes_ = 0;
  InputInfo info_;
  std::unique_ptr<RecordFormat> format_;
  // Block b holds rows [block_rows_[b], block_rows_[b+1]) and starts at
  // byte block_pos_[b] of the input; checksums_ empty: unverifiable.
  std::vector<std::uint64_t> block_rows_, block_pos_, checksums_;
  bool verifiable_ = false;
};

/// Bytes a row takes in the pairs byte sequence besides its key and value.
constexpr std::uint64_t kPairHeaderBytes = 16;

} // namespace mr::io
