// examples/linelength/linelength.cpp: how many lines have each length (in
// bytes, without the line end). Key: the length in decimal; value: count.
// Linked with mapreduce::mapreduce, this file makes a program with every
// `mapreduce` command and flag, and this job beside the built-in ones.
#include <string>

#include "mr/count_job.h"
#include "mr/params.h"
#include "mr/registry.h"

namespace {

class LineLength : public mr::CountJob { // CountJob sums the counts
public:
  static mr::ParamSpecs parameters() {
    return {{"min", "0", "count only lines at least this long"}};
  }
  explicit LineLength(const mr::Params &p) : min_(mr::param_u64(p, "min")) {}

  void map(const mr::Record &line, mr::Emitter &out) override {
    if (line.bytes.size() >= min_)
      out.emit(std::to_string(line.bytes.size()), mr::u64_bytes(1));
  }

private:
  std::uint64_t min_;
};

} // namespace

MR_REGISTER_JOB("linelength", LineLength, "count the lines of each length");
