// jobs/log_analysis.cpp: the most common errors in web server access logs
// (see access_log.h for what a well-formed line is). Counts the well-formed
// lines whose status is at least `min-status`, keyed by status (by=status),
// by "status target" (by=url) or by "status host" (by=host). Rank 0 then
// prints the `top` rows by count (ties: key byte order).
#include <algorithm>
#include <vector>

#include "access_log.h"
#include "mr/count_job.h"
#include "mr/params.h"
#include "mr/registry.h"

namespace {

class LogAnalysis : public mr::CountJob {
public:
  static mr::ParamSpecs parameters() {
    return {{"min-status", "400", "count lines whose status is at least this"},
            {"by", "status",
             "key: status, url ('status target') or host "
             "('status host')"},
            {"top", "10", "rows printed after the job, by count"}};
  }

  explicit LogAnalysis(const mr::Params &p)
      : min_status_(mr::param_u64(p, "min-status", 0, 999)),
        by_(mr::param_choice(p, "by", {"status", "url", "host"})),
        top_(mr::param_u64(p, "top", 0, 1000000)) {}

  void map(const mr::Record &record, mr::Emitter &out) override {
    mr::jobs::AccessLine line;
    if (!mr::jobs::parse_access_line(record.bytes, line)) {
      ++malformed_;
      return;
    }
    const unsigned status =
        static_cast<unsigned>((line.status[0] - '0') * 100 + (line.status[1] - '0') * 10 +
                              (line.status[2] - '0'));
    if (status < min_status_)
      return;
    if (by_ == "status") {
      out.emit(line.status, mr::u64_bytes(1));
      return;
    }
    key_.assign(line.status);
    key_ += ' ';
    key_.append(by_ == "url" ? line.target : line.host);
    out.emit(key_, mr::u64_bytes(1));
  }

  bool summarizes() const override { return top_ > 0; }
  void summarize_row(std::string_view key, std::string_view value) override {
    best_.emplace_back(mr::read_u64(value), std::string(key));
    if (best_.size() >= 2 * top_ + 1024)
      keep_best();
  }
  std::string summary() override {
    keep_best();
    std::string s = "top " + std::to_string(best_.size()) + " by count:\n";
    for (const auto &[count, key] : best_)
      s += key + "\t" + std::to_string(count) + "\n";
    return s;
  }

private:
  /// Keeps the `top_` rows with the highest counts (ties: smaller key).
  void keep_best() {
    auto better = [](const auto &a, const auto &b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    };
    const std::size_t n = std::min<std::size_t>(top_, best_.size());
    std::partial_sort(best_.begin(), best_.begin() + n, best_.end(), better);
    best_.resize(n);
  }

  std::uint64_t min_status_;
  std::string by_;
  std::uint64_t top_;
  std::string key_;
  std::vector<std::pair<std::uint64_t, std::string>> best_;
  std::uint64_t &malformed_ = counter("malformed_lines");
};

} // namespace

MR_REGISTER_JOB("log-analysis", LogAnalysis,
                "counts of error statuses in access logs, by status, URL or host; "
                "prints the top rows");
