// tests/ckpt/checkpoint_test.cpp: the manifest (fingerprint, records, damaged
// lines, refusals) and the committed files (round trip, every kind of damage
// refused), one process, in a scratch folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "ckpt/checkpoint.h"
#include "ckpt/durable_file.h"
#include "ckpt/manifest.h"
#include "core/checksum.h"
#include "io/output_writer.h"

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

ckpt::Commit commit(std::uint32_t id, std::string file, std::uint64_t bytes,
                    std::uint64_t xxh3) {
  ckpt::Commit c;
  c.id = id;
  c.file = std::move(file);
  c.bytes = bytes;
  c.xxh3 = xxh3;
  return c;
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
    m.append("map", commit(3, "map/0/t3-0123456789ab-r1", 10, 0xff));
    m.append("reduce", commit(1, "reduce/p1-0123456789ab-r1", 20, 0x1));
  }
  auto m = ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::resume);
  EXPECT_TRUE(m.resumed());
  ASSERT_EQ(m.maps().size(), 1u);
  EXPECT_EQ(m.maps().at(3).file, "map/0/t3-0123456789ab-r1");
  EXPECT_EQ(m.maps().at(3).bytes, 10u);
  EXPECT_EQ(m.maps().at(3).xxh3, 0xffu);
  ASSERT_EQ(m.partitions().size(), 1u);
  EXPECT_EQ(m.partitions().at(1).bytes, 20u);
  EXPECT_EQ(m.damaged_records(), 0u);
  ASSERT_NE(m.committed("input"), nullptr);
  EXPECT_EQ(*m.committed("input"), "/data/in put\nwith newline % and percent");
}

TEST_F(Scratch, AppendRefusesACommitNamingAFileNotMadeForIt) {
  auto m = ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::fresh);
  EXPECT_THROW(m.append("map", commit(3, "map/0/t4-0123456789ab-r1", 10, 1)),
               std::runtime_error); // another task's file
  EXPECT_THROW(m.append("map", commit(3, "../../etc/passwd", 10, 1)), std::runtime_error);
  EXPECT_THROW(m.append("reduce", commit(3, "map/0/t3-0123456789ab-r1", 10, 1)),
               std::runtime_error); // a map file recorded as a partition
  m.append("map", commit(3, "map/0/t3-0123456789ab-r1", 10, 1));
  auto again = ckpt::Manifest::inspect(ck());
  EXPECT_EQ(again.maps().size(), 1u);
  EXPECT_EQ(again.partitions().size(), 0u);
}

