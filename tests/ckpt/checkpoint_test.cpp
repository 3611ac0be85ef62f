// tests/ckpt/checkpoint_test.cpp: the manifest (fingerprint, records, damaged
// lines, refusals) and the committed files (round trip, every kind of damage
// refused), one process, in a scratch folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ckpt/durable_file.h"
#include "ckpt/manifest.h"
#include "core/checksum.h"
#include "engine/commits.h"

namespace fs = std::filesystem;
using namespace mr;

namespace {

class Scratch : public ::testing::Test {
protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("mr-ckpt-test-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string ck() const { return (dir / "ck").string(); }
  fs::path dir;
};

ckpt::Fingerprint fingerprint(const std::string &job = "wordcount",
                              const std::string &reducers = "4") {
  ckpt::Fingerprint fp;
  fp.add("job", job);
  fp.add("reducers", reducers);
  fp.add("input", "/data/in put\nwith newline % and percent");
  return fp;
}

std::string slurp(const std::string &path) {
  return ckpt::read_whole_file(path);
}

} // namespace

TEST(Checksum, IsXxh3OfKnownInput) {
  // XXH3-64 of the empty input and of "a", as published by xxHash.
  EXPECT_EQ(core::hex64(core::xxh3("")), "2d06800538d394c2");
  core::Hasher h;
  h.update("hello ");
  h.update("world");
  EXPECT_EQ(h.digest(), core::xxh3("hello world"));
}

TEST_F(Scratch, DurableWriteLeavesOnlyTheFinalFile) {
  const std::string path = (dir / "f").string();
  const std::string_view pieces[] = {"abc", "", "def"};
  const std::uint64_t h = ckpt::write_durably(path, pieces);
  EXPECT_EQ(h, core::xxh3("abcdef"));
  EXPECT_EQ(slurp(path), "abcdef");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  EXPECT_THROW(ckpt::write_durably((dir / "no" / "f").string(), pieces),
               std::runtime_error);
}

TEST_F(Scratch, ManifestRecordsSurviveReopening) {
  {
    auto m = ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::fresh);
    EXPECT_FALSE(m.resumed());
    m.append("map 3 map/0/t3-x 10 00000000000000ff");
    m.append("reduce 1 reduce/p1-x 20 0000000000000001");
  }
  auto m = ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::resume);
  EXPECT_TRUE(m.resumed());
  ASSERT_EQ(m.maps().size(), 1u);
  EXPECT_EQ(m.maps().at(3).file, "map/0/t3-x");
  EXPECT_EQ(m.maps().at(3).bytes, 10u);
  EXPECT_EQ(m.maps().at(3).xxh3, 0xffu);
  ASSERT_EQ(m.partitions().size(), 1u);
  EXPECT_EQ(m.partitions().at(1).bytes, 20u);
  EXPECT_EQ(m.damaged_records(), 0u);
  ASSERT_NE(m.committed("input"), nullptr);
  EXPECT_EQ(*m.committed("input"), "/data/in put\nwith newline % and percent");
}

TEST_F(Scratch, ACutOrAlteredRecordIsIgnored) {
  {
    auto m = ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::fresh);
    m.append("map 1 map/0/t1-x 10 00000000000000ff");
    m.append("map 2 map/0/t2-x 10 00000000000000ff");
    m.append("map 3 map/0/t3-x 10 00000000000000ff");
  }
  std::string text = slurp(ck() + "/manifest");
  const auto second = text.find("map 2");
  text[second + 4] = '7';        // "map 7 ...": its checksum fails
  text.resize(text.size() - 12); // the last record cut
  std::ofstream(ck() + "/manifest", std::ios::trunc) << text;
  auto m = ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::resume);
  EXPECT_EQ(m.maps().size(), 1u);
  EXPECT_TRUE(m.maps().count(1));
  EXPECT_EQ(m.damaged_records(), 2u);
}

TEST_F(Scratch, RefusesAnotherJobNamingTheDifference) {
  ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::fresh);
  try {
    ckpt::Manifest::open(ck(), fingerprint("grep", "5"), ckpt::OpenMode::resume);
    FAIL() << "resumed another job";
  } catch (const ckpt::CheckpointRefused &e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("job: checkpoint has 'wordcount', this run has 'grep'"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("reducers: checkpoint has '4', this run has '5'"),
              std::string::npos);
    EXPECT_EQ(what.find("input:"), std::string::npos) << "equal fields are not named";
  }
}

TEST_F(Scratch, AnExistingCheckpointNeedsResumeOrRestartFresh) {
  {
    auto m = ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::fresh);
    m.append("map 1 map/0/t1-x 10 00000000000000ff");
  }
  EXPECT_THROW(ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::fresh),
               ckpt::CheckpointRefused);
  auto m = ckpt::Manifest::open(ck(), fingerprint("grep"), ckpt::OpenMode::restart_fresh);
  EXPECT_FALSE(m.resumed());
  EXPECT_TRUE(m.maps().empty());
}

TEST_F(Scratch, OneRunAtATime) {
  auto first = ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::fresh);
  EXPECT_THROW(ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::resume),
               ckpt::CheckpointRefused);
}

