// src/cli/command_progress.cpp: see command_progress.h.
#include "cli/command_progress.h"

#include <unistd.h>

#include <cstdio>

namespace mr::cli {

CommandProgress::CommandProgress(std::string label, std::string verb, Unit unit,
                                 double every, bool quiet)
    : label_(std::move(label)), verb_(std::move(verb)), unit_(unit),
      redraw_(::isatty(STDERR_FILENO) == 1), start_(Clock::now()),
      line_(quiet ? nullptr : stderr, redraw_, every, start_) {}

void CommandProgress::update(std::uint64_t done, std::uint64_t total) {
  done_ = done;
  total_ = total;
  if (total > 0 && done >= total)
    return finish();
  const auto now = Clock::now();
  // On a terminal not in the first second: a quick command stays as terse
  // as it was.
  if (redraw_ && now - start_ < std::chrono::seconds(1))
    return;
  if (!line_.due(now, false))
    return;
  line_.show(text(now), now, false);
  shown_ = true;
}

void CommandProgress::finish() {
  const auto now = Clock::now();
  if (shown_ && line_.due(now, true))
    line_.show(text(now), now, true);
}

std::string CommandProgress::text(Clock::time_point now) const {
  const double seconds = line_.seconds(now);
  return unit_ == Unit::bytes
             ? engine::describe_bytes_progress(label_, verb_, done_, total_, seconds)
             : engine::describe_rows_progress(label_, verb_, done_, total_, seconds);
}

} // namespace mr::cli
