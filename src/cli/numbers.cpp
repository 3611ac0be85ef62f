// src/cli/numbers.cpp: see numbers.h.
#include "cli/numbers.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace mr::cli {

std::optional<std::uint64_t> parse_size(const std::string &text) {
  std::size_t i = 0;
  std::uint64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (__builtin_mul_overflow(n, 10u, &n) ||
        __builtin_add_overflow(n, static_cast<unsigned>(text[i] - '0'), &n))
      return std::nullopt;
    ++i;
  }
  if (i == 0)
    return std::nullopt;
  std::string unit;
  for (; i < text.size(); ++i)
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  if (unit.empty() || unit == "b")
    return n;
  static const char *const kPrefixes = "kmgtp";
  for (int p = 0; kPrefixes[p]; ++p) {
    const std::string c(1, kPrefixes[p]);
    if (unit == c || unit == c + "b" || unit == c + "ib") {
      std::uint64_t out = n;
      for (int k = 0; k <= p; ++k)
        if (__builtin_mul_overflow(out, 1024u, &out))
          return std::nullopt;
      return out;
    }
  }
  return std::nullopt;
}

std::string size_text(std::uint64_t bytes) {
  static const char *const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  double v = static_cast<double>(bytes);
  while (v >= 1024 && u < 6) {
    v /= 1024;
    ++u;
  }
  char out[32];
  std::snprintf(out, sizeof out, "%.4g%s", v, kUnits[u]);
  return out;
}

std::string check_size(std::string &text, std::uint64_t min, std::uint64_t max,
                       bool zero_ok) {
  const std::string range =
      (zero_ok ? "0 or " : "") + size_text(min) + " to " + size_text(max);
  if (text.find('-') != std::string::npos)
    return "must not be negative, got " + text;
  const auto n = parse_size(text);
  if (!n)
    return "expected a size, " + range + " (digits and a unit: 64MiB, 4k, 1GiB), got '" +
           text + "'";
  if (!(zero_ok && *n == 0) && (*n < min || *n > max))
    return "must be " + range + ", got " + text;
  text = std::to_string(*n);
  return {};
}

std::string check_seconds(const std::string &text, double max) {
  char *end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v <= 0 ||
      v > max) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%.0f", max);
    return "expected seconds, more than 0 and at most " + std::string(limit) + ", got '" +
           text + "'";
  }
  return {};
}

} // namespace mr::cli
