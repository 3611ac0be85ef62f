// include/mr/job.h: the interface every MapReduce job implements.
//
// A job turns input records into key/value pairs (map), may merge two values
// of one key into one (combine), and turns each key's values into output rows
// (reduce). Keys and values are byte strings: the engine never parses them.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mr {

/// Job parameters given on the command line as `--param name=value`, with the
/// defaults of the job's declared parameters filled in (see registry.h).
using Params = std::map<std::string, std::string>;

/// How an input's bytes are cut into records (chosen at `mapreduce import`).
enum class InputFormat {
  lines,   ///< a record is a line, without its "\n" or "\r\n"
  records, ///< a record is `record_size` bytes, as they are
  pairs,   ///< a record is a key and a value: a row of a run's output, or a
           ///< line of `mapreduce import --format tsv` (key TAB value)
};

/// How the values of a job's output rows are stored in the output file.
enum class ValueType {
  bytes,  ///< any byte string: `/values` (uint8) + `/value_offsets`
  uint64, ///< exactly 8 bytes made by mr::u64_bytes: `/values` (uint64)
};

/// One input record, as `map` receives it.
struct Record {
  std::string_view bytes;      ///< the record; for pairs, the key (valid during
                               ///< the map call only, as `value`)
  std::uint64_t offset;        ///< orders the records: for lines and records,
                               ///< its first byte's offset in the input
  std::uint32_t file;          ///< index of the imported file it comes from
  std::string_view value = {}; ///< pairs only: the value (a uint64 value as
                               ///< its 8 bytes: read it with mr::read_u64)
  std::uint32_t input = 0;     ///< which input (-i, in order from 0) it is of

  /// Pairs only: the key (the same bytes as `bytes`).
  std::string_view key() const { return bytes; }
};

/// What every rank knows of the input: its format and its table of files.
struct InputInfo {
  InputFormat format = InputFormat::lines;
  std::uint64_t record_size = 0; ///< for InputFormat::records
  /// For InputFormat::pairs: how the values are stored (uint64 in the output
  /// of a counting job; bytes in other outputs and in tsv imports).
  ValueType value_type = ValueType::bytes;
  std::vector<char> name_bytes; ///< file names, one after the other
  std::vector<std::uint64_t> name_offsets{0};
  std::vector<std::uint64_t> file_offsets{0}; ///< file i is [f_o[i], f_o[i+1])
  /// With several inputs (-i A -i B): each one's own info, in order (the
  /// fields above then describe them together: the files of all, and the
  /// format of the first). Empty with one input.
  std::vector<InputInfo> parts;

  std::size_t files() const { return file_offsets.size() - 1; }
  /// The path of file i as it was imported.
  std::string_view file_name(std::size_t i) const {
    return {name_bytes.data() + name_offsets[i], name_offsets[i + 1] - name_offsets[i]};
  }
  /// Offset of file i's first byte in the input.
  std::uint64_t file_begin(std::size_t i) const { return file_offsets[i]; }
};

/// Receives the key/value pairs that a map or reduce call produces.
class Emitter {
public:
  virtual ~Emitter() = default;
  /// Copies `key` and `value`; both may be reused by the caller afterwards.
  virtual void emit(std::string_view key, std::string_view value) = 0;
};

/// How `mapreduce export` prints the rows (always in key byte order).
enum class ExportFormat {
  key_tab_value, ///< key TAB value NEWLINE (uint64 values in decimal)
  value_lines,   ///< value NEWLINE (the key only orders the rows)
  raw_keys,      ///< the key bytes alone, no separator (fixed-size records)
  ranked,        ///< keys start with an 8-byte big-endian rank that orders
                 ///< the rows (mr::ranked_key); export prints the rest of
                 ///< the key TAB value (a top-n list, largest first)
};

/// Which reduce partition a key goes to.
enum class Partitioning {
  hash,   ///< a fixed hash of the key: balanced, stable across runs
  range,  ///< split points sampled from the input: partition p holds keys
          ///< below partition p+1's, so the output is globally sorted
  custom, ///< the job's own Job::partition
};

namespace detail {
struct JobAccess;
}

/// Base class of every job. One job object is made per rank (from the
/// parameters) and used by one thread.
///
/// ```
/// struct LineCount : mr::CountJob {        // mr/count_job.h: sums u64 counts
///   void map(const mr::Record &, mr::Emitter &out) override {
///     out.emit("lines", mr::u64_bytes(1));
///   }
/// };
/// ```
class Job {
public:
  virtual ~Job() = default;

  /// Called once on every rank before any map or reduce call.
  virtual void start(const InputInfo &input) { (void)input; }

  /// Called before each map task. A job that keeps state from one record to
  /// the next must reset it here: a task's output must depend on the task
  /// alone, since a task may be run twice (a backup copy), or its output
  /// taken from a checkpoint while its neighbours are mapped again.
  virtual void start_task() {}

  /// Called once per input record.
  virtual void map(const Record &record, Emitter &out) = 0;

  /// Called after a map task's last record, with the task's emitter: a job
  /// that holds records back (a streaming job's command) emits the rest.
  virtual void finish_task(Emitter &out) { (void)out; }

  /// Called instead of finish_task when a map task is given up before its
  /// end: another copy of it won (a backup), or map or finish_task threw.
  /// A job that holds resources for the task (a streaming job's running
  /// command) releases them here; the task's output is dropped by the engine.
  virtual void abandon_task() {}

