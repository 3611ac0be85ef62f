// src/engine/registry.cpp: the table of jobs behind include/mr/registry.h.
#include <algorithm>
#include <map>
#include <stdexcept>

#include "mr/registry.h"

namespace mr {

namespace {
std::map<std::string, JobEntry> &table() {
  static std::map<std::string, JobEntry> jobs; // built before main, read after
  return jobs;
}
} // namespace

bool register_job(JobEntry entry) {
  std::string name = entry.name;
  auto [it, inserted] = table().emplace(name, std::move(entry));
  if (!inserted)
    throw std::logic_error("two jobs are registered as '" + name + "'");
  return true;
}

std::vector<const JobEntry *> registered_jobs() {
  std::vector<const JobEntry *> out;
  for (const auto &[name, entry] : table())
    out.push_back(&entry);
  return out;
}

const JobEntry *find_job(const std::string &name) {
  auto it = table().find(name);
  return it == table().end() ? nullptr : &it->second;
}

Params resolve_params(const JobEntry &job, const Params &given) {
  Params out;
  for (const auto &entry : given) {
    // (not a structured binding: clang 14, which clang-tidy uses, cannot
    // capture one in the lambda below)
    const std::string &name = entry.first;
    const std::string &value = entry.second;
    auto spec = std::find_if(job.params.begin(), job.params.end(),
                             [&](const ParamSpec &s) { return s.name == name; });
    if (spec == job.params.end()) {
      std::string known;
      for (const ParamSpec &s : job.params)
        known += (known.empty() ? "" : ", ") + s.name;
      throw std::invalid_argument(
          "job " + job.name + " has no parameter '" + name + "' (" +
          (known.empty() ? "it takes none" : "it takes: " + known) + ")");
    }
    out[name] = value;
  }
  for (const ParamSpec &s : job.params) {
    if (out.count(s.name))
      continue;
    if (s.required)
      throw std::invalid_argument("job " + job.name + " needs --param " + s.name +
                                  "=VALUE (" + s.help + ")");
    out[s.name] = s.default_value;
  }
  return out;
}

} // namespace mr
