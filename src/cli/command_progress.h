// src/cli/command_progress.h: the progress of a long import, export or
// verify on stderr, shown as `run` shows its phases (engine/progress.h): on
// a terminal one line redrawn in place, from the first second on; in a log
// a timestamped line every --progress seconds. A command that ends sooner
// says nothing more than before.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "engine/progress.h"

namespace mr::cli {

class CommandProgress {
public:
  enum class Unit { bytes, rows };
  /// "import: 12.0 of 100.0 MB read (12%), ...": label "import", verb
  /// "read". `every`: seconds between two lines in a log; quiet: none.
  CommandProgress(std::string label, std::string verb, Unit unit, double every,
                  bool quiet);
  using Clock = std::chrono::steady_clock;
  /// The same on `out` (nullptr: quiet), a terminal if `redraw`, started at
  /// `start`: what the tests drive on a fake clock.
  CommandProgress(std::string label, std::string verb, Unit unit, double every,
                  std::FILE *out, bool redraw, Clock::time_point start);
  /// `done` of `total` so far: shown if a line is due; done == total ends
  /// the line (finish), so that what the command prints next starts a line.
  void update(std::uint64_t done, std::uint64_t total) {
    update(done, total, Clock::now());
  }
  void update(std::uint64_t done, std::uint64_t total, Clock::time_point now);
  /// The last line (100%) if any was shown.
  void finish() { finish(Clock::now()); }
  void finish(Clock::time_point now);

private:
  std::string text(Clock::time_point now) const;

  std::string label_, verb_;
  Unit unit_;
  bool redraw_;
  Clock::time_point start_;
  engine::ProgressLine line_;
  std::uint64_t done_ = 0, total_ = 0;
  bool shown_ = false;
};

} // namespace mr::cli
