// src/engine/stats.cpp: see stats.h.
#include "engine/stats.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <sstream>

#include <nlohmann/json.hpp>

namespace mr::engine {

namespace {

// Pointers to members in wire order; names as they appear in the report.
struct Field {
  const char *name;
  double WorkerStats::*member;
};
const Field kFields[] = {
    {"map_seconds", &WorkerStats::map_seconds},
    {"shuffle_seconds", &WorkerStats::shuffle_seconds},
    {"reduce_seconds", &WorkerStats::reduce_seconds},
    {"write_seconds", &WorkerStats::write_seconds},
    {"tasks", &WorkerStats::tasks},
    {"records_in", &WorkerStats::records_in},
    {"bytes_in", &WorkerStats::bytes_in},
    {"pairs_emitted", &WorkerStats::pairs_emitted},
    {"map_pairs_out", &WorkerStats::map_pairs_out},
    {"map_bytes_out", &WorkerStats::map_bytes_out},
    {"shuffle_bytes_sent", &WorkerStats::shuffle_bytes_sent},
    {"shuffle_bytes_received", &WorkerStats::shuffle_bytes_received},
    {"shuffle_rounds", &WorkerStats::shuffle_rounds},
    {"reduce_pairs_in", &WorkerStats::reduce_pairs_in},
    {"reduce_keys", &WorkerStats::reduce_keys},
    {"rows_out", &WorkerStats::rows_out},
    {"output_bytes", &WorkerStats::output_bytes},
    {"peak_rss_bytes", &WorkerStats::peak_rss_bytes},
    {"tasks_loaded", &WorkerStats::tasks_loaded},
    {"tasks_abandoned", &WorkerStats::tasks_abandoned},
    {"partitions_loaded", &WorkerStats::partitions_loaded},
    {"checkpoint_seconds", &WorkerStats::checkpoint_seconds},
    {"checkpoint_bytes", &WorkerStats::checkpoint_bytes},
    {"memory_limit_bytes", &WorkerStats::memory_limit_bytes},
    {"map_spilled_bytes", &WorkerStats::map_spilled_bytes},
    {"received_spilled_bytes", &WorkerStats::received_spilled_bytes},
    {"sorted_runs", &WorkerStats::sorted_runs},
    {"rows_spilled_bytes", &WorkerStats::rows_spilled_bytes},
};

using Json = nlohmann::ordered_json;

/// A whole number as an integer (as a reader expects counts), else a double.
Json num(double v) {
  if (v == static_cast<double>(static_cast<long long>(v)) && v < 9e15 && v > -9e15)
    return static_cast<long long>(v);
  return v;
}

double sum_of(const std::vector<WorkerStats> &w, double WorkerStats::*m) {
  double s = 0;
  for (const auto &x : w)
    s += x.*m;
  return s;
}

double max_of(const std::vector<WorkerStats> &w, double WorkerStats::*m) {
  double s = 0;
  for (const auto &x : w)
    s = std::max(s, x.*m);
  return s;
}

} // namespace

std::vector<double> WorkerStats::to_vector() const {
  std::vector<double> v;
  for (const Field &f : kFields)
    v.push_back(this->*f.member);
  return v;
}

WorkerStats WorkerStats::from_vector(const double *v) {
  WorkerStats s;
  for (const Field &f : kFields)
    s.*f.member = *v++;
  return s;
}

const std::vector<std::string> &WorkerStats::field_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const Field &f : kFields)
      n.push_back(f.name);
    return n;
  }();
  return names;
}

namespace {

using SumOrMax = std::function<Json(double WorkerStats::*)>;

Json phases_json(const JobSummary &s, const SumOrMax &sum, const SumOrMax &max) {
  Json phases;
  phases["split"] = {{"seconds", num(s.split_seconds)},
                     {"bytes_in", s.input_bytes},
                     {"tasks_out", s.tasks}};
  phases["map"] = {{"seconds", max(&WorkerStats::map_seconds)},
                   {"records_in", sum(&WorkerStats::records_in)},
                   {"bytes_in", sum(&WorkerStats::bytes_in)},
                   {"pairs_emitted", sum(&WorkerStats::pairs_emitted)},
                   {"pairs_out", sum(&WorkerStats::map_pairs_out)},
                   {"bytes_out", sum(&WorkerStats::map_bytes_out)}};
  phases["shuffle"] = {{"seconds", max(&WorkerStats::shuffle_seconds)},
                       {"bytes_in", sum(&WorkerStats::shuffle_bytes_sent)},
                       {"bytes_out", sum(&WorkerStats::shuffle_bytes_received)},
                       {"rounds", max(&WorkerStats::shuffle_rounds)}};
  phases["reduce"] = {{"seconds", max(&WorkerStats::reduce_seconds)},
                      {"bytes_in", sum(&WorkerStats::shuffle_bytes_received)},
                      {"pairs_in", sum(&WorkerStats::reduce_pairs_in)},
                      {"keys", sum(&WorkerStats::reduce_keys)},
                      {"rows_out", sum(&WorkerStats::rows_out)},
                      {"bytes_out", sum(&WorkerStats::output_bytes)}};
  phases["write"] = {{"seconds", max(&WorkerStats::write_seconds)},
                     {"rows_in", sum(&WorkerStats::rows_out)},
                     {"bytes_in", sum(&WorkerStats::output_bytes)},
                     {"file_bytes", s.output_file_bytes}};
  return phases;
}

/// Every worker figure as min, median, max and the list by worker.
Json per_worker_json(const std::vector<WorkerStats> &w) {
  Json per_worker;
  const auto &names = WorkerStats::field_names();
  for (std::size_t f = 0; f < names.size(); ++f) {
    std::vector<double> values;
    for (const auto &x : w)
      values.push_back(x.to_vector()[f]);
    std::vector<double> v = values;
    std::sort(v.begin(), v.end());
    const double median = v.empty()      ? 0
                          : v.size() % 2 ? v[v.size() / 2]
                                         : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    Json list = Json::array();
    for (double x : values)
      list.push_back(num(x));
    per_worker[names[f]] = {{"min", num(v.empty() ? 0 : v.front())},
                            {"median", num(median)},
                            {"max", num(v.empty() ? 0 : v.back())},
                            {"values", list}};
  }
  return per_worker;
}

/// Each rank's phases with their begin and end (scripts/timeline.py prints them).
Json timeline_json(const JobSummary &s) {
  Json timeline = Json::array();
  for (std::size_t rank = 0; rank < s.timelines.size(); ++rank) {
    Json ph = Json::array();
    for (const Timeline::Phase &p : Timeline::decode(s.timelines[rank]))
      ph.push_back({{"name", p.name}, {"begin", p.begin}, {"end", p.end}});
    timeline.push_back({{"rank", rank},
                        {"host", rank < s.hosts.size() ? s.hosts[rank] : std::string()},
                        {"phases", ph}});
  }
  return timeline;
}

} // namespace

