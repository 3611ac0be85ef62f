// src/engine/stats.h: what each worker measures, and the JSON job report.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/options.h"

namespace mr::engine {

/// One worker's figures: seconds as doubles, counts and bytes as exact
/// integers. Sent to rank 0 field by field (serialize), and listed in the
/// report in the order of `visit`.
struct WorkerStats {
  double map_seconds = 0, shuffle_seconds = 0, reduce_seconds = 0, write_seconds = 0;
  double checkpoint_seconds = 0;
  double shuffle_combine_seconds = 0; // combining across tasks before sending
  std::uint64_t tasks = 0, records_in = 0, bytes_in = 0, pairs_emitted = 0;
  std::uint64_t map_pairs_out = 0, map_bytes_out = 0;
  std::uint64_t shuffle_bytes_sent = 0, shuffle_bytes_received = 0, shuffle_rounds = 0;
  std::uint64_t shuffle_combine_pairs_in = 0, shuffle_combine_pairs_out = 0;
  std::uint64_t shuffle_packed = 0; // 1: sent packed, 0: through datatypes
  std::uint64_t reduce_pairs_in = 0, reduce_keys = 0, rows_out = 0, output_bytes = 0;
  std::uint64_t peak_rss_bytes = 0;
  std::uint64_t tasks_loaded = 0, tasks_abandoned = 0, partitions_loaded = 0;
  std::uint64_t tasks_failed = 0;      // map copies whose job code failed (tried again)
  std::uint64_t partitions_failed = 0; // reduce attempts whose job code failed
  std::uint64_t checkpoint_bytes = 0;
  std::uint64_t memory_limit_bytes = 0; // 0: none
  std::uint64_t map_spilled_bytes = 0, received_spilled_bytes = 0, sorted_runs = 0;
  std::uint64_t rows_spilled_bytes = 0;

  /// Calls f(name, field) for every field of `s` (a WorkerStats, const or
  /// not), in the report's order.
  template <class Self, class F> static void visit(Self &s, F &&f) {
    f("map_seconds", s.map_seconds);
    f("shuffle_seconds", s.shuffle_seconds);
    f("reduce_seconds", s.reduce_seconds);
    f("write_seconds", s.write_seconds);
    f("tasks", s.tasks);
    f("records_in", s.records_in);
    f("bytes_in", s.bytes_in);
    f("pairs_emitted", s.pairs_emitted);
    f("map_pairs_out", s.map_pairs_out);
    f("map_bytes_out", s.map_bytes_out);
    f("shuffle_bytes_sent", s.shuffle_bytes_sent);
    f("shuffle_bytes_received", s.shuffle_bytes_received);
    f("shuffle_rounds", s.shuffle_rounds);
    f("shuffle_combine_seconds", s.shuffle_combine_seconds);
    f("shuffle_combine_pairs_in", s.shuffle_combine_pairs_in);
    f("shuffle_combine_pairs_out", s.shuffle_combine_pairs_out);
    f("shuffle_packed", s.shuffle_packed);
    f("reduce_pairs_in", s.reduce_pairs_in);
    f("reduce_keys", s.reduce_keys);
    f("rows_out", s.rows_out);
    f("output_bytes", s.output_bytes);
    f("peak_rss_bytes", s.peak_rss_bytes);
    f("tasks_loaded", s.tasks_loaded);
    f("tasks_abandoned", s.tasks_abandoned);
    f("tasks_failed", s.tasks_failed);
    f("partitions_failed", s.partitions_failed);
    f("partitions_loaded", s.partitions_loaded);
    f("checkpoint_seconds", s.checkpoint_seconds);
    f("checkpoint_bytes", s.checkpoint_bytes);
    f("memory_limit_bytes", s.memory_limit_bytes);
    f("map_spilled_bytes", s.map_spilled_bytes);
    f("received_spilled_bytes", s.received_spilled_bytes);
    f("sorted_runs", s.sorted_runs);
    f("rows_spilled_bytes", s.rows_spilled_bytes);
  }

