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
#include <memory>
#include <stdexcept>
#include <string>

#include "core/child_process.h"
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
                               "in, key<TAB>value lines out")};
  }
  explicit Streaming(const mr::Params &p)
      : mapper_(mr::param(p, "mapper")), reducer_(mr::param(p, "reducer")) {
    for (const auto &[name, command] :
         {std::pair{"mapper", &mapper_}, {"reducer", &reducer_}})
      if (command->find_first_not_of(" \t") == std::string::npos)
        throw std::invalid_argument(std::string("parameter '") + name +
                                    "' is empty: give a command");
  }

  void start(const mr::InputInfo &input) override { input_ = input; }
  void start_task() override { child_.reset(); } // one left by a cancelled task

  void map(const mr::Record &r, mr::Emitter &out) override {
    if (!child_) {
      const std::string task = std::to_string(current_task());
      child_ = std::make_unique<mr::core::ChildProcess>(
          mapper_,
          mr::core::ChildProcess::Env{
              {"MR_TASK", task},
              {"MR_INPUT_FILE", std::string(input_.file_name(r.file))},
              {"MR_INPUT_OFFSET", std::to_string(r.offset)}},
          "mapper of task " + task);
    }
    auto emit = [&](std::string_view line) { emit_line(line, out); };
    try {
      child_->write(r.bytes, emit);
      child_->write("\n", emit);
    } catch (const std::runtime_error &e) {
      child_.reset();
      throw failure("mapper", mapper_, "task " + std::to_string(current_task()),
                    e.what());
    }
  }

  void finish_task(mr::Emitter &out) override {
    end("mapper", mapper_, "task " + std::to_string(current_task()), out);
  }

  void reduce(std::string_view key, std::span<const std::string_view> values,
              mr::Emitter &out) override {
    if (!child_) {
      const std::string partition = std::to_string(current_partition());
      child_ = std::make_unique<mr::core::ChildProcess>(
          reducer_, mr::core::ChildProcess::Env{{"MR_PARTITION", partition}},
          "reducer of partition " + partition);
    }
    auto emit = [&](std::string_view line) { emit_line(line, out); };
    try {
      for (std::string_view v : values) {
        child_->write(key, emit);
        child_->write("\t", emit);
        child_->write(v, emit);
        child_->write("\n", emit);
      }
    } catch (const std::runtime_error &e) {
      child_.reset();
      throw failure("reducer", reducer_,
                    "partition " + std::to_string(current_partition()), e.what());
    }
  }

  void finish_partition(mr::Emitter &out) override {
    end("reducer", reducer_, "partition " + std::to_string(current_partition()), out);
  }

private:
  void end(const char *role, const std::string &command, const std::string &where,
           mr::Emitter &out) {
    if (!child_)
      return;
    const std::string failed =
        child_->finish([&](std::string_view line) { emit_line(line, out); });
    child_.reset();
    if (!failed.empty())
      throw failure(role, command, where, failed);
  }
  static std::runtime_error failure(const char *role, const std::string &command,
                                    const std::string &where, const std::string &what) {
    return std::runtime_error(std::string("the ") + role + " of " + where + " ('" +
                              command + "') " + what);
  }

  std::string mapper_, reducer_;
  mr::InputInfo input_;
  std::unique_ptr<mr::core::ChildProcess> child_;
};

} // namespace

MR_REGISTER_JOB("streaming", Streaming,
                "map and reduce by commands in any language (key<TAB>value lines)");
