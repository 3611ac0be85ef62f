// jobs/url_frequency.cpp: how often each URL was requested, from web server
// access logs (see access_log.h for what a well-formed line is). Key: the
// request target exactly as written (path and query string); value: count.
// Malformed lines are skipped and counted.
#include "access_log.h"
#include "mr/count_job.h"
#include "mr/registry.h"

namespace {

class UrlFrequency : public mr::CountJob {
public:
  void map(const mr::Record &record, mr::Emitter &out) override {
    mr::jobs::AccessLine line;
    if (mr::jobs::parse_access_line(record.bytes, line))
      out.emit(line.target, mr::u64_bytes(1));
    else
      ++malformed_;
  }

private:
  std::uint64_t &malformed_ = counter("malformed_lines");
};

} // namespace

MR_REGISTER_JOB("url-frequency", UrlFrequency,
                "requests per URL (target) in web server access logs");
