// tests/tools/test_jobs.cpp: jobs that misbehave on purpose, linked only into
// `mr_with_test_jobs` (the `mapreduce` command plus these), for the tests of
// how a run fails.
#include <stdexcept>

#include "mr/codec.h"
#include "mr/registry.h"

namespace {

/// Throws from map on a line that reads "boom": a worker fails mid-run.
class Explode : public mr::Job {
public:
  void map(std::string_view line, mr::Emitter &out) override {
    if (line == "boom")
      throw std::runtime_error("boom on purpose");
    out.emit(line, mr::u64_bytes(1));
  }
  void reduce(std::string_view key, std::span<const std::string_view>,
              mr::Emitter &out) override {
    out.emit(key, mr::u64_bytes(1));
  }
};

/// Refuses to start without --param x=...: a job checking its parameters.
class NeedParam : public mr::Job {
public:
  explicit NeedParam(const mr::Params &p) {
    if (!p.count("x"))
      throw std::invalid_argument("job needparam needs --param x=VALUE");
  }
  void map(std::string_view line, mr::Emitter &out) override { out.emit(line, ""); }
  void reduce(std::string_view key, std::span<const std::string_view>,
              mr::Emitter &out) override {
    out.emit(key, "");
  }
};

} // namespace

MR_REGISTER_JOB("explode", Explode, "test job: fails on a line 'boom'");
MR_REGISTER_JOB("needparam", NeedParam, "test job: needs --param x=...");
