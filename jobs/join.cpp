// jobs/join.cpp: a reduce-side equi-join of two delimited inputs
// (-i LEFT -i RIGHT), on field `left-key` of the left records and
// `right-key` of the right ones (1-based).
//
// format=csv parses a record exactly as clean does (jobs/csv.h); format=tsv
// cuts it at every TAB, as it is. A record is valid when it parses and has
// exactly `left-fields` (left) or `right-fields` (right) fields: declared,
// so that an unmatched side of a left or full join is that many fields less
// the key, all empty. Invalid records are counted (invalid_left,
// invalid_right) and skipped.
//
// Output, in byte order of the key: for each key, each matching left
// record in input order combined with each matching right record in input
// order; a row is canonical CSV (as clean writes it): the key, the left
// record's other fields, the right record's other fields. type=left also
// keeps left records without a match, type=full records of either side
// without one (the missing side as empty fields). Export prints the rows.
//
// Map emits (key, side + input offset + the record's other fields as
// canonical CSV): a key's values, sorted by bytes, are its left records in
// input order, then its right ones. Reduce emits their product row by row:
// the rows go to the output spool, which spills beyond --memory-limit, so a
// key with 100,000 records a side (10^10 rows) streams.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "csv.h"
#include "mr/codec.h"
#include "mr/params.h"
#include "mr/registry.h"

namespace {

constexpr std::uint64_t kMaxFields = 1000000;
constexpr std::size_t kHeader = 9; // side byte + 8-byte offset

class Join : public mr::Job {
public:
  static mr::ParamSpecs parameters() {
    return {
        mr::required_param("left-fields", "fields of a valid left record"),
        mr::required_param("right-fields", "fields of a valid right record"),
        {"left-key", "1", "the left records' join field (1-based)"},
        {"right-key", "1", "the right records' join field (1-based)"},
        {"type", "inner", "inner, left (keep unmatched left records) or full (both)"},
        {"format", "csv", "csv (parsed as clean parses) or tsv (fields cut at TABs)"}};
  }

  explicit Join(const mr::Params &p)
      : fields_{mr::param_u64(p, "left-fields", 1, kMaxFields),
                mr::param_u64(p, "right-fields", 1, kMaxFields)},
        key_{mr::param_u64(p, "left-key", 1, kMaxFields),
             mr::param_u64(p, "right-key", 1, kMaxFields)},
        type_(mr::param_choice(p, "type", {"inner", "left", "full"})),
        tsv_(mr::param_choice(p, "format", {"csv", "tsv"}) == "tsv") {
    const char *side[2] = {"left", "right"};
    for (int s = 0; s < 2; ++s)
      if (key_[s] > fields_[s])
        throw std::invalid_argument("parameter '" + std::string(side[s]) +
                                    "-key': field " + std::to_string(key_[s]) +
                                    " is beyond " + side[s] +
                                    "-fields=" + std::to_string(fields_[s]));
  }

  std::vector<mr::InputFormat> input_formats() const override {
    return {mr::InputFormat::lines, mr::InputFormat::lines};
  }
  mr::ExportFormat export_format() const override {
    return mr::ExportFormat::value_lines;
  }

  void map(const mr::Record &r, mr::Emitter &out) override {
    const int side = r.input == 0 ? 0 : 1;
    ++*read_[side];
    if (!parse(r.bytes) || parsed_.size() != fields_[side]) {
      ++*invalid_[side];
      return;
    }
    value_.assign(1, side == 0 ? 'L' : 'R');
    value_.append(mr::sortable_u64(r.offset));
    bool first = true;
    for (std::size_t f = 0; f < parsed_.size(); ++f) {
      if (f == key_[side] - 1)
        continue;
      if (!first)
        value_ += ',';
      first = false;
      mr::csv::append_field(value_, parsed_[f]);
    }
    out.emit(parsed_[key_[side] - 1], value_);
  }

  void reduce(std::string_view key, std::span<const std::string_view> values,
              mr::Emitter &out) override {
    std::size_t lefts = 0; // values sorted by bytes: 'L' ones first
    while (lefts < values.size() && values[lefts][0] == 'L')
      ++lefts;
    const std::span<const std::string_view> left = values.first(lefts),
                                            right = values.subspan(lefts);
    key_csv_.clear();
    mr::csv::append_field(key_csv_, key);
    if (!left.empty() && !right.empty()) {
      for (std::string_view l : left)
        for (std::string_view r : right)
          emit_row(key, l.substr(kHeader), r.substr(kHeader), out);
    } else if (!left.empty() && type_ != "inner") {
      const std::string none = empty_fields(1);
      for (std::string_view l : left)
        emit_row(key, l.substr(kHeader), none, out);
    } else if (!right.empty() && type_ == "full") {
      const std::string none = empty_fields(0);
      for (std::string_view r : right)
        emit_row(key, none, r.substr(kHeader), out);
    }
  }

private:
  bool parse(std::string_view line) {
    if (!tsv_)
      return mr::csv::parse_csv(line, parsed_, unescaped_);
    parsed_.clear();
    for (std::size_t at = 0;;) {
      const std::size_t tab = line.find('\t', at);
      parsed_.emplace_back(line.substr(at, tab - at));
      if (tab == std::string_view::npos)
        return true;
      at = tab + 1;
    }
  }

  /// A side's other fields, all empty: fields - 2 commas (nothing for one).
  std::string empty_fields(int side) const {
    return fields_[side] > 1 ? std::string(fields_[side] - 2, ',') : std::string();
  }

  void emit_row(std::string_view key, std::string_view l, std::string_view r,
                mr::Emitter &out) {
    row_ = key_csv_;
    if (fields_[0] > 1)
      row_.append(",").append(l);
    if (fields_[1] > 1)
      row_.append(",").append(r);
    out.emit(key, row_);
  }

  std::uint64_t fields_[2], key_[2];
  std::string type_;
  bool tsv_;
  std::vector<std::string_view> parsed_; // into the record or unescaped_
  std::string unescaped_, value_, key_csv_, row_;
  std::uint64_t *read_[2] = {&counter("read_left"), &counter("read_right")};
  std::uint64_t *invalid_[2] = {&counter("invalid_left"), &counter("invalid_right")};
};

} // namespace

MR_REGISTER_JOB(
    "join", Join,
    "equi-join of two CSV or TSV inputs on a field of each (inner, left, full)");