TEST_F(Scratch, ACutOrAlteredRecordIsIgnored) {
  {
    auto m = ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::fresh);
    m.append("map", commit(1, "map/0/t1-0123456789ab-r1", 10, 0xff));
    m.append("map", commit(2, "map/0/t2-0123456789ab-r1", 10, 0xff));
    m.append("map", commit(3, "map/0/t3-0123456789ab-r1", 10, 0xff));
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
    m.append("map", commit(1, "map/0/t1-0123456789ab-r1", 10, 0xff));
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
  const std::string f = "map/0/t3-0123456789ab-r1";
  EXPECT_TRUE(ckpt::parse_commit("map", "3 " + f + " 10 00000000000000ff -", c));
  EXPECT_EQ(c.counters, "");
  EXPECT_TRUE(ckpt::parse_commit("map", "3 " + f + " 10 00000000000000ff 00ff41", c));
  EXPECT_EQ(c.counters, std::string("\0\xff"
                                    "A",
                                    3));
  EXPECT_EQ(c.record(), "3 " + f + " 10 00000000000000ff 00ff41");
  EXPECT_EQ(c.skipped, ""); // a record of an older version: nothing skipped
  EXPECT_FALSE(ckpt::parse_commit("map", "3 " + f + " 10 00000000000000ff", c));
  EXPECT_FALSE(ckpt::parse_commit("map", "3 " + f + " 10 00000000000000ff - extra", c));
  // A map task's skipped records (--skip-bad-records) go with it, as hex.
  EXPECT_TRUE(ckpt::parse_commit("map", "3 " + f + " 10 00000000000000ff - 0a41", c));
  EXPECT_EQ(c.skipped, "\nA");
  EXPECT_EQ(c.record(), "3 " + f + " 10 00000000000000ff - 0a41");
  EXPECT_FALSE(ckpt::parse_commit("map", "3 " + f + " 10 00000000000000ff - 0a41 -", c));
  EXPECT_FALSE(ckpt::parse_commit(
      "reduce", "3 reduce/p3-0123456789ab-r12 10 00000000000000ff - 0a41", c));
  EXPECT_FALSE(ckpt::parse_commit("map", "3 " + f + " 10 00000000000000ff 0", c));
  EXPECT_FALSE(ckpt::parse_commit("map", "3 " + f + " 10 00000000000000ff zz", c));
  EXPECT_FALSE(ckpt::parse_commit("map", "3 ../../etc/passwd 10 00000000000000ff -", c));
  EXPECT_FALSE(ckpt::parse_commit("map", "3 /etc/passwd 10 00000000000000ff -", c));
  EXPECT_FALSE(ckpt::parse_commit("map", "3 " + f + " 10 zzzzzzzzzzzzzzzz -", c));
  EXPECT_FALSE(ckpt::parse_commit("map", "3 " + f + " -10 00000000000000ff -", c));
  // Only names the engine makes, for this very task or partition.
  EXPECT_FALSE(ckpt::parse_commit("map", "4 " + f + " 10 00000000000000ff -", c));
  EXPECT_FALSE(ckpt::parse_commit("reduce", "3 " + f + " 10 00000000000000ff -", c));
  EXPECT_FALSE(ckpt::parse_commit("map", "3 map/0/notes.txt 10 00000000000000ff -", c));
  EXPECT_FALSE(ckpt::parse_commit("map", "3 map/0/t3-run-r1 10 00000000000000ff -", c));
  EXPECT_TRUE(ckpt::parse_commit(
      "reduce", "3 reduce/p3-0123456789ab-r12 10 00000000000000ff -", c));
  EXPECT_TRUE(
      ckpt::is_commit_name("reduce", "reduce/p3-0123456789ab-r12.tmp-0badf00d", true));
  EXPECT_FALSE(ckpt::is_commit_name("reduce", "reduce/p3-0123456789ab-r12.tmp-0badf00d"));
  EXPECT_FALSE(ckpt::is_commit_name("reduce", "reduce/p3-0123456789ab-r12.tmp-x", true));
}

