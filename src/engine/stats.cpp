// src/engine/stats.cpp: see stats.h.
#include "engine/stats.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <type_traits>

#include <nlohmann/json.hpp>

namespace mr::engine {

namespace {

using Json = nlohmann::ordered_json;

/// A whole number as an integer (as a reader expects counts), else a double.
Json num(double v) {
  if (v == static_cast<double>(static_cast<long long>(v)) && v < 9e15 && v > -9e15)
    return static_cast<long long>(v);
  return v;
}
Json num(std::uint64_t v) {
  return v;
}

/// Sums and maxima of one field over the workers.
class Over {
public:
  explicit Over(const std::vector<WorkerStats> &w) : w_(w) {}
  template <class T> T total(T WorkerStats::*m) const {
    T s = 0;
    for (const auto &x : w_)
      s += x.*m;
    return s;
  }
  template <class T> Json sum(T WorkerStats::*m) const { return num(total(m)); }
  template <class T> Json max(T WorkerStats::*m) const {
    T s = 0;
    for (const auto &x : w_)
      s = std::max(s, x.*m);
    return num(s);
  }

private:
  const std::vector<WorkerStats> &w_;
};

/// min, median, max and the list by worker of one field's values.
template <class T> Json spread(const std::vector<T> &values) {
  std::vector<T> v = values;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  const double median =
      n == 0 ? 0
      : n % 2 == 1
          ? static_cast<double>(v[n / 2])
          : (static_cast<double>(v[n / 2 - 1]) + static_cast<double>(v[n / 2])) / 2;
  Json list = Json::array();
  for (const T &x : values)
    list.push_back(num(x));
  return {{"min", num(n ? v.front() : T{})},
          {"median", num(median)},
          {"max", num(n ? v.back() : T{})},
          {"values", list}};
}

Json phases_json(const JobSummary &s, const Over &w) {
  Json phases;
  phases["split"] = {{"seconds", num(s.split_seconds)},
                     {"bytes_in", s.input_bytes},
                     {"tasks_out", s.tasks}};
  phases["map"] = {{"seconds", w.max(&WorkerStats::map_seconds)},
                   {"records_in", w.sum(&WorkerStats::records_in)},
                   {"bytes_in", w.sum(&WorkerStats::bytes_in)},
                   {"pairs_emitted", w.sum(&WorkerStats::pairs_emitted)},
                   {"pairs_out", w.sum(&WorkerStats::map_pairs_out)},
                   {"bytes_out", w.sum(&WorkerStats::map_bytes_out)}};
  phases["shuffle"] = {
      {"seconds", w.max(&WorkerStats::shuffle_seconds)},
      {"bytes_in", w.sum(&WorkerStats::shuffle_bytes_sent)},
      {"bytes_out", w.sum(&WorkerStats::shuffle_bytes_received)},
      {"rounds", w.max(&WorkerStats::shuffle_rounds)},
      {"combine_seconds", w.max(&WorkerStats::shuffle_combine_seconds)},
      {"combine_pairs_in", w.sum(&WorkerStats::shuffle_combine_pairs_in)},
      {"combine_pairs_out", w.sum(&WorkerStats::shuffle_combine_pairs_out)},
      {"send", w.total(&WorkerStats::shuffle_packed) > 0 ? "packed" : "datatypes"}};
  phases["reduce"] = {{"seconds", w.max(&WorkerStats::reduce_seconds)},
                      {"bytes_in", w.sum(&WorkerStats::shuffle_bytes_received)},
                      {"pairs_in", w.sum(&WorkerStats::reduce_pairs_in)},
                      {"keys", w.sum(&WorkerStats::reduce_keys)},
                      {"rows_out", w.sum(&WorkerStats::rows_out)},
                      {"bytes_out", w.sum(&WorkerStats::output_bytes)}};
  phases["write"] = {{"seconds", w.max(&WorkerStats::write_seconds)},
                     {"rows_in", w.sum(&WorkerStats::rows_out)},
                     {"bytes_in", w.sum(&WorkerStats::output_bytes)},
                     {"file_bytes", s.output_file_bytes}};
  return phases;
}

/// Every worker figure as min, median, max and the list by worker.
Json per_worker_json(const std::vector<WorkerStats> &w) {
  Json per_worker;
  const WorkerStats fields;
  WorkerStats::visit(fields, [&](const char *name, const auto &field) {
    using T = std::remove_cvref_t<decltype(field)>;
    std::vector<T> values;
    for (const WorkerStats &x : w)
      WorkerStats::visit(x, [&](const char *n, const auto &f) {
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(f)>, T>)
          if (std::strcmp(n, name) == 0)
            values.push_back(f);
      });
    per_worker[name] = spread(values);
  });
  return per_worker;
}

/// Each rank's phases with their begin and end (scripts/timeline.py prints them).
Json timeline_json(const JobSummary &s) {
  Json timeline = Json::array();
  for (std::size_t rank = 0; rank < s.timelines.size(); ++rank) {
    Json ph = Json::array();
    for (const Timeline::Phase &p : Timeline::decode(s.timelines[rank]))
      ph.push_back({{"name", p.name}, {"begin", p.begin}, {"end", p.end}});
    Json events = Json::array();
    std::uint64_t dropped = 0;
    for (const Timeline::Event &e : Timeline::decode_events(s.timelines[rank], dropped))
      events.push_back({{"kind", e.kind},
                        {"id", e.id},
                        {"begin", e.begin},
                        {"end", e.end},
                        {"marks", e.marks}});
    timeline.push_back({{"rank", rank},
                        {"host", rank < s.hosts.size() ? s.hosts[rank] : std::string()},
                        {"phases", ph},
                        {"events", events},
                        {"events_dropped", dropped}});
  }
  return timeline;
}

} // namespace

