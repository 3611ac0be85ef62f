// src/engine/progress.cpp: see progress.h.
#include "engine/progress.h"

#include <ctime>

#include "core/console.h"

namespace mr::engine {

namespace {
std::string megabytes(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, bytes >= 1e10 ? "%.0f" : "%.1f", bytes / 1e6);
  return text;
}

std::string duration(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char text[32];
  if (s < 120)
    std::snprintf(text, sizeof text, "%ld s", s);
  else if (s < 7200)
    std::snprintf(text, sizeof text, "%ld min %02ld s", s / 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%ld h %02ld min", s / 3600, s / 60 % 60);
  return text;
}
} // namespace

std::string describe_map_progress(const MapProgressState &s, double seconds) {
  std::string line = "map: " + std::to_string(s.tasks_done) + "/" +
                     std::to_string(s.tasks) + " tasks, " +
                     megabytes(static_cast<double>(s.bytes_done)) + " of " +
                     megabytes(static_cast<double>(s.bytes)) + " MB";
  if (s.bytes > 0)
    line += " (" + std::to_string(s.bytes_done * 100 / s.bytes) + "%)";
  const double rate = seconds > 0 ? static_cast<double>(s.bytes_mapped) / seconds : 0;
  if (rate > 0) {
    line += ", " + megabytes(rate) + " MB/s";
    if (s.bytes_done < s.bytes)
      line += ", ETA " + duration(static_cast<double>(s.bytes - s.bytes_done) / rate);
  }
  line += "; " + std::to_string(s.busy) + " of " + std::to_string(s.workers) +
          " workers busy";
  if (s.backups > 0)
    line += ", " + std::to_string(s.backups) + " backup" + (s.backups > 1 ? "s" : "");
  if (!s.lagging.empty())
    line += "; slowest: " + s.lagging;
  return line;
}

namespace {
/// ", 40.0 MB/s, ETA 2 s": `rate_text` says the rate, the ETA follows from it.
std::string rate_and_eta(double done, double total, double seconds,
                         const std::string &rate_text) {
  const double rate = seconds > 0 ? done / seconds : 0;
  if (rate <= 0)
    return "";
  return ", " + rate_text +
         (total > done ? ", ETA " + duration((total - done) / rate) : "");
}

std::string percent(std::uint64_t done, std::uint64_t total) {
  return total > 0 ? " (" + std::to_string(done * 100 / total) + "%)" : "";
}
} // namespace

std::string describe_phase_progress(const PhaseProgressState &s, double seconds) {
  const std::string workers =
      std::to_string(s.in_phase) + " of " + std::to_string(s.workers) + " workers ";
  switch (s.phase) {
  case Phase::shuffle:
    return describe_bytes_progress("shuffle", "received", s.done, s.total, seconds) +
           "; " + workers + "in the shuffle";
  case Phase::reduce: {
    const double done = static_cast<double>(s.done);
    char per_second[32];
    std::snprintf(per_second, sizeof per_second, "%.1f",
                  seconds > 0 ? done / seconds : 0);
    std::string line = "reduce: " + std::to_string(s.done) + "/" +
                       std::to_string(s.total) + " partitions" +
                       percent(s.done, s.total) +
                       rate_and_eta(done, static_cast<double>(s.total), seconds,
                                    std::string(per_second) + " partitions/s") +
                       "; " + workers + "reducing";
    if (!s.lagging.empty())
      line += "; slowest: " + s.lagging;
    return line;
  }
  case Phase::write:
    break;
  }
  return describe_bytes_progress("write", "written", s.done, s.total, seconds) + "; " +
         workers + "writing";
}

std::string describe_bytes_progress(const std::string &label, const std::string &verb,
                                    std::uint64_t done, std::uint64_t total,
                                    double seconds) {
  const double d = static_cast<double>(done), t = static_cast<double>(total);
  return label + ": " + megabytes(d) + " of " + megabytes(t) + " MB " + verb +
         percent(done, total) +
         rate_and_eta(d, t, seconds, megabytes(seconds > 0 ? d / seconds : 0) + " MB/s");
}

std::string describe_rows_progress(const std::string &label, const std::string &verb,
                                   std::uint64_t done, std::uint64_t total,
                                   double seconds) {
  const double d = static_cast<double>(done), t = static_cast<double>(total);
  const auto per_second = static_cast<unsigned long long>(seconds > 0 ? d / seconds : 0);
  return label + ": " + std::to_string(done) + " of " + std::to_string(total) + " rows" +
         (verb.empty() ? "" : " " + verb) + percent(done, total) +
         rate_and_eta(d, t, seconds, std::to_string(per_second) + " rows/s");
}

bool ProgressLine::due(Time now, bool final) const {
  if (!out_ || ended_)
    return false;
  const double since_last = std::chrono::duration<double>(now - last_).count();
  if (redraw_)
    return final || !shown_ || since_last >= 0.2;
  return final ? shown_ : since_last >= every_;
}

void ProgressLine::show(const std::string &text, Time now, bool final) {
  if (!due(now, final))
    return;
  if (redraw_) {
    // \r and "erase to the end of the line": the line is redrawn in place.
    std::fprintf(out_, "\r%s\033[K%s", text.c_str(), final ? "\n" : "");
    open_line_ = !final;
    // Another message of this process (a command's stderr) ends it first
    // (a line redrawn in place is on the terminal, stderr).
    if (open_line_)
      core::open_stderr_line(
          [](void *line) { static_cast<ProgressLine *>(line)->interrupt(); }, this);
    else
      core::close_stderr_line(this);
  } else {
    char stamp[32];
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
    std::fprintf(out_, "[%s] %s\n", stamp, text.c_str());
  }
  std::fflush(out_);
  shown_ = true;
  last_ = now;
  ended_ = final;
}

void ProgressLine::restart(Time now) {
  start_ = now;
  shown_ = ended_ = false;
}

void ProgressLine::interrupt() {
  core::close_stderr_line(this);
  if (out_ && open_line_) {
    std::fputc('\n', out_);
    open_line_ = false;
  }
}

} // namespace mr::engine
