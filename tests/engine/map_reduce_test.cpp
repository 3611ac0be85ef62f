// tests/engine/map_reduce_test.cpp: one map task and one reduce partition,
// without MPI, with the real wordcount job and a job that does not combine.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <sstream>
#include <tuple>

#include "core/hash.h"
#include "engine/map_task.h"
#include "engine/reduce_partition.h"
#include "io/output_writer.h"
#include "join_values_job.h"
#include "mr/codec.h"
#include "mr/count_job.h"
#include "mr/registry.h"
#include "mr/text.h"

namespace {

using namespace mr;
using namespace mr::engine;

std::map<std::string, std::uint64_t> oracle_word_count(const std::string &text) {
  std::map<std::string, std::uint64_t> counts;
  std::string word;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r') {
      if (!word.empty())
        ++counts[word];
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty())
    ++counts[word];
  return counts;
}

std::string random_text(unsigned seed) {
  std::mt19937 rng(seed);
  const char *seps[] = {" ", "  ", "\t", "\n", "\r\n", "\v", "\f", " \n"};
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    text += "w" + std::to_string(rng() % 300);
    if (rng() % 5 == 0)
      text += "\xc3\xa9";
    text += seps[rng() % 8];
  }
  return text;
}

/// Maps `text` as one task, then reduces every partition: the whole pipeline
/// of one rank.
io::OutputRows map_then_reduce(Job &job, const std::string &text,
                               std::uint32_t partitions, MapTaskStats *ms = nullptr,
                               std::uint64_t combine_bytes = 64 << 20) {
  core::CombineTable table;
  MapTaskOutput out;
  InputInfo info;
  info.file_offsets = {0, text.size()};
  info.name_offsets = {0, 0};
  const core::Partitioner partitioner(partitions);
  MapTaskStats stats =
      run_map_task(job, {text, 0, &info}, partitioner, table, out, combine_bytes);
  if (ms)
    *ms = stats;
  EXPECT_EQ(out.partitions.size(), partitions);
  io::RowSpool rows;
  ReduceWorkspace work; // reused by every partition, as a worker does
  for (std::uint32_t p = 0; p < partitions; ++p) {
    // Every pair sits in the partition its key hashes to.
    core::for_each_pair(out.partitions[p].bytes(), [&](std::string_view k, auto) {
      EXPECT_EQ(core::partition_of(k, partitions), p);
    });
    std::vector<std::string_view> runs{out.partitions[p].bytes()};
    reduce_partition(job, runs, job.output_value_type() == ValueType::uint64, table, work,
                     rows);
    rows.end_partition();
  }
  return io::rows_of(rows);
}

TEST(MapReduce, WordCountMatchesOracle) {
  auto job = find_job("wordcount")->make({});
  for (unsigned seed : {1u, 2u, 3u})
    for (std::uint32_t partitions : {1u, 3u, 8u}) {
      const std::string text = random_text(seed);
      MapTaskStats ms;
      io::OutputRows rows = map_then_reduce(*job, text, partitions, &ms);
      auto oracle = oracle_word_count(text);
      std::map<std::string, std::uint64_t> got;
      for (std::uint64_t i = 0; i < rows.rows(); ++i)
        EXPECT_TRUE(got.emplace(rows.key(i), read_u64(rows.value(i))).second)
            << "key twice: " << rows.key(i);
      EXPECT_EQ(got, oracle);
      // The combiner ran: one pair per distinct word left the task.
      EXPECT_EQ(ms.pairs_out, oracle.size());
      std::uint64_t words = 0;
      for (auto &[w, c] : oracle)
        words += c;
      EXPECT_EQ(ms.pairs_emitted, words);
    }
}

TEST(MapReduce, SmallCombineBufferFlushesAndStaysCorrect) {
  auto job = find_job("wordcount")->make({});
  const std::string text = random_text(9);
  MapTaskStats ms;
  io::OutputRows rows = map_then_reduce(*job, text, 4, &ms, /*combine_bytes=*/512);
  std::map<std::string, std::uint64_t> got;
  for (std::uint64_t i = 0; i < rows.rows(); ++i)
    got[std::string(rows.key(i))] = read_u64(rows.value(i));
  const auto oracle = oracle_word_count(text);
  EXPECT_EQ(got, oracle);
  // The table was emptied many times, so a word left the task more than once.
  EXPECT_GT(ms.pairs_out, oracle.size());
  EXPECT_LT(ms.pairs_out, ms.pairs_emitted);
}

