// src/io/input.h: what a run reads, whatever file holds it: an imported
// input (input_file.h: bytes cut into lines, records or tsv pairs) or the
// output of an earlier run (pairs_input.h: its rows, each a key and a
// value). The planner, the sampler and the workers see only this.
//
// Every input is a sequence of bytes [0, size()) that its RecordFormat cuts
// into records; tasks are ranges of it that begin where a record does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <mpi.h>

#include "io/record_format.h"
#include "mr/job.h"

namespace mr::io {

class Input {
public:
  virtual ~Input() = default;

  virtual std::uint64_t size() const = 0;
  /// Format and file table (read from the file at open).
  virtual const InputInfo &info() const = 0;
  /// How its bytes are cut into records.
  virtual const RecordFormat &format() const = 0;
  /// Reads bytes [offset, offset + count) into dst (independent I/O).
  virtual void read(std::uint64_t offset, std::uint64_t count, char *dst) const = 0;
  /// As read, checked against the file's checksums; throws InputError naming
  /// the damaged part and the files it holds.
  virtual void read_verified(std::uint64_t offset, std::uint64_t count,
                             char *dst) const = 0;
  /// False for files written before checksums existed.
  virtual bool verifiable() const = 0;
  /// What bytes [begin, end) hold, for messages: "'a.txt', 'b.txt'".
  virtual std::string files_between(std::uint64_t begin, std::uint64_t end) const = 0;
  /// A digest of what identifies the content beyond the file table (the
  /// checksums of an output's rows; empty for imported inputs, whose
  /// identity is their file table): part of the resume fingerprint.
  virtual std::string content_digest() const { return {}; }
  /// What it is, for messages: "an imported input" or "the output of job X".
  virtual std::string kind() const = 0;
};

/// Opens `paths` as one input: open_input of one path, or a MultiInput of
/// them all (io/multi_input.h).
std::unique_ptr<Input> open_inputs(const std::vector<std::string> &paths,
                                   MPI_Comm comm = MPI_COMM_NULL);

/// Opens `path`, an imported input or a run's output, and checks it; throws
/// InputError naming the problem. With a communicator, opens through MPI-IO,
/// collectively over it.
std::unique_ptr<Input> open_input(const std::string &path, MPI_Comm comm = MPI_COMM_NULL);

} // namespace mr::io