  template <class Archive> void serialize(Archive &ar, unsigned) {
    visit(*this, [&ar](const char *, auto &field) { ar &field; });
  }
};

using Clock = std::chrono::steady_clock;

/// When each phase of one rank began and ended, in seconds since its
/// process started (ranks start within milliseconds of each other on one
/// node), so the report can say where every second went.
class Timeline {
public:
  struct Phase {
    std::string name;
    double begin = 0, end = 0;
  };
  /// One piece of work inside a phase, for the HTML report's bars: a map
  /// task copy ("map", or "map_load" from a checkpoint), a shuffle round
  /// ("round"), a reduce partition ("reduce", or "reduce_load"). `marks`:
  /// comma-separated, from "backup", "abandoned" (cancelled: the other copy
  /// won), "lost" (finished, but the other copy won), "failed", "load_failed".
  struct Event {
    std::string kind;
    std::int64_t id = -1;
    double begin = 0, end = 0;
    std::string marks;
  };
  /// At most this many events a rank (a report stays readable); the
  /// others are counted.
  static constexpr std::size_t kMaxEvents = 100000;

  /// Records phase `name` from `begin` to now.
  void add(const std::string &name, Clock::time_point begin);
  /// Records event `kind` `id` from `begin` to now.
  void event(const char *kind, std::int64_t id, Clock::time_point begin,
             std::string marks = {});
  /// Adds `mark` to the last event (a copy found lost afterwards).
  void mark_last(const char *mark);
  /// One line a phase, "begin end name", and an event, "@ begin end kind
  /// id marks", then "# dropped N" if events were dropped.
  std::string encode() const;
  static std::vector<Phase> decode(const std::string &text);
  static std::vector<Event> decode_events(const std::string &text,
                                          std::uint64_t &dropped);
  /// When this process started (its static initialisation).
  static Clock::time_point process_start();

private:
  std::vector<Phase> phases_;
  std::vector<Event> events_;
  std::uint64_t dropped_ = 0;
};

struct JobSummary {
  RunOptions options;
  int ranks = 0;
  int workers = 0;
  std::uint32_t reducers = 0;
  std::uint64_t input_bytes = 0;
  std::uint64_t tasks = 0;
  double split_seconds = 0;
  double sample_seconds = 0; // range partitioning: sampling the split points
  double wall_seconds = 0;
  double coordinator_cpu_seconds = 0;
  std::uint64_t coordinator_peak_rss_bytes = 0;
  std::uint64_t output_rows = 0;
  std::uint64_t output_file_bytes = 0;
  std::vector<WorkerStats> workers_stats;
  std::map<std::string, std::uint64_t> counters; // the job's, summed
  std::vector<std::uint64_t> partition_rows;     // output rows per partition
  std::vector<std::string> hosts;                // by world rank
  std::vector<std::string> timelines;            // Timeline::encode(), by world rank
  std::string memory_limit_source;               // what --memory-limit came from

  // Recovery (see docs/failures.md).
  bool checkpointing = false;
  bool resumed = false;
  bool already_complete = false; // --resume found the output finished: nothing ran
  std::uint64_t tasks_reused = 0, tasks_damaged = 0, tasks_mapped = 0;
  std::uint64_t partitions_reused = 0, partitions_reduced = 0;
  std::uint64_t partitions_committed = 0;
  std::uint64_t damaged_manifest_records = 0;
  std::uint64_t backups_started = 0, backups_won = 0;
  // --skip-bad-records: its limit (when given), and the records skipped,
  // by input offset ("FILE at byte N: \"first bytes\"").
  std::optional<std::uint64_t> skip_limit;
  std::vector<std::string> skipped_records;
};

/// The report as JSON text (see docs/file-formats.md, "Job report").
std::string report_json(const JobSummary &summary);

/// Seconds elapsed since `t`.
inline double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

/// This process's peak resident set size, in bytes.
std::uint64_t peak_rss_bytes();
/// CPU time (user + system) this process has used, in seconds.
double cpu_seconds();

} // namespace mr::engine
