// src/engine/node_memory.cpp: see node_memory.h.
#include "engine/node_memory.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace mr::engine {

namespace {

/// A whole number of bytes from a cgroup file; nullopt for "max", an
/// "unlimited" value of v1 (near 2^63) or anything unreadable.
std::optional<std::uint64_t> read_limit(const std::string &file) {
  std::ifstream in(file);
  std::string word;
  if (!(in >> word) || word.empty() || word.size() > 20 ||
      word.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const std::uint64_t v = std::strtoull(word.c_str(), nullptr, 10);
  if (v == 0 || v >= (std::uint64_t(1) << 62))
    return std::nullopt;
  return v;
}

/// The smallest limit in `file_name` along `path` and its parents under `dir`.
std::optional<std::uint64_t> smallest_along(const std::string &dir, std::string path,
                                            const std::string &file_name) {
  std::optional<std::uint64_t> best;
  while (true) {
    while (path.size() > 1 && path.back() == '/')
      path.pop_back();
    const auto v = read_limit(dir + (path == "/" ? "" : path) + "/" + file_name);
    if (v && (!best || *v < *best))
      best = v;
    if (path.empty() || path == "/")
      return best;
    const auto slash = path.rfind('/');
    path = slash == std::string::npos ? "" : path.substr(0, slash == 0 ? 1 : slash);
  }
}

std::optional<std::uint64_t> parse_mib(const char *text) {
  if (!text || !*text)
    return std::nullopt;
  const std::string s = text;
  if (s.size() > 15 || s.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const std::uint64_t mib = std::strtoull(s.c_str(), nullptr, 10);
  if (mib == 0)
    return std::nullopt; // Slurm's 0: all of the node's memory
  return mib << 20;
}

} // namespace

std::optional<std::uint64_t> cgroup_memory_limit(const std::string &proc_self_cgroup,
                                                 const std::string &root) {
  std::istringstream lines(proc_self_cgroup);
  std::string line;
  std::optional<std::uint64_t> best;
  auto take = [&](std::optional<std::uint64_t> v) {
    if (v && (!best || *v < *best))
      best = v;
  };
  while (std::getline(lines, line)) {
    // "ID:CONTROLLERS:PATH"; v2 has ID 0 and no controllers.
    const auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos)
      continue;
    const std::string controllers = line.substr(a + 1, b - a - 1),
                      path = line.substr(b + 1);
    if (controllers.empty()) {
      take(smallest_along(root, path, "memory.max"));
    } else {
      std::istringstream names(controllers);
      std::string name;
      while (std::getline(names, name, ','))
        if (name == "memory")
          take(smallest_along(root + "/memory", path, "memory.limit_in_bytes"));
    }
  }
  return best;
}

std::optional<NodeMemory>
slurm_memory_limit(const std::function<const char *(const char *)> &env) {
  if (const auto per_node = parse_mib(env("SLURM_MEM_PER_NODE")))
    return NodeMemory{*per_node, "Slurm's SLURM_MEM_PER_NODE"};
  const auto per_cpu = parse_mib(env("SLURM_MEM_PER_CPU"));
  const char *cpus = env("SLURM_CPUS_ON_NODE");
  if (per_cpu && cpus) {
    const std::uint64_t n = std::strtoull(cpus, nullptr, 10);
    if (n > 0 && n < 1'000'000)
      return NodeMemory{*per_cpu * n, "Slurm's SLURM_MEM_PER_CPU x SLURM_CPUS_ON_NODE"};
  }
  return std::nullopt;
}

NodeMemory node_memory() {
  NodeMemory best;
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0)
    best = {static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page),
            "the node's physical memory"};
  std::ifstream in("/proc/self/cgroup");
  std::stringstream text;
  text << in.rdbuf();
  if (const auto cg = cgroup_memory_limit(text.str(), "/sys/fs/cgroup");
      cg && (best.bytes == 0 || *cg < best.bytes))
    best = {*cg, "the cgroup's memory limit"};
  if (const auto slurm = slurm_memory_limit([](const char *n) { return std::getenv(n); });
      slurm && (best.bytes == 0 || slurm->bytes < best.bytes))
    best = *slurm;
  return best;
}

} // namespace mr::engine
