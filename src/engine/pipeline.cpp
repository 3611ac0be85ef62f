// src/engine/pipeline.cpp: see pipeline.h.
#include "engine/pipeline.h"

#include <cstdio>
#include <filesystem>
#include <set>

#include "comm/comm.h"

namespace mr::engine {

namespace fs = std::filesystem;

namespace {

std::string same_file_key(const std::string &path) {
  std::error_code ec;
  return fs::weakly_canonical(fs::absolute(path, ec), ec).string();
}

} // namespace

std::vector<std::string> intermediates(const std::vector<RunOptions> &stages) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const std::string mine = same_file_key(stages[i].output);
    bool read_later = false;
    for (std::size_t j = i + 1; j < stages.size() && !read_later; ++j)
      for (const std::string &in : stages[j].inputs)
        read_later = read_later || same_file_key(in) == mine;
    if (read_later)
      out.push_back(stages[i].output);
  }
  return out;
}

int run_pipeline(std::vector<RunOptions> stages, const PipelineOptions &p) {
  const comm::Comm world = comm::Comm::world();
  const bool root = world.rank() == 0;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    RunOptions &o = stages[i];
    if (!p.checkpoint_dir.empty()) {
      // A folder a stage: the stages' manifests never meet. Made by rank 0
      // before the stage is planned (every rank reads it only after that).
      o.checkpoint_dir =
          (fs::path(p.checkpoint_dir) / ("stage-" + std::to_string(i + 1))).string();
      std::error_code ec;
      if (root)
        fs::create_directories(o.checkpoint_dir, ec);
      o.resume = p.resume;
      o.restart_fresh = p.restart_fresh;
      o.keep_checkpoint = p.keep_checkpoint;
    }
    if (root && !p.quiet)
      std::fprintf(stderr, "pipeline: stage %zu of %zu: %s -> %s\n", i + 1, stages.size(),
                   o.job.c_str(), o.output.c_str());
    world.barrier();
    // Every rank learns the same verdict: rank 0 alone may fail late (its
    // report), and a rank that went on alone would wait forever.
    const int code = static_cast<int>(world.max(static_cast<std::uint64_t>(run_job(o))));
    if (code != 0)
      return code;
    if (root && !o.checkpoint_dir.empty() && !p.keep_checkpoint) {
      std::error_code ec;
      fs::remove(o.checkpoint_dir, ec); // only if the run left it empty
    }
  }
  if (root && !p.keep_intermediates)
    for (const std::string &path : intermediates(stages)) {
      std::error_code ec;
      fs::remove(path, ec);
      if (!p.quiet)
        std::fprintf(stderr,
                     "pipeline: removed the intermediate output '%s' "
                     "(--keep-intermediates keeps it)\n",
                     path.c_str());
    }
  world.barrier();
  return 0;
}

} // namespace mr::engine