  /// Merges two values of `key` into `merged`. A job combines exactly when its
  /// class overrides this: the engine then merges the values of equal keys as
  /// early as it can (in each map task, across a worker's tasks before the
  /// shuffle, and before reduce), so `reduce` sees one value per key. Must be
  /// associative and commutative. Count in map or reduce, not here: counts
  /// are committed with a map task or a reduce partition, so the engine does
  /// not combine across tasks for a job whose combine changes its counters
  /// (a resumed run could count those twice); clean counts its duplicates in
  /// reduce from a count carried in each value.
  virtual void combine(std::string_view key, std::string_view a, std::string_view b,
                       std::string &merged);

  /// Called once per distinct key, with all of its values (one value when the
  /// job combines; otherwise sorted by bytes, so that results never depend on
  /// the rank count). Keys arrive in byte order within a reduce partition.
  virtual void reduce(std::string_view key, std::span<const std::string_view> values,
                      Emitter &out) = 0;

  /// Called after the last reduce call of a reduce partition (not for a
  /// partition without keys), with the partition's emitter.
  virtual void finish_partition(Emitter &out) { (void)out; }

  /// Called instead of finish_partition when reduce or finish_partition
  /// threw: the partition is tried again (its rows so far are dropped), so a
  /// job that holds resources for it (a streaming reducer) releases them.
  virtual void abandon_partition() {}

  /// The map task being mapped (its number in the run's plan) and the
  /// reduce partition being reduced, for a job that says where it is.
  std::uint64_t current_task() const { return task_; }
  std::uint32_t current_partition() const { return partition_; }
  /// True while the engine maps parts of a failed task again to find the
  /// record it fails on (--skip-bad-records): the same failure then
  /// happens many times on purpose, so a job that echoes what its code
  /// prints (a streaming command's stderr) may keep quiet.
  bool narrowing() const { return narrowing_; }

  /// Which input format the job reads; the engine refuses any other. A job
  /// that returns InputFormat::pairs reads the output of another run (or a
  /// tsv import): map gets each row's key and value (Record::key, value).
  virtual InputFormat input_format() const { return InputFormat::lines; }
  /// A job that reads several inputs of given formats (a join: two) lists
  /// them, in -i order; the run then needs exactly that many, each of its
  /// format. Empty (the default): one or more inputs, all input_format().
  virtual std::vector<InputFormat> input_formats() const { return {}; }
  /// Without input_formats(): whether the job reads inputs of format `f`
  /// (by default, input_format() alone). The streaming job reads lines and
  /// pairs alike.
  virtual bool reads(InputFormat f) const { return f == input_format(); }
  virtual ValueType output_value_type() const { return ValueType::bytes; }
  virtual ExportFormat export_format() const { return ExportFormat::key_tab_value; }
  virtual Partitioning partitioning() const { return Partitioning::hash; }

  /// With Partitioning::custom: the reduce partition of `key`, below
  /// `partitions`. It must depend on the key and the count alone: every rank
  /// asks it, and a resumed run must get the same answers. A partition out
  /// of range ends the run with a message naming the key.
  virtual std::uint32_t partition(std::string_view key, std::uint32_t partitions) const {
    (void)key, (void)partitions;
    return 0;
  }

  /// Optional: when true, rank 0 reads the finished output back, calls
  /// `summarize_row` for every row, then prints `summary()` to stdout.
  virtual bool summarizes() const { return false; }
  virtual void summarize_row(std::string_view key, std::string_view value) {
    (void)key, (void)value;
  }
  virtual std::string summary() { return {}; }

  /// True when the job's class overrides `combine`.
  bool combines() const { return combines_; }

  /// True when `combine` adds 8-byte counts (mr::u64_bytes), as mr::CountJob's
  /// does: the engine then adds them itself, in place, without calling
  /// combine (word count's map phase: 16% faster). Every value the job emits
  /// from map must then be 8 bytes.
  virtual bool combine_sums_u64() const { return false; }

  /// True when `combine` appends: merged = a + b, the bytes of a then those
  /// of b (a list of items, such as the file ids of an inverted index). The
  /// engine then appends in place, in a value that grows by doubling,
  /// without calling combine: merging a growing value by copying it costs
  /// its size at every repeat, so a key met n times would cost n^2. It
  /// appends across a worker's tasks and before reduce, not within each
  /// map task (appending keeps every value byte: a task's table would save
  /// only the repeated keys, for an insert a pair). The pieces arrive in
  /// no fixed order (it depends on which worker mapped which task), so
  /// reduce must not depend on it: sort the items there.
  virtual bool combine_appends() const { return false; }

  /// A named count (malformed records, duplicates, ...): summed over the
  /// ranks, printed by rank 0 and written to the job report. The reference
  /// stays valid for the job's life, so keep it rather than look it up.
  std::uint64_t &counter(const std::string &name) { return counters_[name]; }
  const std::map<std::string, std::uint64_t> &counters() const { return counters_; }

private:
  friend struct detail::JobAccess;
  bool combines_ = false;
  std::uint64_t task_ = 0;
  std::uint32_t partition_ = 0;
  bool narrowing_ = false;
  std::map<std::string, std::uint64_t> counters_;
};

inline void Job::combine(std::string_view, std::string_view, std::string_view,
                         std::string &) {
  // Unreachable: the engine calls combine only when a class overrides it.
}

} // namespace mr
