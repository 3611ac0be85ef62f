// jobs/grep.cpp: the lines that match a POSIX extended regular expression,
// in input order (as `grep -E`, byte-oriented). The regex engine is the C
// library's (glibc regcomp/regexec, POSIX locale, REG_STARTEND so lines may
// hold NUL bytes). Key: the line's input offset (8 bytes, big-endian, so key
// order is input order); value: the line.
#include <regex.h>

#include <stdexcept>
#include <string>

#include "mr/codec.h"
#include "mr/params.h"
#include "mr/registry.h"

namespace {

class Grep : public mr::Job {
public:
  static mr::ParamSpecs parameters() {
    return {mr::required_param("pattern", "POSIX extended regular expression (grep -E)")};
  }

  explicit Grep(const mr::Params &p) {
    const std::string &pattern = mr::param(p, "pattern");
    if (pattern.find('\n') != std::string::npos)
      throw std::invalid_argument(
          "parameter 'pattern' holds a newline (grep reads that as several patterns: "
          "join them with '|')");
    const int rc = regcomp(&regex_, pattern.c_str(), REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char message[256];
      regerror(rc, &regex_, message, sizeof message);
      throw std::invalid_argument("parameter 'pattern': invalid regular expression '" +
                                  pattern + "': " + message);
    }
  }
  ~Grep() override { regfree(&regex_); }
  Grep(const Grep &) = delete;
  Grep &operator=(const Grep &) = delete;

  void map(const mr::Record &r, mr::Emitter &out) override {
    // A NUL-terminated copy: REG_STARTEND alone would let regexec stop at
    // the record's end, but AddressSanitizer's regexec still reads to a NUL.
    line_.assign(r.bytes);
    regmatch_t range[1];
    range[0].rm_so = 0;
    range[0].rm_eo = static_cast<regoff_t>(line_.size());
    if (regexec(&regex_, line_.c_str(), 1, range, REG_STARTEND) == 0)
      out.emit(mr::sortable_u64(r.offset), r.bytes);
  }

  void reduce(std::string_view key, std::span<const std::string_view> lines,
              mr::Emitter &out) override {
    for (std::string_view line : lines) // one line per offset
      out.emit(key, line);
  }

  mr::ExportFormat export_format() const override {
    return mr::ExportFormat::value_lines;
  }

private:
  regex_t regex_{};
  std::string line_;
};

} // namespace

MR_REGISTER_JOB("grep", Grep, "the lines matching a regular expression, in input order");