TEST_F(Scratch, MapTaskRoundTripAndDamage) {
  fs::create_directories(ck() + "/map");
  std::vector<core::KvBuffer> runs(3);
  runs[0].append("apple", "1");
  runs[2].append("pear", std::string("\0\x01", 2));
  runs[2].append("plum", "");
  const ckpt::Checkpoint checkpoint(ck(), "0123456789ab-r1", 42);
  const ckpt::Commit c = checkpoint.commit_map_task(1234, runs, "counters");
  EXPECT_EQ(c.file, "map/1/t1234-0123456789ab-r1");
  EXPECT_EQ(c.counters, "counters");

  // Read back as a resumed worker does: where the runs are, then their bytes.
  std::string counters;
  const ckpt::TaskRuns where = checkpoint.locate_map_task(c, 3, counters);
  EXPECT_EQ(counters, "counters");
  ASSERT_EQ(where.size.size(), 3u);
  const std::string path = checkpoint.path(c);
  for (int p = 0; p < 3; ++p)
    EXPECT_EQ(ckpt::read_file_range(path, where.offset[p], where.size[p]),
              runs[p].bytes());
  const ckpt::TaskRuns planned = ckpt::Checkpoint::map_task_runs(runs, counters.size());
  EXPECT_EQ(planned.offset, where.offset);
  EXPECT_EQ(planned.size, where.size);

  EXPECT_THROW(checkpoint.locate_map_task(c, 4, counters), ckpt::DamagedCommit);
  EXPECT_THROW(checkpoint.check(c, 4), ckpt::DamagedCommit);
  // The same file in the checkpoint of another run (fingerprint) is not ours.
  const ckpt::Checkpoint other(ck(), "0123456789ab-r1", 43);
  EXPECT_THROW(other.locate_map_task(c, 3, counters), ckpt::DamagedCommit);
  EXPECT_THROW(other.check(c, 3), ckpt::DamagedCommit);
  EXPECT_NO_THROW(checkpoint.check(c, 3));

  const std::string good = slurp(path);
  for (std::size_t at : {std::size_t{0}, good.size() / 2, good.size() - 1}) {
    std::string bad = good;
    bad[at] ^= 0x40;
    std::ofstream(path, std::ios::trunc | std::ios::binary) << bad;
    EXPECT_THROW(checkpoint.locate_map_task(c, 3, counters), ckpt::DamagedCommit)
        << "bit flipped at " << at;
    EXPECT_THROW(checkpoint.check(c, 3), ckpt::DamagedCommit) << "bit flipped at " << at;
  }
  std::ofstream(path, std::ios::trunc | std::ios::binary) << good.substr(0, 20);
  EXPECT_THROW(checkpoint.locate_map_task(c, 3, counters), ckpt::DamagedCommit);
  fs::remove(path);
  EXPECT_THROW(checkpoint.locate_map_task(c, 3, counters), ckpt::DamagedCommit);
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
  const ckpt::Checkpoint checkpoint(ck(), "0123456789ab-r2", 42);
  const ckpt::Commit c = checkpoint.commit_partition(7, rows, 1, 4, "n", 8);
  EXPECT_EQ(c.counters, "n");

  io::RowSpool spool;
  spool.add("kept", "k");
  std::string counters;
  const ckpt::Checkpoint other(ck(), "0123456789ab-r2", 43);
  EXPECT_THROW(other.load_partition(c, spool, counters), ckpt::DamagedCommit);
  EXPECT_THROW(other.check(c, 0), ckpt::DamagedCommit);
  checkpoint.load_partition(c, spool, counters);
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
  EXPECT_THROW(checkpoint.load_partition(c, spool, counters), ckpt::DamagedCommit);
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

TEST_F(Scratch, LinksInTheFolderAreRefusedNeverFollowed) {
  const fs::path user = dir / "user";
  fs::create_directories(user);
  std::ofstream(user / "notes.txt") << "the user's";
  for (const std::string where :
       {"map", "reduce", "map/0", "map/0/t1-0123456789ab-r1", "manifest"}) {
    fs::remove_all(ck());
    { ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::fresh); }
    fs::create_directories(ck() + "/map/0");
    fs::remove_all(ck() + "/" + where);
    fs::create_symlink(where == "manifest" || where.ends_with("r1") ? user / "notes.txt"
                                                                    : user,
                       ck() + "/" + where);
    for (auto mode : {ckpt::OpenMode::resume, ckpt::OpenMode::restart_fresh})
      EXPECT_THROW(ckpt::Manifest::open(ck(), fingerprint(), mode),
                   ckpt::CheckpointRefused)
          << where;
    EXPECT_THROW(ckpt::Manifest::inspect(ck()), ckpt::CheckpointRefused) << where;
    EXPECT_EQ(slurp((user / "notes.txt").string()), "the user's") << where;
    EXPECT_EQ(std::distance(fs::directory_iterator(user), fs::directory_iterator()), 1)
        << where;
  }
  // Readers never open through a link, nor anything but a regular file.
  fs::remove_all(ck());
  fs::create_directories(ck());
  fs::create_symlink(user / "notes.txt", ck() + "/link");
  EXPECT_THROW(ckpt::read_whole_file(ck() + "/link"), std::runtime_error);
  EXPECT_THROW(ckpt::read_whole_file(ck()), std::runtime_error);
}

