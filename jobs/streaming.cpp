// jobs/streaming.cpp: map and reduce by commands in any language, over
// stdin and stdout (Hadoop Streaming's protocol; docs/streaming.md).
//
//   mapreduce run streaming -i in.h5 -o out.h5 --param mapper='python3 map.py'
//     --param reducer='python3 reduce.py'
//
// Each command runs with /bin/sh -c on the worker, one process per map task
// (so a task's output depends on the task alone) and one per reduce
// partition. The mapper reads the task's lines, each ended by '\n'; the
// reducer reads the partition's pairs as `key<TAB>value\n`, sorted by key
// bytes, the values of a key in byte order (results never depend on the
// rank count). Both write `key<TAB>value\n` lines: the key ends at the
// first TAB (a line without one is all key, with an empty value), the
// value is the rest of the line. A command that exits non-zero or is
// killed, or stops reading its input, fails its task.
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/child_process.h"
#include "mr/codec.h"
#include "mr/params.h"
#include "mr/registry.h"

namespace {

/// Emits one output line of a command as a pair.
void emit_line(std::string_view line, mr::Emitter &out) {
  const auto tab = line.find('\t');
  if (tab == std::string_view::npos)
    out.emit(line, {});
  else
    out.emit(line.substr(0, tab), line.substr(tab + 1));
}

class Streaming : public mr::Job {
public:
  static mr::ParamSpecs parameters() {
    return {mr::required_param("mapper", "the map command (/bin/sh -c): lines in, "
                                         "key<TAB>value lines out"),
            mr::required_param("reducer",
                               "the reduce command: sorted key<TAB>value lines "
                               "in, key<TAB>value lines out"),
            {"combiner", "",
             "optional: a command run on each map task's output, sorted "
             "as the reducer's input; key<TAB>value lines out"},
            {"idle-timeout", "0",
             "seconds a command may go without taking input or writing "
             "output before it is killed and its task fails (0: no limit)"},
            {"max-line-mib", "64",
             "the longest line a command may write, in MiB: a longer one "
             "fails its task or partition (it is never held whole)"}};
  }
  explicit Streaming(const mr::Params &p)
      : mapper_(mr::param(p, "mapper")), reducer_(mr::param(p, "reducer")),
        combiner_(mr::param(p, "combiner")),
        idle_(static_cast<double>(mr::param_u64(p, "idle-timeout", 0, 30 * 24 * 3600))),
        max_line_mib_(mr::param_u64(p, "max-line-mib", 1, 1 << 20)) {
    for (const auto &[name, command] :
         {std::pair{"mapper", &mapper_}, {"reducer", &reducer_}})
      if (command->find_first_not_of(" \t") == std::string::npos)
        throw std::invalid_argument(std::string("parameter '") + name +
                                    "' is empty: give a command");
  }

  /// Lines and pairs (each given to the mapper as a line); not records.
  bool reads(mr::InputFormat f) const override { return f != mr::InputFormat::records; }

  void start(const mr::InputInfo &input) override { input_ = input; }
  void start_task() override { abandon_task(); }
  void abandon_task() override { // a cancelled or failed task's command goes
    task_child_.reset();
    map_failure_.clear();
    held_.clear();
    pairs_.clear();
  }

