// jobs/top.cpp: the n rows with the largest counts of a counting job's
// output (wordcount, url-frequency, log-analysis, a user's mr::CountJob):
// the usual second stage of a pipeline.
//
// Input: key/value pairs whose values are counts: the output of a counting
// job (64-bit values), or pairs with decimal values (`import --format tsv`
// of `word<TAB>count` lines; a value that is not a decimal number below
// 2^64 is counted as `malformed_counts` and its row skipped). Output:
// n rows (fewer when the input has fewer), largest count first, ties broken
// by key bytes; a row's key is its rank (8 bytes, big-endian) followed by
// the input's key, its value the count, so `mapreduce export` prints
// `key<TAB>count` in that order (ExportFormat::ranked).
//
// Each map task keeps the n best rows it has seen (a heap, reset per task)
// and emits a row only when it enters them: a row that n rows of its own
// task beat is not in the top n. The emitted rows (all of one empty key)
// are entries of the count, inverted and big-endian, then the key: byte
// order is output order, so the reduce, which gets a key's values sorted
// by bytes, emits the first n. What a task emits is about n (1 + ln(rows /
// n)) rows in input order that is random with respect to count, all its
// rows at worst (rows in ascending count); the reduce holds what the tasks
// emitted, so n is at most 1,000,000.
#include <cstdint>
#include <queue>
#include <stdexcept>
#include <string>

#include "mr/codec.h"
#include "mr/params.h"
#include "mr/registry.h"

namespace {

constexpr std::uint64_t kMaxN = 1000000;

class Top : public mr::Job {
public:
  explicit Top(const mr::Params &p) : n_(mr::param_u64(p, "n", 1, kMaxN)) {}

  static mr::ParamSpecs parameters() {
    return {{"n", "10", "how many rows to keep (1 to 1000000)"}};
  }

  mr::InputFormat input_format() const override { return mr::InputFormat::pairs; }
  mr::ValueType output_value_type() const override { return mr::ValueType::uint64; }
  mr::ExportFormat export_format() const override { return mr::ExportFormat::ranked; }

  void start(const mr::InputInfo &input) override {
    decimal_ = input.value_type != mr::ValueType::uint64;
  }

  void start_task() override { best_ = {}; }

  void map(const mr::Record &record, mr::Emitter &out) override {
    std::uint64_t count = 0;
    if (!decimal_)
      count = mr::read_u64(record.value);
    else if (!parse_decimal(record.value, count)) {
      ++malformed_;
      return;
    }
    entry_.assign(mr::sortable_u64(~count));
    entry_.append(record.key());
    if (best_.size() == n_) {
      if (!(entry_ < best_.top()))
        return; // n rows of this task beat it
      best_.pop();
    }
    best_.push(entry_);
    out.emit({}, entry_);
  }

  void reduce(std::string_view, std::span<const std::string_view> entries,
              mr::Emitter &out) override {
    std::string key;
    for (std::uint64_t rank = 0; rank < entries.size() && rank < n_; ++rank) {
      const std::string_view e = entries[rank];
      key.assign(mr::sortable_u64(rank));
      key.append(e.substr(8));
      out.emit(key, mr::u64_bytes(~mr::read_sortable_u64(e.substr(0, 8))));
    }
  }

private:
  static bool parse_decimal(std::string_view text, std::uint64_t &n) {
    if (text.empty() || text.size() > 20)
      return false;
    n = 0;
    for (char c : text) {
      if (c < '0' || c > '9' || n > (UINT64_MAX - static_cast<unsigned>(c - '0')) / 10)
        return false;
      n = n * 10 + static_cast<unsigned>(c - '0');
    }
    return true;
  }

  std::uint64_t n_;
  bool decimal_ = false;
  std::uint64_t &malformed_ = counter("malformed_counts");
  std::string entry_;
  std::priority_queue<std::string> best_; // this task's best n; top(): the worst
};

} // namespace

MR_REGISTER_JOB("top", Top,
                "the n rows with the largest counts of a counting job's output");