std::string report_json(const JobSummary &s) {
  const Over w(s.workers_stats);
  Json r;
  r["job"] = s.options.job;
  r["input"] = s.options.input_list();
  r["output"] = s.options.output;
  r["ranks"] = s.ranks;
  r["workers"] = s.workers;
  r["reducers"] = s.reducers;
  r["split_size"] = s.options.split_size;
  r["round_bytes"] = s.options.round_bytes;
  r["shuffle_send"] = s.options.shuffle_send;
  r["tasks"] = s.tasks;
  r["wall_seconds"] = num(s.wall_seconds);
  r["coordinator_cpu_seconds"] = num(s.coordinator_cpu_seconds);
  r["coordinator_peak_rss_bytes"] = num(s.coordinator_peak_rss_bytes);
  r["phases"] = phases_json(s, w);
  r["sample_seconds"] = num(s.sample_seconds);
  r["checkpoint"] = {{"enabled", s.checkpointing},
                     {"resumed", s.resumed},
                     {"already_complete", s.already_complete},
                     {"tasks_reused", s.tasks_reused},
                     {"tasks_damaged", s.tasks_damaged},
                     {"tasks_mapped", s.tasks_mapped},
                     {"partitions_reused", s.partitions_reused},
                     {"partitions_reduced", s.partitions_reduced},
                     {"partitions_committed", s.partitions_committed},
                     {"damaged_manifest_records", s.damaged_manifest_records},
                     {"seconds_max_worker", w.max(&WorkerStats::checkpoint_seconds)},
                     {"bytes", w.sum(&WorkerStats::checkpoint_bytes)}};
  r["memory"] = {{"limit_bytes_per_rank", w.max(&WorkerStats::memory_limit_bytes)},
                 {"limit_source", s.memory_limit_source},
                 {"peak_rss_bytes_max_worker", w.max(&WorkerStats::peak_rss_bytes)},
                 {"spilled_bytes", w.total(&WorkerStats::map_spilled_bytes) +
                                       w.total(&WorkerStats::received_spilled_bytes) +
                                       w.total(&WorkerStats::rows_spilled_bytes)},
                 {"map_spilled_bytes", w.sum(&WorkerStats::map_spilled_bytes)},
                 {"received_spilled_bytes", w.sum(&WorkerStats::received_spilled_bytes)},
                 {"sorted_runs", w.sum(&WorkerStats::sorted_runs)},
                 {"rows_spilled_bytes", w.sum(&WorkerStats::rows_spilled_bytes)}};
  r["backups"] = {{"started", s.backups_started},
                  {"won", s.backups_won},
                  {"abandoned", w.sum(&WorkerStats::tasks_abandoned)}};
  // Map copies whose job code failed (each tried again, --task-attempts).
  r["map_attempts_failed"] = w.sum(&WorkerStats::tasks_failed);
  // Reduce partitions whose job code failed (each tried again on its worker).
  r["reduce_attempts_failed"] = w.sum(&WorkerStats::partitions_failed);
  // --skip-bad-records: its limit (null: off) and the records skipped.
  r["skipped_records"] = {{"limit", s.skip_limit ? Json(*s.skip_limit) : Json(nullptr)},
                          {"count", s.skipped_records.size()},
                          {"records", s.skipped_records}};
  r["partition_rows"] = s.partition_rows;
  r["counters"] = Json::object();
  for (const auto &[name, value] : s.counters)
    r["counters"][name] = value;
  r["per_worker"] = per_worker_json(s.workers_stats);
  // Whose is entry i of every per_worker `values` list (workers report in
  // rank order; a single-rank run is its own worker). Beside per_worker, not
  // in it: every member of per_worker is a figure.
  Json ranks = Json::array();
  for (std::size_t i = 0; i < s.workers_stats.size(); ++i)
    ranks.push_back(s.ranks == 1 ? 0 : i + 1);
  r["worker_ranks"] = ranks;
  r["timeline"] = timeline_json(s);
  return r.dump(2) + "\n";
}

