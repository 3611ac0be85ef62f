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
  void map(const mr::Record &r, mr::Emitter &out) override {
    if (r.bytes == "boom")
      throw std::runtime_error("boom on purpose");
    out.emit(r.bytes, mr::u64_bytes(1));
  }
  void reduce(std::string_view key, std::span<const std::string_view>,
              mr::Emitter &out) override {
    out.emit(key, mr::u64_bytes(1));
  }
};

/// Refuses to start without a non-empty --param x=...: a job checking its
/// parameters itself.
class NeedParam : public mr::Job {
public:
  static mr::ParamSpecs parameters() { return {mr::required_param("x", "anything")}; }
  explicit NeedParam(const mr::Params &p) {
    if (p.at("x").empty())
      throw std::invalid_argument("job needparam needs --param x=VALUE");
  }
  void map(const mr::Record &r, mr::Emitter &out) override { out.emit(r.bytes, ""); }
  void reduce(std::string_view key, std::span<const std::string_view>,
              mr::Emitter &out) override {
    out.emit(key, "");
  }
};

/// Sorts lines with a range partitioner: range partitioning of a lines
/// input (the sample then reads lines at random positions).
class SortLines : public mr::Job {
public:
  void map(const mr::Record &r, mr::Emitter &out) override { out.emit(r.bytes, {}); }
  void reduce(std::string_view line, std::span<const std::string_view> copies,
              mr::Emitter &out) override {
    for (std::size_t i = 0; i < copies.size(); ++i)
      out.emit(line, {});
  }
  mr::Partitioning partitioning() const override { return mr::Partitioning::range; }
};

} // namespace

MR_REGISTER_JOB("sortlines", SortLines, "test job: sorts lines, range-partitioned");
MR_REGISTER_JOB("explode", Explode, "test job: fails on a line 'boom'");
MR_REGISTER_JOB("needparam", NeedParam, "test job: needs --param x=...");