TEST_F(Scratch, ADamagedHeaderIsRefused) {
  ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::fresh);
  std::string text = slurp(ck() + "/manifest");
  text[30] ^= 1;
  std::ofstream(ck() + "/manifest", std::ios::trunc) << text;
  EXPECT_THROW(ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::resume),
               ckpt::CheckpointRefused);
}

TEST(Commit, ParsesOnlyWellFormedRecords) {
  ckpt::Commit c;
  EXPECT_TRUE(ckpt::parse_commit("3 map/0/t3 10 00000000000000ff", c));
  EXPECT_FALSE(ckpt::parse_commit("3 map/0/t3 10", c));
  EXPECT_FALSE(ckpt::parse_commit("3 map/0/t3 10 00000000000000ff extra", c));
  EXPECT_FALSE(ckpt::parse_commit("3 ../../etc/passwd 10 00000000000000ff", c));
  EXPECT_FALSE(ckpt::parse_commit("3 /etc/passwd 10 00000000000000ff", c));
  EXPECT_FALSE(ckpt::parse_commit("3 map/0/t3 10 zzzzzzzzzzzzzzzz", c));
}

TEST_F(Scratch, MapTaskRoundTripAndDamage) {
  fs::create_directories(ck() + "/map");
  engine::MapTaskOutput out;
  out.task_id = 1234;
  out.partitions.resize(3);
  out.partitions[0].append("apple", "1");
  out.partitions[2].append("pear", std::string("\0\x01", 2));
  out.partitions[2].append("plum", "");
  const engine::CommitNames names{ck(), "run-r1"};
  const ckpt::Commit c = engine::commit_map_task(names, out, "counters");
  EXPECT_EQ(c.file, "map/1/t1234-run-r1");

  engine::MapTaskOutput back;
  std::string counters;
  engine::load_map_task(ck(), c, 3, back, counters);
  EXPECT_EQ(back.task_id, 1234u);
  EXPECT_EQ(counters, "counters");
  for (int p = 0; p < 3; ++p) {
    EXPECT_EQ(back.partitions[p].bytes(), out.partitions[p].bytes());
    EXPECT_EQ(back.partitions[p].pairs(), out.partitions[p].pairs());
  }
  EXPECT_THROW(engine::load_map_task(ck(), c, 4, back, counters), engine::DamagedCommit);

  const std::string path = ck() + "/" + c.file;
  const std::string good = slurp(path);
  for (std::size_t at : {std::size_t{0}, good.size() / 2, good.size() - 1}) {
    std::string bad = good;
    bad[at] ^= 0x40;
    std::ofstream(path, std::ios::trunc | std::ios::binary) << bad;
    EXPECT_THROW(engine::load_map_task(ck(), c, 3, back, counters), engine::DamagedCommit)
        << "bit flipped at " << at;
  }
  std::ofstream(path, std::ios::trunc | std::ios::binary) << good.substr(0, 20);
  EXPECT_THROW(engine::load_map_task(ck(), c, 3, back, counters), engine::DamagedCommit);
  fs::remove(path);
  EXPECT_THROW(engine::load_map_task(ck(), c, 3, back, counters), engine::DamagedCommit);
}

TEST_F(Scratch, PartitionRoundTripAndDamage) {
  fs::create_directories(ck() + "/reduce");
  // Rows spilled every few bytes: the commit reads them back from disk.
  io::RowSpool rows(40, ck());
  rows.add("before", "x"); // a row of the previous partition
  rows.end_partition();
  rows.add("a", "1");
  rows.add("bb", "");
  rows.add("ccc", "333");
  rows.end_partition();
  EXPECT_GT(rows.spilled_bytes(), 0u);
  const engine::CommitNames names{ck(), "run-r2"};
  const ckpt::Commit c = engine::commit_partition(names, 7, rows, 1, 4, "n", 8);

  io::RowSpool spool;
  spool.add("kept", "k");
  std::string counters;
  engine::load_partition(ck(), c, spool, counters);
  const io::OutputRows back = io::rows_of(spool);
  EXPECT_EQ(counters, "n");
  ASSERT_EQ(back.rows(), 4u);
  EXPECT_EQ(back.key(0), "kept");
  EXPECT_EQ(back.key(1), "a");
  EXPECT_EQ(back.key(2), "bb");
  EXPECT_EQ(back.value(2), "");
  EXPECT_EQ(back.key(3), "ccc");
  EXPECT_EQ(back.value(3), "333");

  const std::string path = ck() + "/" + c.file;
  std::string bad = slurp(path);
  bad[bad.size() / 2] ^= 1;
  std::ofstream(path, std::ios::trunc | std::ios::binary) << bad;
  EXPECT_THROW(engine::load_partition(ck(), c, spool, counters), engine::DamagedCommit);
}

TEST_F(Scratch, NeverTakesOverAUsersFolders) {
  fs::create_directories(ck() + "/map/mine");
  std::ofstream(ck() + "/map/mine/data.txt") << "the user's";
  EXPECT_THROW(ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::fresh),
               ckpt::CheckpointRefused);
  EXPECT_THROW(ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::restart_fresh),
               ckpt::CheckpointRefused);
  EXPECT_TRUE(fs::exists(ck() + "/map/mine/data.txt"));
}
