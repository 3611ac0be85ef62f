// src/cli/html_report.h: `mapreduce report REPORT.json -o report.html`: the
// JSON report of a run (--report) as one self-contained HTML page: a
// per-rank timeline with a bar per map task, shuffle round and reduce
// partition, phase times and rates, partition sizes, memory and spills per
// rank, the counters, what a resume reused. It opens with no network.
#pragma once

#include <string>

namespace mr::cli {

/// Writes the page for report `json_path` at `html_path` (written under a
/// temporary name, renamed when complete). Throws io::InputError for a
/// report that is missing, not JSON or not a run's report, and for an
/// existing `html_path` without `overwrite`.
void write_html_report(const std::string &json_path, const std::string &html_path,
                       bool overwrite);

/// The page's text for a report's JSON text (for tests).
std::string html_report_page(const std::string &json_text, const std::string &json_path);

} // namespace mr::cli
