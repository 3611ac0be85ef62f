// jobs/grep.cpp: the lines that match a POSIX extended regular expression,
// in input order (as `grep -E`, byte-oriented). The regex engine is the C
// library's (glibc regcomp/regexec, POSIX locale, REG_STARTEND so lines may
// hold NUL bytes). Key: the line's input offset (8 bytes, big-endian, so key
// order is input order); value: the line.
//
// What a pattern may cost is bounded before it is compiled (glibc's
// regcomp cannot be bounded while it runs): its repetitions may add at most
// kMaxRepeatedCopies copies of what they repeat (compiling costs about 8 x
// copies^2 bytes, up to 30 for (.*): (.*){1,2000} took 115 MB and
// (.*){1,32000} 24 GB), and back-references are
// refused (their matching backtracks: (a*)*\1b took 5 s on a 200-byte
// line, and grows exponentially with it). Without back-references glibc
// matches in time linear in the line (times the pattern's size).
#include <regex.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "mr/codec.h"
#include "mr/params.h"
#include "mr/registry.h"

namespace {

constexpr std::uint64_t kMaxRepeatedCopies = 2000;

/// Refuses a pattern whose compilation or matching cost has no useful bound
/// (see the top of the file). Reads the ERE only as far as needed to count:
/// atoms, groups, brackets, escapes and quantifiers; regcomp judges syntax.
/// One scanner over the pattern (83 lines): its cases read best together.
void check_pattern_cost(const std::string &pattern) {
  struct Frame {
    std::uint64_t total = 0, plain = 0; // expanded and written atom counts
    std::uint64_t last = 0, last_plain = 0;
  };
  std::vector<Frame> stack(1);
  auto atom = [&](std::uint64_t expanded, std::uint64_t plain) {
    Frame &f = stack.back();
    f.total += expanded;
    f.plain += plain;
    f.last = expanded;
    f.last_plain = plain;
  };
  auto refuse = [&](const std::string &why) {
    throw std::invalid_argument("parameter 'pattern': '" + pattern + "' " + why);
  };
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      if (pattern[i + 1] >= '1' && pattern[i + 1] <= '9')
        refuse("holds a back-reference (\\" + std::string(1, pattern[i + 1]) +
               "): their matching can take time exponential in the line's length");
      ++i;
      atom(1, 1);
    } else if (c == '[') { // a bracket expression: one atom
      std::size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '^')
        ++j;
      if (j < pattern.size() && pattern[j] == ']')
        ++j;
      for (; j < pattern.size() && pattern[j] != ']'; ++j)
        if (pattern[j] == '[' && j + 1 < pattern.size() &&
            (pattern[j + 1] == ':' || pattern[j + 1] == '=' || pattern[j + 1] == '.')) {
          const auto close = pattern.find(std::string(1, pattern[j + 1]) + "]", j + 2);
          j = close == std::string::npos ? pattern.size() : close + 1;
        }
      i = std::min(j, pattern.size());
      atom(1, 1);
    } else if (c == '(') {
      stack.emplace_back();
    } else if (c == ')' && stack.size() > 1) {
      const Frame group = stack.back();
      stack.pop_back();
      atom(group.total, group.plain);
    } else if (c == '{') {
      const auto close = pattern.find('}', i);
      if (close == std::string::npos)
        break; // regcomp says what is wrong
      const std::string bounds = pattern.substr(i + 1, close - i - 1);
      auto number = [](const std::string &t) {
        std::uint64_t n = 0;
        for (char d : t)
          if (d >= '0' && d <= '9')
            n = std::min<std::uint64_t>(n * 10 + static_cast<std::uint64_t>(d - '0'),
                                        1u << 20);
        return n;
      };
      // {m}: m copies; {m,n}: n; {m,}: m and a star.
      const auto comma = bounds.find(',');
      const std::uint64_t times = comma == std::string::npos ? number(bounds)
                                  : comma + 1 == bounds.size()
                                      ? number(bounds.substr(0, comma)) + 1
                                      : number(bounds.substr(comma + 1));
      Frame &f = stack.back();
      const std::uint64_t copies = std::max<std::uint64_t>(times, 1);
      f.total = f.total - f.last + std::min<std::uint64_t>(f.last * copies, 1ull << 40);
      f.last = std::min<std::uint64_t>(f.last * copies, 1ull << 40);
      i = close;
    } else if (c != '*' && c != '+' && c != '?' && c != '|' && c != '^' && c != '$') {
      atom(1, 1);
    }
  }
  std::uint64_t total = 0, plain = 0;
  for (const Frame &f : stack) {
    total += f.total;
    plain += f.plain;
  }
  if (total - std::min(total, plain) > kMaxRepeatedCopies)
    refuse("repeats its parts into " + std::to_string(total - plain) +
           " more copies than it is written with, over the " +
           std::to_string(kMaxRepeatedCopies) +
           " a pattern may have (compiling costs 8 to 30 x copies^2 bytes): write "
           "smaller repetition counts");
}

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
    check_pattern_cost(pattern);
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
