// src/io/record_format.h: how an input's bytes are cut into records. One
// class a format, registered once in record_format.cpp (name as stored in
// the input and given to `import --format`, and the InputFormat a job
// declares): the planner, the map task, the sampler and import ask the
// format, and never test which one they hold. A new format is one class and
// one registration.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/splitter.h"
#include "mr/job.h"

namespace mr::io {

/// Whole records of an input, starting at byte `offset` of it: a map task's
/// input, or a piece read for the sample.
struct RecordBytes {
  std::string_view bytes;
  std::uint64_t offset = 0;
  const InputInfo *info = nullptr; // the file table (and the format's parameters)
};

/// [begin, end) of an input's bytes.
using ByteRange = std::pair<std::uint64_t, std::uint64_t>;

class RecordFormat {
public:
  virtual ~RecordFormat() = default;

  /// Calls f(record) for each record of `in`, with its offset and file
  /// index; returns the number of records.
  virtual std::uint64_t for_each(const RecordBytes &in,
                                 const std::function<void(const Record &)> &f) const = 0;

  /// Where the first record at or after byte `pos` of an input of `size`
  /// bytes starts (`size` when none does); tasks begin there.
  virtual std::uint64_t next_start(std::uint64_t pos, std::uint64_t size,
                                   const core::ReadBytes &read) const = 0;

  /// The task size to use for a split size of `split`: whole records.
  virtual std::uint64_t task_size(std::uint64_t split) const { return split; }

  /// About `want` records spread over an input of `size` bytes, in input
  /// order, for a sample of its keys; `random` is a fixed sequence.
  virtual std::vector<ByteRange> sample(std::uint64_t size, std::uint64_t want,
                                        const std::function<std::uint64_t()> &random,
                                        const core::ReadBytes &read) const = 0;

  /// Import: throws InputError when a file of `size` bytes cannot be held
  /// in this format; returns what to append after it ("\n" to end a last
  /// line, so that records never join across files, as `awk 1`).
  virtual std::string_view after_file(const std::string &path, std::uint64_t size,
                                      char last) const = 0;

  /// Throws InputError when an input of `size` bytes at `path`, with these
  /// parameters, is not a valid one of this format.
  virtual void check_input(const std::string &path, std::uint64_t size) const {
    (void)path, (void)size;
  }
};

/// The format that reads `info` (its InputFormat and parameters).
std::unique_ptr<RecordFormat> make_record_format(const InputInfo &info);

/// The name of a format, as stored in inputs and given to `import --format`
/// ("lines", "records", "tsv": the imported form of InputFormat::pairs).
std::string format_name(InputFormat f);

/// What a job of this InputFormat reads, for messages: "lines",
/// "fixed-size records", "key/value pairs".
std::string describe_format(InputFormat f);

/// The format stored or asked under `name`; throws InputError naming the
/// known ones when there is none.
InputFormat format_named(const std::string &name);

/// Every registered format's name, in registration order.
std::vector<std::string> format_names();

/// Adds a format; false when its name or InputFormat is taken. The built-in
/// ones are registered in record_format.cpp; tests may add their own.
using RecordFormatFactory =
    std::function<std::unique_ptr<RecordFormat>(const InputInfo &)>;
bool register_record_format(InputFormat format, const std::string &name,
                            RecordFormatFactory make);

/// Turns a record's bytes into a Record (its offset, and the file it comes
/// from, tracked as records cross file starts): the part every format's
/// for_each shares. Records must be given in input order.
class FileTracker {
public:
  explicit FileTracker(const RecordBytes &in);
  /// The record `bytes` (a view into in.bytes), with its offset and file.
  Record at(std::string_view bytes) {
    Record r{bytes,
             in_.offset + static_cast<std::uint64_t>(bytes.data() - in_.bytes.data()), 0};
    while (file_ + 1 < files_ && r.offset >= starts_[file_ + 1])
      ++file_;
    r.file = static_cast<std::uint32_t>(file_);
    return r;
  }

private:
  const RecordBytes &in_;
  const std::vector<std::uint64_t> &starts_;
  std::size_t files_;
  std::size_t file_;
};

} // namespace mr::io
