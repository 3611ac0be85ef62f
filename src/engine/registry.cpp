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

bool register_job(std::string name, std::string description, JobFactory make) {
  auto [it, inserted] =
      table().emplace(name, JobEntry{name, std::move(description), std::move(make)});
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

} // namespace mr
