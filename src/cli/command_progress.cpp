// src/cli/command_progress.cpp: see command_progress.h.
#include "cli/command_progress.h"

#include <unistd.h>

#include <cstdio>

namespace mr::cli {

CommandProgress::CommandProgress(std::string label, std::string verb, Unit unit,
                                 double every, bool quiet)
    : CommandProgress(std::move(label), std::move(verb), unit, every,
                      quiet ? nullptr : stderr, ::isatty(STDERR_FILENO) == 1,
                      Clock::now()) {}

CommandProgress::CommandProgress(std::string label, std::string verb, Unit unit,
                                 double every, std::FILE *out, bool redraw,
                                 Clock::time_point start)
    : label_(std::move(label)), verb_(std::move(verb)), unit_(unit), redraw_(redraw),
      start_(start), line_(out, redraw_, every, start_) {}

void CommandProgress::update(std::uint64_t done, std::uint64_t total,
                             Clock::time_point now) {
  done_ = done;
  total_ = total;
  if (total > 0 && done >= total)
    return finish(now);
  // On a terminal not in the first second: a quick command stays as terse
  // as it was.
  if (redraw_ && now - start_ < std::chrono::seconds(1))
    return;
  if (!line_.due(now, false))
    return;
  line_.show(text(now), now, false);
  shown_ = true;
}

void CommandProgress::finish(Clock::time_point now) {
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
