// jobs/clean.cpp: data cleaning of CSV records (one record per line).
//
// Fields are separated by ','; a field may be enclosed in '"' (inside, ',' is
// literal and "" is one '"'); spaces and tabs around a field, outside quotes,
// are trimmed. A record is valid when it parses and has exactly `fields`
// fields: a '"' inside an unquoted field, text after a closing quote, or an
// unclosed quote make it invalid. Among valid records with equal `key` field
// the first in the input is kept. Each kept record is written back as
// canonical CSV (a field is quoted, with '"' doubled, exactly when it holds
// ',' or '"' or starts or ends with a space or tab), keyed by its key field,
// so export prints them in byte order of their key.
#include <string>
#include <vector>

#include "csv.h"
#include "mr/codec.h"
#include "mr/params.h"
#include "mr/registry.h"

namespace {

using mr::csv::append_canonical;
using mr::csv::parse_csv;

class Clean : public mr::Job {
public:
  static mr::ParamSpecs parameters() {
    return {mr::required_param("fields", "number of fields of a valid record"),
            {"key", "1", "the field (1-based) whose equal values make duplicates"},
            {"header", "false", "true: drop the first line of each input file"}};
  }

  explicit Clean(const mr::Params &p)
      : fields_(mr::param_u64(p, "fields", 1, 1000000)),
        key_(mr::param_u64(p, "key", 1, 1000000)), header_(mr::param_bool(p, "header")) {
    if (key_ > fields_)
      throw std::invalid_argument("parameter 'key': field " + std::to_string(key_) +
                                  " is beyond fields=" + std::to_string(fields_));
  }

  void start(const mr::InputInfo &input) override { input_ = &input; }

  void map(const mr::Record &r, mr::Emitter &out) override {
    if (header_ && r.offset == input_->file_begin(r.file))
      return;
    ++read_;
    if (!parse_csv(r.bytes, parsed_, unescaped_) || parsed_.size() != fields_) {
      ++invalid_;
      return;
    }
    // Value: the record's input offset (so the first one wins), how many
    // records it stands for, then the record as it is: only the kept one
    // is written as canonical CSV, in reduce (most records may be dropped
    // as duplicates: 29 M of 36 M in bench/scripts/jobs.sh's CSV).
    value_.assign(std::string_view(mr::sortable_u64(r.offset)));
    value_.append(std::string_view(mr::u64_bytes(1)));
    value_.append(r.bytes);
    out.emit(parsed_[key_ - 1], value_);
  }

  // Duplicates are counted in reduce, from the records each value stands
  // for, not here: combine may run where no count is committed (across a
  // worker's tasks before the shuffle), and the engine then does not
  // combine a job whose combine counts (a resumed run would count twice).
  void combine(std::string_view, std::string_view a, std::string_view b,
               std::string &merged) override {
    const std::uint64_t records =
        mr::read_u64(a.substr(8, 8)) + mr::read_u64(b.substr(8, 8));
    merged.assign(a.substr(0, 8) <= b.substr(0, 8) ? a : b);
    merged.replace(8, 8, std::string_view(mr::u64_bytes(records)));
  }

  void reduce(std::string_view key, std::span<const std::string_view> values,
              mr::Emitter &out) override {
    std::string_view first = values[0];
    std::uint64_t records = 0;
    for (std::string_view v : values) {
      records += mr::read_u64(v.substr(8, 8));
      if (v.substr(0, 8) < first.substr(0, 8))
        first = v;
    }
    duplicates_ += records - 1;
    const std::string_view record = first.substr(16);
    if (!parse_csv(record, parsed_, unescaped_)) // it parsed in map
      throw std::runtime_error("a kept record no longer parses");
    value_.clear();
    append_canonical(value_, parsed_, record);
    out.emit(key, value_);
  }

  mr::ExportFormat export_format() const override {
    return mr::ExportFormat::value_lines;
  }

private:
  std::uint64_t fields_, key_;
  bool header_;
  const mr::InputInfo *input_ = nullptr;
  std::vector<std::string_view> parsed_; // into the record or unescaped_
  std::string unescaped_, value_;
  std::uint64_t &read_ = counter("read");
  std::uint64_t &invalid_ = counter("invalid");
  std::uint64_t &duplicates_ = counter("duplicate");
};

} // namespace

MR_REGISTER_JOB("clean", Clean,
                "valid CSV records, de-duplicated by a key field (first kept), as "
                "canonical CSV");
