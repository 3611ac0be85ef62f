// src/engine/node_memory.h: how much memory the ranks on this node may use,
// for --memory-limit auto: the smallest of the node's physical memory, the
// memory limit of the cgroup the rank runs in (a batch system's or a
// container's: cgroup v2 memory.max, v1 memory.limit_in_bytes, the
// smallest along its path) and the job's Slurm allocation on the node
// (SLURM_MEM_PER_NODE, or SLURM_MEM_PER_CPU times SLURM_CPUS_ON_NODE).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace mr::engine {

struct NodeMemory {
  std::uint64_t bytes = 0; // 0: unknown
  std::string source;      // "the node's physical memory", "the cgroup's memory.max", ...
};

/// The limit of the cgroup described by `proc_self_cgroup` (the text of
/// /proc/self/cgroup) under the cgroup file system at `root`; nullopt when
/// none applies (no memory controller, no limit, unreadable).
std::optional<std::uint64_t> cgroup_memory_limit(const std::string &proc_self_cgroup,
                                                 const std::string &root);

/// The job's memory on this node from Slurm's variables (`env` looks one
/// up, nullptr when unset), with which variable said it; nullopt when Slurm
/// sets none (or 0: all of the node's).
std::optional<NodeMemory>
slurm_memory_limit(const std::function<const char *(const char *)> &env);

/// The smallest of the three on this node.
NodeMemory node_memory();

} // namespace mr::engine
