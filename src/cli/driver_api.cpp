// src/cli/driver_api.cpp: include/mr/driver.h's functions for a program of
// one's own: MPI for its life, and a stage given as `run`'s words.
#include <memory>

#include "cli/cli.h"
#include "comm/comm.h"
#include "engine/drivers.h"
#include "mr/driver.h"

namespace mr {

namespace {
std::unique_ptr<comm::Runtime> &runtime() {
  static std::unique_ptr<comm::Runtime> r;
  return r;
}
} // namespace

Launch::Launch(int &argc, char **&argv) {
  runtime() = std::make_unique<comm::Runtime>(argc, argv);
}

Launch::~Launch() {
  runtime().reset();
}

int Launch::rank() const {
  return comm::Comm::world().rank();
}

StageResult run_stage(const std::vector<std::string> &words) {
  return engine::run_stage_options(cli::parse_run_words(words));
}

} // namespace mr