/// Counts each word with a prefix, built in one buffer that it overwrites
/// for every word: the engine must copy such keys (the keys that lie in the
/// task's input it may keep by address).
struct PrefixedCount : CountJob {
  void map(const Record &r, Emitter &out) override {
    const U64Bytes one = u64_bytes(1);
    for_each_word(r.bytes, [&](std::string_view w) {
      out.emit(w, one); // a view into the input
      buffer_.assign("p:");
      buffer_.append(w);
      out.emit(buffer_, one); // the same bytes, overwritten next word
      buffer_.assign(buffer_.size(), '#');
    });
  }
  std::string buffer_;
};

TEST(MapReduce, KeysFromAReusedBufferAreCopiedAndKeysFromTheInputNot) {
  const auto job = make_job<PrefixedCount>();
  ASSERT_TRUE(job->combines());
  const std::string text = random_text(5);
  for (std::uint64_t combine_bytes : {64ull << 20, 512ull}) {
    io::OutputRows rows = map_then_reduce(*job, text, 3, nullptr, combine_bytes);
    std::map<std::string, std::uint64_t> got, expected;
    for (std::uint64_t i = 0; i < rows.rows(); ++i)
      got[std::string(rows.key(i))] = read_u64(rows.value(i));
    for (const auto &[w, n] : oracle_word_count(text)) {
      expected[w] = n;
      expected["p:" + w] = n;
    }
    EXPECT_EQ(got, expected) << "combine buffer " << combine_bytes;
  }
}

/// Without a combiner, reduce sees every value, in byte order.
using mr::testing::JoinValues;

TEST(MapReduce, WithoutCombinerValuesArriveSorted) {
  JoinValues job;
  io::OutputRows rows = map_then_reduce(job, "b 2\na 9\nb 1\na 3\nc x\nb 10\n", 2);
  std::map<std::string, std::string> got;
  for (std::uint64_t i = 0; i < rows.rows(); ++i)
    got[std::string(rows.key(i))] = rows.value(i);
  EXPECT_EQ(got, (std::map<std::string, std::string>{
                     {"a", "3;9;"}, {"b", "1;10;2;"}, {"c", "x;"}}));
}

TEST(MapReduce, ReduceKeysComeInByteOrderWithinAPartition) {
  auto job = find_job("wordcount")->make({});
  io::OutputRows rows = map_then_reduce(*job, "zz yy xx \xff aa bb aa\n", 1);
  for (std::uint64_t i = 1; i < rows.rows(); ++i)
    EXPECT_LT(rows.key(i - 1), rows.key(i));
}

struct BadValues : Job {
  void map(const Record &r, Emitter &out) override { out.emit(r.bytes, "x"); }
  void reduce(std::string_view key, std::span<const std::string_view>,
              Emitter &out) override {
    out.emit(key, "not eight bytes");
  }
  ValueType output_value_type() const override { return ValueType::uint64; }
};

TEST(MapReduce, WrongSizedUint64ValueIsAClearError) {
  BadValues job;
  try {
    map_then_reduce(job, "a\n", 1);
    FAIL() << "no error";
  } catch (const std::runtime_error &e) {
    EXPECT_NE(std::string(e.what()).find("uint64"), std::string::npos) << e.what();
  }
}

TEST(Registry, WordCountIsRegisteredAndNamesAreUnique) {
  ASSERT_NE(find_job("wordcount"), nullptr);
  EXPECT_EQ(find_job("no-such-job"), nullptr);
  EXPECT_THROW(register_job({"wordcount", "again", {}, nullptr}), std::logic_error);
}

