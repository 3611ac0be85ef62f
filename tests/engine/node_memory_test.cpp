// tests/engine/node_memory_test.cpp: --memory-limit auto's sources: a
// cgroup's limit (v2 and v1, the smallest along the path, "max" and v1's
// near-2^63 as none) and Slurm's allocation (per node, per CPU, 0 as all).
#include "engine/node_memory.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace {

namespace fs = std::filesystem;
using mr::engine::cgroup_memory_limit;
using mr::engine::slurm_memory_limit;

struct FakeCgroups : ::testing::Test {
  fs::path root;
  void SetUp() override {
    char tmpl[] = "/tmp/mr-cgroup-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root = tmpl;
  }
  void TearDown() override { fs::remove_all(root); }
  void put(const std::string &file, const std::string &value) {
    fs::create_directories((root / file).parent_path());
    std::ofstream(root / file) << value << "\n";
  }
};

TEST_F(FakeCgroups, V2TakesTheSmallestAlongThePath) {
  put("job/step/memory.max", "max");
  put("job/memory.max", "1073741824");
  put("memory.max", "2147483648");
  EXPECT_EQ(cgroup_memory_limit("0::/job/step\n", root), 1073741824u);
  put("job/step/memory.max", "536870912");
  EXPECT_EQ(cgroup_memory_limit("0::/job/step\n", root), 536870912u);
}

TEST_F(FakeCgroups, V2WithoutALimitIsNone) {
  put("job/memory.max", "max");
  EXPECT_FALSE(cgroup_memory_limit("0::/job\n", root));
  EXPECT_FALSE(cgroup_memory_limit("0::/nowhere\n", root));
}

TEST_F(FakeCgroups, V1ReadsTheMemoryController) {
  const std::string self = "12:pids:/\n4:cpu,memory:/batch/job\n0::/\n";
  put("memory/batch/job/memory.limit_in_bytes", "9223372036854771712"); // unlimited
  EXPECT_FALSE(cgroup_memory_limit(self, root));
  put("memory/batch/memory.limit_in_bytes", "805306368");
  EXPECT_EQ(cgroup_memory_limit(self, root), 805306368u);
}

TEST(SlurmMemory, PerNodeThenPerCpuAndZeroIsAll) {
  std::map<std::string, std::string> vars;
  auto env = [&](const char *name) -> const char * {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
  EXPECT_FALSE(slurm_memory_limit(env));
  vars = {{"SLURM_MEM_PER_CPU", "1000"}, {"SLURM_CPUS_ON_NODE", "4"}};
  ASSERT_TRUE(slurm_memory_limit(env));
  EXPECT_EQ(slurm_memory_limit(env)->bytes, 4000ull << 20);
  vars["SLURM_MEM_PER_NODE"] = "2048";
  EXPECT_EQ(slurm_memory_limit(env)->bytes, 2048ull << 20);
  EXPECT_NE(slurm_memory_limit(env)->source.find("SLURM_MEM_PER_NODE"),
            std::string::npos);
  vars = {{"SLURM_MEM_PER_NODE", "0"}};
  EXPECT_FALSE(slurm_memory_limit(env));
  vars = {{"SLURM_MEM_PER_NODE", "12G"}}; // not Slurm's form: ignored, never misread
  EXPECT_FALSE(slurm_memory_limit(env));
}

} // namespace
