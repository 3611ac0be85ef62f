// src/engine/map_progress.h: the map phase's progress as rank 0 reports it:
// tasks and bytes done of the total, rate, ETA, workers busy, backups, and
// a lagging worker. On a terminal one line redrawn in place; in a file or a
// Slurm log a timestamped line at most every --progress seconds.
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

class MapProgress {
public:
  using Time = std::chrono::steady_clock::time_point;
  /// out: nullptr for none (-q). redraw: out is a terminal. every: seconds
  /// between two lines in a log (0: a line whenever asked).
  MapProgress(std::FILE *out, bool redraw, double every, Time start)
      : out_(out), redraw_(redraw), every_(every), start_(start), last_(start) {}
  ~MapProgress() { interrupt(); } // an error on its way out starts a line of its own
  MapProgress(const MapProgress &) = delete;
  MapProgress &operator=(const MapProgress &) = delete;

  /// Shows `s` if it is time to; `final` (the phase is over) ends the line
  /// on a terminal, and in a log prints the last line if any was printed.
  void update(const MapProgressState &s, Time now, bool final);
  /// Before another message: ends a line being redrawn.
  void interrupt();

private:
  std::FILE *out_;
  bool redraw_;
  double every_;
  Time start_, last_;
  bool shown_ = false, open_line_ = false, ended_ = false;
};

} // namespace mr::engine