std::string report_json(const JobSummary &s) {
  const auto &w = s.workers_stats;
  const SumOrMax sum = [&](double WorkerStats::*m) { return num(sum_of(w, m)); };
  const SumOrMax max = [&](double WorkerStats::*m) { return num(max_of(w, m)); };
  Json r;
  r["job"] = s.options.job;
  r["input"] = s.options.input;
  r["output"] = s.options.output;
  r["ranks"] = s.ranks;
  r["workers"] = s.workers;
  r["reducers"] = s.reducers;
  r["split_size"] = s.options.split_size;
  r["round_bytes"] = s.options.round_bytes;
  r["tasks"] = s.tasks;
  r["wall_seconds"] = num(s.wall_seconds);
  r["coordinator_cpu_seconds"] = num(s.coordinator_cpu_seconds);
  r["coordinator_peak_rss_bytes"] = num(s.coordinator_peak_rss_bytes);
  r["phases"] = phases_json(s, sum, max);
  r["sample_seconds"] = num(s.sample_seconds);
  r["checkpoint"] = {{"enabled", s.checkpointing},
                     {"resumed", s.resumed},
                     {"already_complete", s.already_complete},
                     {"tasks_reused", s.tasks_reused},
                     {"tasks_recomputed", s.tasks_recomputed},
                     {"tasks_mapped", s.tasks_mapped},
                     {"partitions_reused", s.partitions_reused},
                     {"partitions_recomputed", s.partitions_recomputed},
                     {"partitions_committed", s.partitions_committed},
                     {"damaged_manifest_records", s.damaged_manifest_records},
                     {"seconds_max_worker", max(&WorkerStats::checkpoint_seconds)},
                     {"bytes", sum(&WorkerStats::checkpoint_bytes)}};
  r["memory"] = {{"limit_bytes_per_rank", max(&WorkerStats::memory_limit_bytes)},
                 {"peak_rss_bytes_max_worker", max(&WorkerStats::peak_rss_bytes)},
                 {"spilled_bytes", num(sum_of(w, &WorkerStats::map_spilled_bytes) +
                                       sum_of(w, &WorkerStats::received_spilled_bytes) +
                                       sum_of(w, &WorkerStats::rows_spilled_bytes))},
                 {"map_spilled_bytes", sum(&WorkerStats::map_spilled_bytes)},
                 {"received_spilled_bytes", sum(&WorkerStats::received_spilled_bytes)},
                 {"sorted_runs", sum(&WorkerStats::sorted_runs)},
                 {"rows_spilled_bytes", sum(&WorkerStats::rows_spilled_bytes)}};
  r["backups"] = {{"started", s.backups_started},
                  {"won", s.backups_won},
                  {"abandoned", sum(&WorkerStats::tasks_abandoned)}};
  r["partition_rows"] = s.partition_rows;
  r["counters"] = Json::object();
  for (const auto &[name, value] : s.counters)
    r["counters"][name] = value;
  r["per_worker"] = per_worker_json(w);
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

std::string Timeline::encode() const {
  std::string out;
  char line[64];
  for (const Phase &p : phases_) {
    std::snprintf(line, sizeof line, "%.6f %.6f ", p.begin, p.end);
    out += line + p.name + "\n";
  }
  return out;
}

std::vector<Timeline::Phase> Timeline::decode(const std::string &text) {
  std::vector<Phase> out;
  std::istringstream in(text);
  Phase p;
  while (in >> p.begin >> p.end && std::getline(in >> std::ws, p.name))
    out.push_back(p);
  return out;
}

double peak_rss_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) * 1024.0;
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec * 1e-6;
}

} // namespace mr::engine