namespace {
// Static initialisation runs as the process starts, before main.
const Clock::time_point kProcessStart = Clock::now();
} // namespace

Clock::time_point Timeline::process_start() {
  return kProcessStart;
}

void Timeline::add(const std::string &name, Clock::time_point begin) {
  const auto since = [](Clock::time_point t) {
    return std::chrono::duration<double>(t - kProcessStart).count();
  };
  phases_.push_back({name, since(begin), since(Clock::now())});
}

void Timeline::event(const char *kind, std::int64_t id, Clock::time_point begin,
                     std::string marks) {
  if (events_.size() >= kMaxEvents) {
    ++dropped_;
    return;
  }
  const auto since = [](Clock::time_point t) {
    return std::chrono::duration<double>(t - kProcessStart).count();
  };
  events_.push_back({kind, id, since(begin), since(Clock::now()), std::move(marks)});
}

void Timeline::mark_last(const char *mark) {
  if (events_.empty())
    return;
  std::string &m = events_.back().marks;
  m += m.empty() ? mark : std::string(",") + mark;
}

std::string Timeline::encode() const {
  std::string out;
  char line[96];
  for (const Phase &p : phases_) {
    std::snprintf(line, sizeof line, "%.6f %.6f ", p.begin, p.end);
    out += line + p.name + "\n";
  }
  for (const Event &e : events_) {
    std::snprintf(line, sizeof line, "@ %.6f %.6f ", e.begin, e.end);
    out.append(line).append(e.kind).append(" ").append(std::to_string(e.id));
    out.append(" ").append(e.marks.empty() ? "-" : e.marks).append("\n");
  }
  if (dropped_)
    out.append("# dropped ").append(std::to_string(dropped_)).append("\n");
  return out;
}

std::vector<Timeline::Phase> Timeline::decode(const std::string &text) {
  std::vector<Phase> out;
  std::istringstream lines(text);
  std::string l;
  while (std::getline(lines, l)) {
    if (l.empty() || l[0] == '@' || l[0] == '#')
      continue;
    std::istringstream in(l);
    Phase p;
    if (in >> p.begin >> p.end && std::getline(in >> std::ws, p.name))
      out.push_back(p);
  }
  return out;
}

std::vector<Timeline::Event> Timeline::decode_events(const std::string &text,
                                                     std::uint64_t &dropped) {
  std::vector<Event> out;
  dropped = 0;
  std::istringstream lines(text);
  std::string l;
  while (std::getline(lines, l)) {
    std::istringstream in(l);
    std::string at;
    if (l.rfind("# dropped ", 0) == 0) {
      dropped = std::stoull(l.substr(10));
      continue;
    }
    Event e;
    if (l.empty() || l[0] != '@' ||
        !(in >> at >> e.begin >> e.end >> e.kind >> e.id >> e.marks))
      continue;
    if (e.marks == "-")
      e.marks.clear();
    out.push_back(std::move(e));
  }
  return out;
}

std::uint64_t peak_rss_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<std::uint64_t>(ru.ru_maxrss) * 1024;
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec * 1e-6;
}

} // namespace mr::engine
