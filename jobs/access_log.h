// jobs/access_log.h: reading one line of a web server access log (Common or
// Combined Log Format), shared by url-frequency and log-analysis.
//
//   host ident user [time] "request" status bytes ["referer" "agent"]
//
// The request is the text between the line's first '"' and the next '"'. A
// line is well-formed when its request splits on runs of spaces into exactly
// three non-empty parts (method, target, protocol: no space before the first
// or after the last), the closing '"' is followed by one or more spaces and a
// status of exactly three digits (then a space or the end of the line), and
// the line starts with a host (the bytes before its first space, not empty).
#pragma once

#include <string_view>

namespace mr::jobs {

struct AccessLine {
  std::string_view host, method, target, protocol, status; // status: 3 digits
};

/// Fills `out` and returns true when `line` is well-formed.
inline bool parse_access_line(std::string_view line, AccessLine &out) {
  const auto npos = std::string_view::npos;
  const std::size_t space = line.find(' ');
  if (space == 0 || space == npos)
    return false;
  out.host = line.substr(0, space);
  const std::size_t q1 = line.find('"');
  if (q1 == npos)
    return false;
  const std::size_t q2 = line.find('"', q1 + 1);
  if (q2 == npos)
    return false;
  std::string_view req = line.substr(q1 + 1, q2 - q1 - 1);
  // Three parts separated by runs of spaces, none empty.
  std::string_view parts[3];
  for (int i = 0; i < 3; ++i) {
    if (req.empty() || req.front() == ' ')
      return false;
    const std::size_t end = req.find(' ');
    parts[i] = req.substr(0, end);
    if (end == npos) {
      req = {};
      if (i < 2)
        return false;
      break;
    }
    if (i == 2)
      return false; // a fourth part, or spaces after the protocol
    const std::size_t next = req.find_first_not_of(' ', end);
    req = next == npos ? std::string_view() : req.substr(next);
    if (next == npos)
      return false;
  }
  out.method = parts[0];
  out.target = parts[1];
  out.protocol = parts[2];
  // Then spaces and a three-digit status.
  std::string_view after = line.substr(q2 + 1);
  const std::size_t digits = after.find_first_not_of(' ');
  if (digits == 0 || digits == npos || after.size() - digits < 3)
    return false;
  for (std::size_t i = digits; i < digits + 3; ++i)
    if (after[i] < '0' || after[i] > '9')
      return false;
  if (after.size() > digits + 3 && after[digits + 3] != ' ')
    return false;
  out.status = after.substr(digits, 3);
  return true;
}

} // namespace mr::jobs
