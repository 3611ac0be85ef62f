// tests/tools/test_jobs.cpp: jobs that misbehave on purpose, linked only into
// `mr_with_test_jobs` (the `mapreduce` command plus these), for the tests of
// how a run fails.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include <mpi.h>

#include "mr/codec.h"
#include "mr/count_job.h"
#include "mr/params.h"
#include "mr/registry.h"
#include "mr/text.h"

namespace {

/// Throws from map on a line that reads "boom": a worker fails mid-run.
class Explode : public mr::Job {
public:
  void map(const mr::Record &r, mr::Emitter &out) override {
    if (r.bytes == "boom")
      throw std::runtime_error("boom on purpose");
    out.emit(r.bytes, mr::u64_bytes(1));
  }
  void reduce(std::string_view key, std::span<const std::string_view>,
              mr::Emitter &out) override {
    out.emit(key, mr::u64_bytes(1));
  }
};

/// Counts lines with a combine that throws when it merges two "boom"s: one
/// "boom" a task is never merged in map, only across tasks or in reduce.
class CombineBoom : public mr::Job {
public:
  void map(const mr::Record &r, mr::Emitter &out) override { out.emit(r.bytes, "x"); }
  void combine(std::string_view key, std::string_view a, std::string_view b,
               std::string &merged) override {
    if (key == "boom")
      throw std::runtime_error("combine boom on purpose");
    merged.assign(a).append(b);
  }
  void reduce(std::string_view key, std::span<const std::string_view> values,
              mr::Emitter &out) override {
    std::uint64_t n = 0;
    for (std::string_view v : values)
      n += v.size();
    out.emit(key, mr::u64_bytes(n));
  }
};

/// Crashes its rank: map on a line "segv" (SIGSEGV) or "abort" (abort()),
/// reduce on the key "crash-in-reduce"; other lines are counted.
class CrashCount : public mr::CountJob {
public:
  void map(const mr::Record &r, mr::Emitter &out) override {
    if (r.bytes == "segv")
      std::raise(SIGSEGV);
    if (r.bytes == "abort")
      std::abort();
    out.emit(r.bytes, mr::u64_bytes(1));
  }
  void reduce(std::string_view key, std::span<const std::string_view> values,
              mr::Emitter &out) override {
    if (key == "crash-in-reduce")
      std::raise(SIGSEGV);
    mr::CountJob::reduce(key, values, out);
  }
};

/// Refuses to start without a non-empty --param x=...: a job checking its
/// parameters itself.
class NeedParam : public mr::Job {
public:
  static mr::ParamSpecs parameters() { return {mr::required_param("x", "anything")}; }
  explicit NeedParam(const mr::Params &p) {
    if (p.at("x").empty())
      throw std::invalid_argument("job needparam needs --param x=VALUE");
  }
  void map(const mr::Record &r, mr::Emitter &out) override { out.emit(r.bytes, ""); }
  void reduce(std::string_view key, std::span<const std::string_view>,
              mr::Emitter &out) override {
    out.emit(key, "");
  }
};

/// Sorts lines with a range partitioner: range partitioning of a lines
/// input (the sample then reads lines at random positions).
class SortLines : public mr::Job {
public:
  void map(const mr::Record &r, mr::Emitter &out) override { out.emit(r.bytes, {}); }
  void reduce(std::string_view line, std::span<const std::string_view> copies,
              mr::Emitter &out) override {
    for (std::size_t i = 0; i < copies.size(); ++i)
      out.emit(line, {});
  }
  mr::Partitioning partitioning() const override { return mr::Partitioning::range; }
};

/// Copies key/value pairs (a run's output, or a tsv import) to its output,
/// range-partitioned (the sample then reads whole blocks of rows): the
/// values of a key in byte order, each a row. A uint64 value is copied as
/// its 8 bytes, printed by export as they are.
class EchoPairs : public mr::Job {
public:
  mr::InputFormat input_format() const override { return mr::InputFormat::pairs; }
  void map(const mr::Record &r, mr::Emitter &out) override { out.emit(r.key(), r.value); }
  void reduce(std::string_view key, std::span<const std::string_view> values,
              mr::Emitter &out) override {
    for (std::string_view v : values)
      out.emit(key, v);
  }
  mr::Partitioning partitioning() const override { return mr::Partitioning::range; }
};

/// Word count with its own partitioner: a word goes to partition (its first
/// byte) mod the partition count. With --param bad=true, words starting with
/// 'z' are sent one past the last partition (a job's bug).
class ByLetter : public mr::CountJob {
public:
  static mr::ParamSpecs parameters() {
    return {{"bad", "false", "true: put words starting with 'z' out of range"}};
  }
  explicit ByLetter(const mr::Params &p) : bad_(mr::param_bool(p, "bad")) {}
  void map(const mr::Record &r, mr::Emitter &out) override {
    const mr::U64Bytes one = mr::u64_bytes(1);
    mr::for_each_word(r.bytes, [&](std::string_view word) { out.emit(word, one); });
  }
  mr::Partitioning partitioning() const override { return mr::Partitioning::custom; }
  std::uint32_t partition(std::string_view key, std::uint32_t partitions) const override {
    if (key.empty())
      return 0;
    if (bad_ && key[0] == 'z')
      return partitions;
    return static_cast<unsigned char>(key[0]) % partitions;
  }

private:
  bool bad_;
};

/// Word count (the same output as `wordcount`) with a straggler on demand:
/// world rank `rank` sleeps `ms` milliseconds before each map task and
/// before the first key of each reduce partition it reduces; with `gate`,
/// it waits there until that file exists instead. Counts lines
/// and empty lines as counters, so that tests can check counters too. The
/// end-to-end tests that need a slow rank (kill -9, SIGSTOP, SIGTERM,
/// backups over MPI) use it; the engine itself has no hook for them.
class SlowCount : public mr::CountJob {
public:
  static mr::ParamSpecs parameters() {
    return {
        mr::required_param("rank", "the world rank to slow down"),
        mr::required_param("ms",
                           "milliseconds it sleeps each time (with gate: between looks)"),
        {"gate", "", "a file: each time, the slow rank waits until it exists", false}};
  }
  explicit SlowCount(const mr::Params &p)
      : delay_(std::chrono::milliseconds(mr::param_u64(p, "ms", 0, 600000))),
        gate_(mr::param(p, "gate")) {
    int me = -1;
    MPI_Comm_rank(MPI_COMM_WORLD, &me);
    slow_ = me == static_cast<int>(mr::param_u64(p, "rank", 0, 1 << 20));
  }
  void start_task() override { nap(); }
  void map(const mr::Record &record, mr::Emitter &out) override {
    ++lines_;
    if (record.bytes.empty())
      ++empty_;
    const mr::U64Bytes one = mr::u64_bytes(1);
    mr::for_each_word(record.bytes, [&](std::string_view word) { out.emit(word, one); });
  }
  void reduce(std::string_view key, std::span<const std::string_view> values,
              mr::Emitter &out) override {
    // Keys come in byte order within a partition: a key not after the last
    // one starts a new partition (nearly always: hash partitions).
    if (first_ || key <= last_)
      nap();
    first_ = false;
    last_.assign(key);
    mr::CountJob::reduce(key, values, out);
  }

private:
  // With a gate, the test decides when the slow rank goes on (it creates
  // the file), not a race between its kill and the job's end.
  void nap() const {
    if (!slow_)
      return;
    if (gate_.empty()) {
      std::this_thread::sleep_for(delay_);
      return;
    }
    while (!std::filesystem::exists(gate_))
      std::this_thread::sleep_for(std::max(delay_, std::chrono::milliseconds(1)));
  }
  std::chrono::milliseconds delay_;
  std::string gate_;
  bool slow_ = false, first_ = true;
  std::string last_;
  std::uint64_t &lines_ = counter("lines");
  std::uint64_t &empty_ = counter("empty_lines");
};

} // namespace

MR_REGISTER_JOB("slowcount", SlowCount, "test job: wordcount with a slow rank");
MR_REGISTER_JOB("sortlines", SortLines, "test job: sorts lines, range-partitioned");
MR_REGISTER_JOB("byletter", ByLetter, "test job: wordcount, partitioned by first byte");
MR_REGISTER_JOB("explode", Explode, "test job: fails on a line 'boom'");
MR_REGISTER_JOB("combineboom", CombineBoom, "test job: its combine fails on 'boom'");
MR_REGISTER_JOB("crashcount", CrashCount, "test job: crashes its rank on a line 'segv'");
MR_REGISTER_JOB("echopairs", EchoPairs, "test job: copies key/value pairs");
MR_REGISTER_JOB("needparam", NeedParam, "test job: needs --param x=...");
