// src/engine/drivers.cpp: see drivers.h.
#include "engine/drivers.h"

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>

#include "ckpt/durable_file.h"
#include "comm/comm.h"

namespace mr {

namespace {

struct Driver {
  JobEntry entry; // name, description, parameters (make unused)
  DriverFn run;
};

std::map<std::string, Driver> &drivers() {
  static std::map<std::string, Driver> d;
  return d;
}

} // namespace

bool register_driver(std::string name, std::string description, ParamSpecs params,
                     DriverFn run) {
  if (drivers().count(name) || find_job(name))
    throw std::logic_error("driver '" + name + "' registered twice");
  JobEntry entry{name, std::move(description), std::move(params), nullptr};
  drivers().emplace(name, Driver{std::move(entry), std::move(run)});
  return true;
}

} // namespace mr

namespace mr::engine {

namespace fs = std::filesystem;

const JobEntry *find_driver(const std::string &name) {
  const auto it = drivers().find(name);
  return it == drivers().end() ? nullptr : &it->second.entry;
}

std::vector<const JobEntry *> registered_drivers() {
  std::vector<const JobEntry *> out;
  for (const auto &[name, d] : drivers())
    out.push_back(&d.entry);
  return out;
}

StageResult run_stage_options(const RunOptions &o) {
  RunOutcome outcome;
  run_job(o, &outcome);
  StageResult r;
  r.exit_code = outcome.exit_code;
  r.already_complete = outcome.already_complete;
  r.rows = outcome.rows;
  r.counters = outcome.counters;
  r.counters_known = outcome.counters_recorded;
  return r;
}

namespace {

/// A file that marks OUTPUT.work as ours: a folder of that name without it
/// is the user's, and is never written into nor removed.
constexpr const char *kWorkMark = ".mapreduce-work";

class Context : public DriverContext {
public:
  Context(const RunOptions &o, Params params)
      : o_(o), params_(std::move(params)), world_(comm::Comm::world()) {}

  const std::vector<std::string> &inputs() const override { return o_.inputs; }
  const std::string &output() const override { return o_.output; }
  const Params &params() const override { return params_; }
  bool quiet() const override { return o_.quiet; }
  int rank() const override { return world_.rank(); }

  StageResult run(const Stage &stage, const std::string &name) override {
    RunOptions s = o_;
    s.job = stage.job;
    s.inputs = stage.inputs;
    s.output = stage.output;
    s.params = stage.params;
    if (stage.output != o_.output)
      s.report.clear(); // the run's report is its final output's stage's
    s.quiet = true;     // the driver says what its stages did
    // An intermediate output is the driver's: a fresh run replaces a stale
    // one; a resumed run keeps it when it is the stage's complete result.
    if (!work_.empty() && fs::path(stage.output).parent_path() == fs::path(work_))
      s.overwrite = !o_.resume;
    if (!o_.checkpoint_dir.empty()) {
      s.checkpoint_dir = (fs::path(o_.checkpoint_dir) / name).string();
      std::error_code ec;
      if (world_.rank() == 0)
        fs::create_directories(s.checkpoint_dir, ec);
    }
    world_.barrier();
    StageResult r = run_stage_options(s);
    if (world_.rank() == 0 && !s.checkpoint_dir.empty() && !o_.keep_checkpoint) {
      std::error_code ec;
      fs::remove(s.checkpoint_dir, ec); // only if the run left it empty
    }
    return r;
  }

  std::string work_dir() override {
    if (!work_.empty())
      return work_;
    const std::string dir = o_.output + ".work";
    int code = 0;
    std::string message;
    if (world_.rank() == 0) {
      std::error_code ec;
      if (fs::exists(dir, ec) && !fs::exists(fs::path(dir) / kWorkMark, ec)) {
        code = 1;
        message =
            "'" + dir + "' exists and is not a work folder of mapreduce: move it away";
      } else {
        fs::create_directories(dir, ec);
        std::FILE *f = std::fopen((fs::path(dir) / kWorkMark).c_str(), "a");
        if (ec || !f) {
          code = 1;
          message = "cannot make the work folder '" + dir + "'";
        }
        if (f)
          std::fclose(f);
      }
    }
    world_.broadcast(code, message, 0);
    if (code != 0)
      throw std::runtime_error(message);
    work_ = dir;
    return work_;
  }

  void save_text(const std::string &path, const std::string &text) override {
    int code = 0;
    std::string message;
    if (world_.rank() == 0)
      try {
        const std::string_view piece = text;
        ckpt::write_durably(path, std::span<const std::string_view>(&piece, 1));
      } catch (const std::exception &e) {
        code = 1;
        message = e.what();
      }
    world_.broadcast(code, message, 0); // every rank fails together
    if (code != 0)
      throw std::runtime_error(message);
  }

  std::string load_text(const std::string &path) override {
    int found = 0;
    std::string text;
    if (world_.rank() == 0) {
      std::error_code ec;
      if (fs::is_regular_file(path, ec)) {
        text = ckpt::read_whole_file(path);
        found = 1;
      }
    }
    world_.broadcast(found, text, 0);
    return text;
  }

  /// After success: the work folder goes, unless the checkpoint stays.
  void clean_up() {
    if (world_.rank() == 0 && !work_.empty() && !o_.keep_checkpoint &&
        fs::exists(fs::path(work_) / kWorkMark)) {
      std::error_code ec;
      fs::remove_all(work_, ec);
    }
    world_.barrier();
  }

private:
  const RunOptions &o_;
  Params params_;
  comm::Comm world_;
  std::string work_;
};

} // namespace

int run_driver(const RunOptions &o) {
  const comm::Comm world = comm::Comm::world();
  const Driver &d = drivers().at(o.job);
  int code = 0;
  std::string message;
  Params params;
  try {
    params = resolve_params(d.entry, o.params);
  } catch (const std::exception &e) {
    code = kExitRefused;
    message = e.what();
  }
  if (code != 0) {
    if (world.rank() == 0)
      std::fprintf(stderr, "mapreduce: error: %s\n", message.c_str());
    world.barrier();
    return code;
  }
  Context context(o, params);
  try {
    code = d.run(context);
  } catch (const std::invalid_argument &e) { // the driver refusing its parameters
    code = kExitRefused;
    message = "job " + o.job + ": " + e.what();
  } catch (const std::exception &e) {
    code = kExitFailed;
    message = "job " + o.job + ": " + e.what();
  }
  if (!message.empty() && world.rank() == 0)
    std::fprintf(stderr, "mapreduce: error: %s\n", message.c_str());
  code = static_cast<int>(world.max(static_cast<std::uint64_t>(code)));
  if (code == 0)
    context.clean_up();
  return code;
}

} // namespace mr::engine
