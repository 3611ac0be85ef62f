// src/engine/progress.h: a run's progress as rank 0 reports it, phase by
// phase. The map: tasks and bytes done of the total, rate, ETA, workers
// busy, backups, a lagging worker. Then the shuffle (bytes received of all
// to receive), the reduce (partitions reduced of all to reduce) and the
// write. On a terminal one line redrawn in place; in a file or a Slurm log
// a timestamped line at most every --progress seconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace mr::engine {

struct MapProgressState {
  std::size_t tasks_done = 0, tasks = 0;
  std::uint64_t bytes_done = 0, bytes = 0; // input bytes of tasks done, of all
  std::uint64_t bytes_mapped = 0;          // of those, mapped in this run (not loaded)
  int busy = 0, workers = 0;               // workers running a copy now
  int backups = 0;                         // backup copies running now
  std::string lagging;                     // "rank 2 on task 17 for 12 s", or empty
};

/// The line for `s`, `seconds` into the phase (no newline, no timestamp).
std::string describe_map_progress(const MapProgressState &s, double seconds);

/// The phases after the map, in the order a worker goes through them.
enum class Phase { shuffle = 1, reduce = 2, write = 3 };

struct PhaseProgressState {
  Phase phase = Phase::shuffle;
  /// shuffle: bytes received, of all the workers will receive; reduce:
  /// partitions reduced, of all to reduce (not those taken from the
  /// checkpoint); write: bytes written (rows and their offsets), of all.
  std::uint64_t done = 0, total = 0;
  int in_phase = 0, workers = 0; // workers in this phase now, of all
  std::string lagging;           // "rank 2 (host h) at 1/4 partitions", or empty
};

std::string describe_phase_progress(const PhaseProgressState &s, double seconds);

/// A command's line: "import: 12.0 of 100.0 MB read (12%), 40.0 MB/s, ETA
/// 2 s" (label "import", verb "read"), and in rows: "export: 1200 of 5000
/// rows (24%), 400 rows/s, ETA 9 s".
std::string describe_bytes_progress(const std::string &label, const std::string &verb,
                                    std::uint64_t done, std::uint64_t total,
                                    double seconds);
std::string describe_rows_progress(const std::string &label, const std::string &verb,
                                   std::uint64_t done, std::uint64_t total,
                                   double seconds);

/// When and how a progress line is printed. One phase at a time: restart()
/// begins the next; a log keeps its interval across phases, so a line comes
/// every `every` seconds whichever phase runs.
class ProgressLine {
public:
  using Time = std::chrono::steady_clock::time_point;
  /// out: nullptr for none (-q). redraw: out is a terminal. every: seconds
  /// between two lines in a log (0: a line whenever asked).
  ProgressLine(std::FILE *out, bool redraw, double every, Time start)
      : out_(out), redraw_(redraw), every_(every), start_(start), last_(start) {}
  ~ProgressLine() { interrupt(); } // an error on its way out starts a line of its own
  ProgressLine(const ProgressLine &) = delete;
  ProgressLine &operator=(const ProgressLine &) = delete;

  /// Whether show(..., now, final) would print: a caller builds the line
  /// (a walk over the workers, a median of the tasks) only then.
  bool due(Time now, bool final) const;
  /// Shows `text` if it is time to; `final` (the phase is over) ends the
  /// line on a terminal, and in a log prints the last line if any of this
  /// phase was printed.
  void show(const std::string &text, Time now, bool final);
  /// Before another message: ends a line being redrawn.
  void interrupt();
  /// The next phase starts now.
  void restart(Time now);
  /// Seconds since the phase started.
  double seconds(Time now) const {
    return std::chrono::duration<double>(now - start_).count();
  }

private:
  std::FILE *out_;
  bool redraw_;
  double every_;
  Time start_, last_;
  bool shown_ = false, open_line_ = false, ended_ = false;
};

} // namespace mr::engine