  void map(const mr::Record &r, mr::Emitter &out) override {
    if (!map_failure_.empty())
      return;                                 // the task fails at its end
    const std::string_view line = line_of(r); // throws for a pair no line can carry
    // Per record, only what the write needs: the task's name is made when
    // said, and the line callback once (each was an allocation a record).
    map_out_ = &out;
    auto task = [this] { return "task " + std::to_string(current_task()); };
    const mr::core::ChildProcess::LineFn &emit = map_emit_;
    // The records of each input (-i A -i B) go to a mapper of their own,
    // told which input it reads (MR_INPUT): a task may span two inputs.
    if (task_child_ && r.input != child_input_) {
      try {
        end(task_child_, "mapper", mapper_, task(), emit);
      } catch (const std::runtime_error &e) {
        map_failure_ = e.what();
        return;
      }
    }
    try {
      if (!task_child_) {
        task_child_ =
            start_command(mapper_,
                          {{"MR_TASK", std::to_string(current_task())},
                           {"MR_INPUT", std::to_string(r.input)},
                           {"MR_INPUT_FILE", std::string(input_.file_name(r.file))},
                           {"MR_INPUT_OFFSET", std::to_string(r.offset)}},
                          "mapper of " + task());
        child_input_ = r.input;
      }
      task_child_->write({line, "\n"}, emit);
    } catch (const std::runtime_error &e) {
      // The mapper's failure is the task's, not this record's (the command
      // reads ahead): thrown at the task's end, where no record is named,
      // so that --skip-bad-records looks for the record by mapping parts.
      task_child_.reset();
      map_failure_ = failure("mapper", mapper_, task(), e.what()).what();
    }
  }

  void finish_task(mr::Emitter &out) override {
    if (!map_failure_.empty())
      throw std::runtime_error(map_failure_);
    const std::string task = "task " + std::to_string(current_task());
    end(task_child_, "mapper", mapper_, task,
        [&](std::string_view line) { map_output(line, out); });
    if (combiner_.empty() || held_.empty())
      return;
    // The combiner reads the task's pairs as the reducer reads a partition's.
    std::vector<std::pair<std::string_view, std::string_view>> pairs;
    pairs.reserve(pairs_.size());
    for (const auto &[at, size] : pairs_) {
      const std::string_view line(held_.data() + at, size);
      const auto tab = line.find('\t');
      pairs.emplace_back(line.substr(0, tab), tab == std::string_view::npos
                                                  ? std::string_view()
                                                  : line.substr(tab + 1));
    }
    std::sort(pairs.begin(), pairs.end());
    task_child_ = start_command(combiner_, {{"MR_TASK", std::to_string(current_task())}},
                                "combiner of " + task);
    const mr::core::ChildProcess::LineFn emit = [&](std::string_view line) {
      emit_line(line, out);
    };
    try {
      for (const auto &[key, value] : pairs)
        task_child_->write({key, "\t", value, "\n"}, emit);
    } catch (const std::runtime_error &e) {
      task_child_.reset();
      throw failure("combiner", combiner_, task, e.what());
    }
    held_.clear();
    pairs_.clear();
    end(task_child_, "combiner", combiner_, task, emit);
  }

  void reduce(std::string_view key, std::span<const std::string_view> values,
              mr::Emitter &out) override {
    if (!reduce_child_) {
      const std::string partition = std::to_string(current_partition());
      reduce_child_ = start_command(reducer_, {{"MR_PARTITION", partition}},
                                    "reducer of partition " + partition);
    }
    // One std::function for the call (made per write, it cost more than
    // the write), one write a line.
    const mr::core::ChildProcess::LineFn emit = [&](std::string_view line) {
      emit_line(line, out);
    };
    try {
      // A key's values lie where their pairs arrived, scattered: fetch a
      // few ahead (each was a cache miss: 4% of a word count's samples).
      constexpr std::size_t kAhead = 16;
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (i + kAhead < values.size())
          __builtin_prefetch(values[i + kAhead].data());
        reduce_child_->write({key, "\t", values[i], "\n"}, emit);
      }
    } catch (const std::runtime_error &e) {
      reduce_child_.reset();
      throw failure("reducer", reducer_,
                    "partition " + std::to_string(current_partition()), e.what());
    }
  }

  void abandon_partition() override { reduce_child_.reset(); }

