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

#include "mr/codec.h"
#include "mr/params.h"
#include "mr/registry.h"

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

/// Splits `line` into `fields`; false when it is not valid CSV.
bool parse_csv(std::string_view line, std::vector<std::string> &fields) {
  fields.clear();
  std::size_t i = 0;
  const std::size_t n = line.size();
  for (;;) {
    std::string &field = fields.emplace_back();
    while (i < n && is_blank(line[i]))
      ++i;
    if (i < n && line[i] == '"') {
      for (++i;;) { // copy up to each quote at once
        const std::size_t quote = line.find('"', i);
        if (quote == std::string_view::npos)
          return false; // unclosed quote
        field.append(line.substr(i, quote - i));
        i = quote + 1;
        if (i < n && line[i] == '"') {
          field += '"'; // "" is one quote
          ++i;
        } else {
          break;
        }
      }
      while (i < n && is_blank(line[i]))
        ++i;
      if (i < n && line[i] != ',')
        return false; // text after the closing quote
    } else {
      const std::size_t start = i;
      while (i < n && line[i] != ',') {
        if (line[i] == '"')
          return false; // a quote inside an unquoted field
        ++i;
      }
      std::size_t end = i;
      while (end > start && is_blank(line[end - 1]))
        --end;
      field.assign(line.substr(start, end - start));
    }
    if (i == n)
      return true;
    ++i; // the ',' before the next field (perhaps an empty last one)
  }
}

void append_canonical(std::string &out, const std::vector<std::string> &fields) {
  for (std::size_t f = 0; f < fields.size(); ++f) {
    const std::string &s = fields[f];
    if (f > 0)
      out += ',';
    bool quote = !s.empty() && (is_blank(s.front()) || is_blank(s.back()));
    for (std::size_t i = 0; i < s.size() && !quote; ++i)
      quote = s[i] == ',' || s[i] == '"';
    if (!quote) {
      out += s;
      continue;
    }
    out += '"';
    for (char c : s) {
      if (c == '"')
        out += '"';
      out += c;
    }
    out += '"';
  }
}

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
    if (!parse_csv(r.bytes, parsed_) || parsed_.size() != fields_) {
      ++invalid_;
      return;
    }
    // Value: the record's input offset (so the first one wins), then the
    // record as canonical CSV.
    value_.assign(std::string_view(mr::sortable_u64(r.offset)));
    append_canonical(value_, parsed_);
    out.emit(parsed_[key_ - 1], value_);
  }

  void combine(std::string_view, std::string_view a, std::string_view b,
               std::string &merged) override {
    ++duplicates_; // two records with one key become one
    merged.assign(a.substr(0, 8) <= b.substr(0, 8) ? a : b);
  }

  void reduce(std::string_view key, std::span<const std::string_view> values,
              mr::Emitter &out) override {
    out.emit(key, values[0].substr(8));
  }

  mr::ExportFormat export_format() const override {
    return mr::ExportFormat::value_lines;
  }

private:
  std::uint64_t fields_, key_;
  bool header_;
  const mr::InputInfo *input_ = nullptr;
  std::vector<std::string> parsed_;
  std::string value_;
  std::uint64_t &read_ = counter("read");
  std::uint64_t &invalid_ = counter("invalid");
  std::uint64_t &duplicates_ = counter("duplicate");
};

} // namespace

MR_REGISTER_JOB("clean", Clean,
                "valid CSV records, de-duplicated by a key field (first kept), as "
                "canonical CSV");
