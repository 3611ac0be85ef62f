// tests/compile_fail/combines_flag.cpp: a job says it combines by overriding
// combine; claiming it with combines() (the old API) no longer compiles, so a
// job can never combine without a combine function.
#include "mr/count_job.h"
#include "mr/registry.h"

class ClaimsToCombine : public mr::Job {
public:
  void map(const mr::Record &r, mr::Emitter &out) override {
    out.emit(r.bytes, mr::u64_bytes(1));
  }
  bool combines() const override { return true; }
  void reduce(std::string_view k, std::span<const std::string_view>,
              mr::Emitter &out) override {
    out.emit(k, mr::u64_bytes(1));
  }
};
MR_REGISTER_JOB("claims", ClaimsToCombine, "combines() without combine");
