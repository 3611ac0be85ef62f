// include/mr/params.h: reading typed job parameters. Each throws
// std::invalid_argument with a message naming the parameter, so a job's
// constructor refuses a malformed value before any work starts.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>

#include "mr/job.h"

namespace mr {

/// The value of parameter `name` (declared parameters always have one).
inline const std::string &param(const Params &p, const std::string &name) {
  auto it = p.find(name);
  if (it == p.end())
    throw std::invalid_argument("parameter '" + name + "' is missing");
  return it->second;
}

/// A decimal unsigned integer in [min, max].
inline std::uint64_t param_u64(const Params &p, const std::string &name,
                               std::uint64_t min = 0, std::uint64_t max = UINT64_MAX) {
  const std::string &v = param(p, name);
  std::uint64_t n = 0;
  bool ok = !v.empty() && v.size() <= 20;
  for (char c : v) {
    if (c < '0' || c > '9' || n > (UINT64_MAX - (c - '0')) / 10) {
      ok = false;
      break;
    }
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (!ok)
    throw std::invalid_argument("parameter '" + name + "': '" + v +
                                "' is not a whole number");
  if (n < min || n > max)
    throw std::invalid_argument("parameter '" + name + "': " + v + " is not in range " +
                                std::to_string(min) + " to " + std::to_string(max));
  return n;
}

/// `true` or `false`.
inline bool param_bool(const Params &p, const std::string &name) {
  const std::string &v = param(p, name);
  if (v == "true")
    return true;
  if (v == "false")
    return false;
  throw std::invalid_argument("parameter '" + name + "': expected true or false, got '" +
                              v + "'");
}

/// One of `choices`.
inline const std::string &param_choice(const Params &p, const std::string &name,
                                       std::initializer_list<const char *> choices) {
  const std::string &v = param(p, name);
  std::string list;
  for (const char *c : choices) {
    if (v == c)
      return v;
    list += list.empty() ? c : std::string(", ") + c;
  }
  throw std::invalid_argument("parameter '" + name + "': '" + v + "' is not one of " +
                              list);
}

} // namespace mr
