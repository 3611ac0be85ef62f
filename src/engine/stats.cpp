// src/engine/stats.cpp: see stats.h.
#include "engine/stats.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

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

std::string json_string(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string num(double v) {
  char buf[64];
  if (v == static_cast<double>(static_cast<long long>(v)) && v < 9e15 && v > -9e15)
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  else
    std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
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

std::string report_json(const JobSummary &s) {
  const auto &w = s.workers_stats;
  std::ostringstream o;
  o << "{\n";
  o << "  \"job\": " << json_string(s.options.job) << ",\n";
  o << "  \"input\": " << json_string(s.options.input) << ",\n";
  o << "  \"output\": " << json_string(s.options.output) << ",\n";
  o << "  \"ranks\": " << s.ranks << ",\n";
  o << "  \"workers\": " << s.workers << ",\n";
  o << "  \"reducers\": " << s.reducers << ",\n";
  o << "  \"split_size\": " << s.options.split_size << ",\n";
  o << "  \"round_bytes\": " << s.options.round_bytes << ",\n";
  o << "  \"tasks\": " << s.tasks << ",\n";
  o << "  \"wall_seconds\": " << num(s.wall_seconds) << ",\n";
  o << "  \"coordinator_cpu_seconds\": " << num(s.coordinator_cpu_seconds) << ",\n";
  o << "  \"coordinator_peak_rss_bytes\": " << num(s.coordinator_peak_rss_bytes) << ",\n";
  o << "  \"phases\": {\n";
  o << "    \"split\": {\"seconds\": " << num(s.split_seconds)
    << ", \"bytes_in\": " << s.input_bytes << ", \"tasks_out\": " << s.tasks << "},\n";
  o << "    \"map\": {\"seconds\": " << num(max_of(w, &WorkerStats::map_seconds))
    << ", \"records_in\": " << num(sum_of(w, &WorkerStats::records_in))
    << ", \"bytes_in\": " << num(sum_of(w, &WorkerStats::bytes_in))
    << ", \"pairs_emitted\": " << num(sum_of(w, &WorkerStats::pairs_emitted))
    << ", \"pairs_out\": " << num(sum_of(w, &WorkerStats::map_pairs_out))
    << ", \"bytes_out\": " << num(sum_of(w, &WorkerStats::map_bytes_out)) << "},\n";
  o << "    \"shuffle\": {\"seconds\": " << num(max_of(w, &WorkerStats::shuffle_seconds))
    << ", \"bytes_in\": " << num(sum_of(w, &WorkerStats::shuffle_bytes_sent))
    << ", \"bytes_out\": " << num(sum_of(w, &WorkerStats::shuffle_bytes_received))
    << ", \"rounds\": " << num(max_of(w, &WorkerStats::shuffle_rounds)) << "},\n";
  o << "    \"reduce\": {\"seconds\": " << num(max_of(w, &WorkerStats::reduce_seconds))
    << ", \"bytes_in\": " << num(sum_of(w, &WorkerStats::shuffle_bytes_received))
    << ", \"pairs_in\": " << num(sum_of(w, &WorkerStats::reduce_pairs_in))
    << ", \"keys\": " << num(sum_of(w, &WorkerStats::reduce_keys))
    << ", \"rows_out\": " << num(sum_of(w, &WorkerStats::rows_out))
    << ", \"bytes_out\": " << num(sum_of(w, &WorkerStats::output_bytes)) << "},\n";
  o << "    \"write\": {\"seconds\": " << num(max_of(w, &WorkerStats::write_seconds))
    << ", \"rows_in\": " << num(sum_of(w, &WorkerStats::rows_out))
    << ", \"bytes_in\": " << num(sum_of(w, &WorkerStats::output_bytes))
    << ", \"file_bytes\": " << s.output_file_bytes << "}\n";
  o << "  },\n";
  o << "  \"sample_seconds\": " << num(s.sample_seconds) << ",\n";
  o << "  \"checkpoint\": {\"enabled\": " << (s.checkpointing ? "true" : "false")
    << ", \"resumed\": " << (s.resumed ? "true" : "false")
    << ", \"tasks_reused\": " << s.tasks_reused
    << ", \"tasks_recomputed\": " << s.tasks_recomputed
    << ", \"tasks_mapped\": " << s.tasks_mapped
    << ", \"partitions_reused\": " << s.partitions_reused
    << ", \"partitions_recomputed\": " << s.partitions_recomputed
    << ", \"partitions_committed\": " << s.partitions_committed
    << ", \"damaged_manifest_records\": " << s.damaged_manifest_records
    << ", \"seconds_max_worker\": " << num(max_of(w, &WorkerStats::checkpoint_seconds))
    << ", \"bytes\": " << num(sum_of(w, &WorkerStats::checkpoint_bytes)) << "},\n";
  const double spilled = sum_of(w, &WorkerStats::map_spilled_bytes) +
                         sum_of(w, &WorkerStats::received_spilled_bytes) +
                         sum_of(w, &WorkerStats::rows_spilled_bytes);
  o << "  \"memory\": {\"limit_bytes_per_rank\": "
    << num(max_of(w, &WorkerStats::memory_limit_bytes))
    << ", \"peak_rss_bytes_max_worker\": " << num(max_of(w, &WorkerStats::peak_rss_bytes))
    << ", \"spilled_bytes\": " << num(spilled)
    << ", \"map_spilled_bytes\": " << num(sum_of(w, &WorkerStats::map_spilled_bytes))
    << ", \"received_spilled_bytes\": "
    << num(sum_of(w, &WorkerStats::received_spilled_bytes))
    << ", \"sorted_runs\": " << num(sum_of(w, &WorkerStats::sorted_runs))
    << ", \"rows_spilled_bytes\": " << num(sum_of(w, &WorkerStats::rows_spilled_bytes))
    << "},\n";
  o << "  \"backups\": {\"started\": " << s.backups_started
    << ", \"won\": " << s.backups_won
    << ", \"abandoned\": " << num(sum_of(w, &WorkerStats::tasks_abandoned)) << "},\n";
  o << "  \"partition_rows\": [";
  for (std::size_t i = 0; i < s.partition_rows.size(); ++i)
    o << (i ? ", " : "") << s.partition_rows[i];
  o << "],\n";
  o << "  \"counters\": {";
  bool first = true;
  for (const auto &[name, value] : s.counters) {
    o << (first ? "" : ", ") << json_string(name) << ": " << value;
    first = false;
  }
  o << "},\n";
  o << "  \"per_worker\": {\n";
  const auto &names = WorkerStats::field_names();
  for (std::size_t f = 0; f < names.size(); ++f) {
    std::vector<double> v;
    for (const auto &x : w)
      v.push_back(x.to_vector()[f]);
    std::sort(v.begin(), v.end());
    double median = v.empty()      ? 0
                    : v.size() % 2 ? v[v.size() / 2]
                                   : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    o << "    " << json_string(names[f])
      << ": {\"min\": " << num(v.empty() ? 0 : v.front())
      << ", \"median\": " << num(median) << ", \"max\": " << num(v.empty() ? 0 : v.back())
      << ", \"values\": [";
    for (std::size_t i = 0; i < v.size(); ++i)
      o << (i ? ", " : "") << num(w[i].to_vector()[f]);
    o << "]}" << (f + 1 < names.size() ? ",\n" : "\n");
  }
  o << "  }\n}\n";
  return o.str();
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