TEST(Registry, ParametersAreCheckedAndDefaulted) {
  JobEntry job{"j", "", {{"a", "1", "help"}, required_param("b", "help")}, nullptr};
  EXPECT_EQ(resolve_params(job, {{"b", "x"}}), (Params{{"a", "1"}, {"b", "x"}}));
  EXPECT_EQ(resolve_params(job, {{"a", "2"}, {"b", "x"}}),
            (Params{{"a", "2"}, {"b", "x"}}));
  try {
    resolve_params(job, {{"b", "x"}, {"typo", "1"}});
    FAIL() << "unknown parameter accepted";
  } catch (const std::invalid_argument &e) {
    EXPECT_NE(std::string(e.what()).find("no parameter 'typo' (it takes: a, b)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(resolve_params(job, {}), std::invalid_argument); // b is required
  // Word count takes no parameter at all.
  EXPECT_THROW(resolve_params(*find_job("wordcount"), {{"typo", "1"}}),
               std::invalid_argument);
}

/// A job combines exactly when its class overrides combine.
struct NoCombine : JoinValues {};
struct WithCombine : JoinValues {
  void combine(std::string_view, std::string_view a, std::string_view b,
               std::string &m) override {
    m = std::string(a) + std::string(b);
  }
};
struct InheritsCombine : WithCombine {};

TEST(Registry, CombiningIsDetectedFromTheClass) {
  EXPECT_FALSE(make_job<NoCombine>()->combines());
  EXPECT_TRUE(make_job<WithCombine>()->combines());
  EXPECT_TRUE(make_job<InheritsCombine>()->combines());
  EXPECT_TRUE(find_job("wordcount")->make({})->combines());
}

/// Records of three files (one empty) with their offsets and file indices.
TEST(MapTask, RecordsKnowTheirOffsetAndFile) {
  const std::string text = "a\nbb\r\nccc\nd\n";
  InputInfo info;
  info.file_offsets = {0, 5, 5, text.size()}; // "a\nbb\r\n" | "" | "ccc\nd\n"
  std::vector<std::tuple<std::string, std::uint64_t, std::uint32_t>> got;
  // As a task starting at offset 2 (the second line) would see it.
  engine::for_each_record(
      {std::string_view(text).substr(2), 2, &info},
      [&](const Record &r) { got.emplace_back(r.bytes, r.offset, r.file); });
  EXPECT_EQ(got, (decltype(got){{"bb", 2, 0}, {"ccc", 6, 2}, {"d", 10, 2}}));

  info.format = InputFormat::records;
  info.record_size = 3;
  info.file_offsets = {0, 6, 12};
  const std::string recs = "aaabbbcccddd";
  got.clear();
  engine::for_each_record(
      {std::string_view(recs).substr(3), 3, &info},
      [&](const Record &r) { got.emplace_back(r.bytes, r.offset, r.file); });
  EXPECT_EQ(got, (decltype(got){{"bbb", 3, 0}, {"ccc", 6, 1}, {"ddd", 9, 1}}));
}

TEST(Partitioner, RangesFollowTheSplitPoints) {
  const core::Partitioner p(core::split_points_from_sample(
      {"d", "a", "b", "c", "e", "f", "g", "h", "i", "j", "k", "l"}, 3));
  ASSERT_EQ(p.count(), 3u);
  EXPECT_EQ(p.split_points(), (std::vector<std::string>{"e", "i"}));
  EXPECT_EQ(p.of(""), 0u);
  EXPECT_EQ(p.of("dzz"), 0u);
  EXPECT_EQ(p.of("e"), 1u);
  EXPECT_EQ(p.of("hzz"), 1u);
  EXPECT_EQ(p.of("i"), 2u);
  EXPECT_EQ(p.of("\xff"), 2u);
}

/// A reduce that emits other keys than it got still leaves its partition
/// sorted by key (export merges partitions by key).
struct SwapKeyValue : JoinValues {
  void reduce(std::string_view key, std::span<const std::string_view> values,
              Emitter &out) override {
    for (auto v : values)
      out.emit(v, key);
  }
};

TEST(MapReduce, RowsOfAPartitionEndSortedByKey) {
  SwapKeyValue job;
  io::OutputRows rows = map_then_reduce(job, "a 9\nb 1\nc 5\nd 1\n", 1);
  ASSERT_EQ(rows.rows(), 4u);
  std::vector<std::pair<std::string, std::string>> got;
  for (std::uint64_t i = 0; i < rows.rows(); ++i)
    got.emplace_back(rows.key(i), rows.value(i));
  EXPECT_EQ(got, (decltype(got){{"1", "b"}, {"1", "d"}, {"5", "c"}, {"9", "a"}}));
}

TEST(Codec, SortedSetsMerge) {
  auto set = [](std::initializer_list<std::string_view> items) {
    std::string s;
    for (auto i : items)
      append_string(s, i);
    return s;
  };
  std::string merged;
  merge_sorted_sets(set({"a", "c", "e"}), set({"b", "c", "f", "g"}), merged);
  EXPECT_EQ(merged, set({"a", "b", "c", "e", "f", "g"}));
  merge_sorted_sets(set({}), set({"x"}), merged);
  EXPECT_EQ(merged, set({"x"}));
  std::vector<std::string> items;
  for_each_string(set({"", std::string(300, 'z')}),
                  [&](std::string_view s) { items.emplace_back(s); });
  EXPECT_EQ(items, (std::vector<std::string>{"", std::string(300, 'z')}));
  EXPECT_THROW(for_each_string(std::string("\x05"
                                           "ab"),
                               [](auto) {}),
               std::invalid_argument);
  EXPECT_EQ(read_sortable_u64(sortable_u64(0x0102030405060708ull)),
            0x0102030405060708ull);
  EXPECT_LT(std::string_view(sortable_u64(255)), std::string_view(sortable_u64(256)));
}

} // namespace

namespace {

/// Fails at the end of a task (as a streaming command that exited does)
/// when the task held a line "bad", or both lines "x" and "y".
class FailsAtTheEnd : public Job {
public:
  void start_task() override { bad_ = x_ = y_ = false; }
  void map(const Record &r, Emitter &) override {
    bad_ = bad_ || r.bytes == "bad";
    x_ = x_ || r.bytes == "x";
    y_ = y_ || r.bytes == "y";
  }
  void finish_task(Emitter &) override {
    if (bad_ || (x_ && y_))
      throw std::runtime_error("the command exited with code 1");
  }
  void reduce(std::string_view, std::span<const std::string_view>, Emitter &) override {}

private:
  bool bad_ = false, x_ = false, y_ = false;
};

} // namespace

/// --skip-bad-records on a failure that names no record: halving the task
/// finds the record that fails alone, or none when only several together do.
TEST(MapTask, FindsTheRecordAFailureAtTheEndComesFrom) {
  std::string text;
  for (int i = 0; i < 1000; ++i)
    text += i == 637 ? "bad\n" : "line" + std::to_string(i) + "\n";
  InputInfo info;
  info.file_offsets = {0, text.size()};
  info.name_offsets = {0, 5};
  info.name_bytes = {'a', '.', 't', 'x', 't'};
  FailsAtTheEnd job;
  const std::uint64_t at = text.find("bad\n");
  try {
    find_failing_record(job, {text, 100, &info});
    FAIL() << "no record named";
  } catch (const RecordFailed &e) {
    EXPECT_EQ(e.offset, 100 + at);
    EXPECT_EQ(e.head, "bad");
    EXPECT_STREQ(e.what(), "the command exited with code 1");
  }
  // Skipped, it fails no more: nothing to name.
  const std::vector<std::uint64_t> skip{100 + at};
  EXPECT_NO_THROW(find_failing_record(job, {text, 100, &info, nullptr, 0, skip}));
  // Two records that fail only together: none is named.
  const std::string two = "a\nx\nb\nc\ny\nd\n";
  EXPECT_NO_THROW(find_failing_record(job, {two, 0, &info}));
}

/// A throw from map names its record, and records in `skip` are not mapped.
TEST(MapTask, AThrowNamesItsRecordAndSkippedRecordsAreNotMapped) {
  const std::string text = "a\nboom\nb\nboom\nc\n";
  InputInfo info;
  info.file_offsets = {0, text.size()};
  class Explode : public CountJob {
  public:
    void map(const Record &r, Emitter &out) override {
      if (r.bytes == "boom")
        throw std::runtime_error("no");
      out.emit(r.bytes, u64_bytes(1));
    }
  } job;
  core::CombineTable table;
  MapTaskOutput out;
  const core::Partitioner partitioner(1);
  try {
    run_map_task(job, {text, 0, &info}, partitioner, table, out, 1 << 20);
    FAIL() << "no throw";
  } catch (const RecordFailed &e) {
    EXPECT_EQ(e.offset, 2u);
  }
  const std::vector<std::uint64_t> skip{2, 9};
  const MapTaskStats s = run_map_task(job, {text, 0, &info, nullptr, 0, skip},
                                      partitioner, table, out, 1 << 20);
  EXPECT_EQ(s.skipped, 2u);
  EXPECT_EQ(s.pairs_out, 3u);
}