  void finish_partition(mr::Emitter &out) override {
    end(reduce_child_, "reducer", reducer_,
        "partition " + std::to_string(current_partition()),
        [&](std::string_view line) { emit_line(line, out); });
  }

private:
  /// Starts a command with the run's limits on idleness and line length.
  std::unique_ptr<mr::core::ChildProcess> start_command(const std::string &command,
                                                        mr::core::ChildProcess::Env env,
                                                        std::string stderr_prefix) const {
    // While the engine narrows a failed task down to its record, the
    // command fails again and again on purpose: its stderr is kept for the
    // message, not echoed each time.
    auto child = std::make_unique<mr::core::ChildProcess>(
        command, std::move(env), std::move(stderr_prefix), narrowing() ? 0 : 64 << 10);
    child->limit_idle(idle_);
    child->limit_line(static_cast<std::size_t>(max_line_mib_) << 20,
                      "raise it with --param max-line-mib=N");
    return child;
  }

  /// The line a record goes to the mapper as: a line as it is; a pair as
  /// key TAB value (a uint64 value in decimal). A pair the protocol cannot
  /// carry (a TAB or newline in its key, a newline in its value) fails map
  /// on that record.
  std::string_view line_of(const mr::Record &r) {
    const mr::InputInfo &in = input_.parts.empty() ? input_ : input_.parts[r.input];
    if (in.format != mr::InputFormat::pairs)
      return r.bytes;
    const std::string_view key = r.key();
    if (key.find_first_of("\t\n") != std::string_view::npos)
      throw std::runtime_error("its key holds a TAB or a newline: a streaming command "
                               "cannot be given it as a key<TAB>value line");
    line_.assign(key).append("\t");
    if (in.value_type == mr::ValueType::uint64) {
      line_.append(std::to_string(mr::read_u64(r.value)));
    } else {
      if (r.value.find('\n') != std::string_view::npos)
        throw std::runtime_error("its value holds a newline: a streaming command cannot "
                                 "be given it as a key<TAB>value line");
      line_.append(r.value);
    }
    return line_;
  }

  /// A mapper's line: a pair now, or, with a combiner, held for it (the
  /// task's mapper output is held in memory until the combiner reads it).
  void map_output(std::string_view line, mr::Emitter &out) {
    if (combiner_.empty()) {
      emit_line(line, out);
      return;
    }
    pairs_.emplace_back(held_.size(), line.size());
    held_.append(line);
  }

  static void end(std::unique_ptr<mr::core::ChildProcess> &child, const char *role,
                  const std::string &command, const std::string &where,
                  const mr::core::ChildProcess::LineFn &on_line) {
    if (!child)
      return;
    std::string failed;
    try {
      failed = child->finish(on_line);
    } catch (const std::runtime_error &e) { // stopped reading, or idle too long
      child.reset();
      throw failure(role, command, where, e.what());
    }
    child.reset();
    if (!failed.empty())
      throw failure(role, command, where, failed);
  }
  static std::runtime_error failure(const char *role, const std::string &command,
                                    const std::string &where, const std::string &what) {
    return std::runtime_error(std::string("the ") + role + " of " + where + " ('" +
                              command + "') " + what);
  }

  std::string mapper_, reducer_, combiner_;
  double idle_ = 0; // seconds a command may be idle (0: no limit)
  std::uint64_t max_line_mib_ = 64;
  // The mapper's lines go to map_output(line, *map_out_), the emitter of
  // the record being mapped.
  mr::Emitter *map_out_ = nullptr;
  const mr::core::ChildProcess::LineFn map_emit_ = [this](std::string_view line) {
    map_output(line, *map_out_);
  };
  std::string map_failure_;       // why the task's mapper failed, said at its end
  std::uint32_t child_input_ = 0; // the input (-i) task_child_ maps
  std::string line_;              // a pair as a line
  std::string held_;              // a task's mapper lines
  std::vector<std::pair<std::size_t, std::size_t>> pairs_; // (offset, size) in held_
  mr::InputInfo input_;
  // The running mapper or combiner of the current map task, and the
  // reducer of the current partition: apart, so that no pair of one phase
  // can ever reach the other's command.
  std::unique_ptr<mr::core::ChildProcess> task_child_, reduce_child_;
};

} // namespace

MR_REGISTER_JOB("streaming", Streaming,
                "map and reduce by commands in any language (key<TAB>value lines)");
