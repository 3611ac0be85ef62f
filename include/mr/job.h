// include/mr/job.h: the interface every MapReduce job implements.
//
// A job turns input records into key/value pairs (map), may merge two values
// of one key into one (combine), and turns each key's values into output rows
// (reduce). Keys and values are byte strings: the engine never parses them.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

namespace mr {

/// Job parameters given on the command line as `--param name=value`.
using Params = std::map<std::string, std::string>;

/// Receives the key/value pairs that a map or reduce call produces.
class Emitter {
public:
  virtual ~Emitter() = default;
  /// Copies `key` and `value`; both may be reused by the caller afterwards.
  virtual void emit(std::string_view key, std::string_view value) = 0;
};

/// How the values of a job's output rows are stored in the output file and
/// printed by `mapreduce export`.
enum class ValueType {
  bytes,  ///< any byte string: `/values` (uint8) + `/value_offsets`
  uint64, ///< exactly 8 bytes made by mr::u64_bytes: `/values` (uint64)
};

/// Base class of every job. A job object is used by one thread of one rank.
///
/// ```
/// struct LineCount : mr::Job {
///   void map(std::string_view line, mr::Emitter& out) override {
///     out.emit("lines", mr::u64_bytes(1));
///   }
///   ...
/// };
/// ```
class Job {
public:
  virtual ~Job() = default;

  /// Called once per input record: a line without its `\n` (or `\r\n`).
  virtual void map(std::string_view record, Emitter &out) = 0;

  /// True if `combine` is implemented. The engine then merges the values of
  /// equal keys as early as it can (before the shuffle and before reduce), so
  /// `reduce` sees exactly one value per key.
  virtual bool combines() const { return false; }

  /// Merges two values of `key` into `merged`. Must be associative and
  /// commutative: the engine combines in whatever order data arrives.
  virtual void combine(std::string_view key, std::string_view a, std::string_view b,
                       std::string &merged) {
    (void)key, (void)a, (void)b, (void)merged;
  }

  /// Called once per distinct key, with all of its values (one value when the
  /// job combines). Keys arrive in byte order within a reduce partition.
  virtual void reduce(std::string_view key, std::span<const std::string_view> values,
                      Emitter &out) = 0;

  /// How output values are stored; see ValueType.
  virtual ValueType output_value_type() const { return ValueType::bytes; }
};

} // namespace mr