TEST_F(Scratch, RemovesOnlyWhatItMade) {
  {
    auto m = ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::fresh);
    fs::create_directories(ck() + "/map/0");
    std::ofstream(ck() + "/map/0/t1-0123456789ab-r1") << "ours";
    std::ofstream(ck() + "/map/0/t2-0123456789ab-r1.tmp-0badf00d") << "ours";
    std::ofstream(ck() + "/map/0/notes.txt") << "the user's";
    fs::create_directories(ck() + "/map/mine"); // a user's empty folder
    fs::create_directories(ck() + "/map/7");    // one of ours, empty
    std::ofstream(ck() + "/lock") << "the user's";
    std::ofstream(ck() + "/reduce/p1-0123456789ab-r1") << "ours";
    m.remove_all();
  }
  EXPECT_FALSE(fs::exists(ck() + "/map/0/t1-0123456789ab-r1"));
  EXPECT_FALSE(fs::exists(ck() + "/map/0/t2-0123456789ab-r1.tmp-0badf00d"));
  EXPECT_FALSE(fs::exists(ck() + "/reduce"));
  EXPECT_FALSE(fs::exists(ck() + "/manifest"));
  EXPECT_EQ(slurp(ck() + "/map/0/notes.txt"), "the user's");
  EXPECT_EQ(slurp(ck() + "/lock"), "the user's");
  EXPECT_TRUE(fs::is_directory(ck() + "/map/mine"));
  EXPECT_FALSE(fs::exists(ck() + "/map/7"));
}

// Forged manifest lines, sealed anew (an attacker can compute the line
// checksum): whatever they say, a record the manifest keeps names a file
// the engine makes for that very task or partition, inside the folder.
TEST_F(Scratch, ForgedRecordsNeverNameAFileOutsideOurNames) {
  { ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::fresh); }
  std::mt19937_64 rng(11);
  const std::vector<std::string> files = {"map/0/t{id}-0123456789ab-r1",
                                          "reduce/p{id}-0123456789ab-r1",
                                          "../../etc/passwd",
                                          "/etc/passwd",
                                          "map/0/../../../etc/passwd",
                                          "map/0/t{id}-0123456789ab-r1/../x",
                                          "reduce/p{id}-../../x-r1",
                                          "map/x/t{id}-0123456789ab-r1",
                                          "reduce/p{id}",
                                          "reduce/p{id}-0123456789AB-r1",
                                          "map/0/t{id}-0123456789ab-r",
                                          "lock",
                                          "manifest",
                                          "map/0/t99999999999-0123456789ab-r1",
                                          "reduce/p{id}-0123456789ab-r1.tmp-0badf00d"};
  std::string text = slurp(ck() + "/manifest");
  int written = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string kind = rng() % 2 ? "map" : "reduce";
    const std::string id = std::to_string(rng() % 5 ? rng() % 20 : rng());
    std::string file = files[rng() % files.size()];
    if (const auto at = file.find("{id}"); at != std::string::npos)
      file.replace(at, 4, rng() % 4 ? id : std::to_string(rng() % 20));
    const std::string bytes = rng() % 8 ? std::to_string(rng() % 1000) : "-5";
    const std::string counters = rng() % 3 ? "-" : (rng() % 2 ? "00ff" : "0g");
    std::string line = kind + " " + id + " " + file + " " + bytes + " " +
                       core::hex64(rng()) + " " + counters;
    if (rng() % 10 == 0)
      line += " extra";
    text += line + " ~" + core::hex64(core::xxh3(line)) + "\n";
    ++written;
  }
  std::ofstream(ck() + "/manifest", std::ios::trunc | std::ios::binary) << text;
  auto m = ckpt::Manifest::open(ck(), fingerprint(), ckpt::OpenMode::resume);
  std::size_t kept = 0;
  for (const auto *commits : {&m.maps(), &m.partitions()})
    for (const auto &[id, c] : *commits) {
      const std::string kind = commits == &m.maps() ? "map" : "reduce";
      EXPECT_TRUE(ckpt::is_commit_name(kind, c.file)) << c.file;
      EXPECT_EQ(c.file.find(".."), std::string::npos) << c.file;
      EXPECT_EQ(c.id, id);
      const auto dash = c.file.find('-');
      const auto start = c.file.rfind('/', dash) + 2; // after "t" or "p"
      EXPECT_EQ(c.file.substr(start, dash - start), std::to_string(id)) << c.file;
      ++kept;
    }
  EXPECT_GT(kept, 0u); // some forged records are well formed: they are kept,
  EXPECT_GT(m.damaged_records(), static_cast<std::size_t>(written / 2)); // most not
}
