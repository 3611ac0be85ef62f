// src/cli/html_report.cpp: see html_report.h. The page itself is
// src/cli/report_page.html, compiled in (CMake makes report_page.cpp).
#include "cli/html_report.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "io/input_error.h"
#include "io/output_path.h"

namespace mr::cli {

extern const char *const kReportPage;

namespace {
constexpr const char *kPlaceholder = "%%REPORT_JSON%%";
} // namespace

std::string html_report_page(const std::string &json_text, const std::string &json_path) {
  nlohmann::ordered_json report;
  try {
    report = nlohmann::ordered_json::parse(json_text);
  } catch (const nlohmann::json::exception &e) {
    throw io::InputError("'" + json_path + "' is not JSON: " + e.what());
  }
  if (!report.is_object() || !report.contains("job") || !report["job"].is_string() ||
      !report.contains("timeline") || !report["timeline"].is_array())
    throw io::InputError("'" + json_path +
                         "' is not the report of a run (made with 'mapreduce run ... "
                         "--report FILE.json'): it has no job or no timeline");
  // Written back compact; '<' only occurs inside strings there, where
  // \u003c means the same: nothing in the data can close the script element.
  const std::string dumped =
      report.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string data;
  data.reserve(dumped.size());
  for (const char c : dumped) {
    if (c == '<')
      data += "\\u003c";
    else
      data += c;
  }
  std::string page = kReportPage;
  const auto at = page.find(kPlaceholder);
  if (at == std::string::npos)
    throw std::logic_error("the report page has no place for the data");
  page.replace(at, std::strlen(kPlaceholder), data);
  return page;
}

void write_html_report(const std::string &json_path, const std::string &html_path,
                       bool overwrite) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(json_path, ec))
    throw io::InputError("report '" + json_path + "' does not exist or is not a file");
  std::ifstream in(json_path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in)
    throw io::InputError("cannot read '" + json_path + "': " + std::strerror(errno));
  const std::string page = html_report_page(text.str(), json_path);
  io::check_output_path(html_path, overwrite);
  const std::string tmp = io::partial_name(html_path);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(page.data(), static_cast<std::streamsize>(page.size()));
    out.close();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      throw io::InputError("cannot write '" + html_path + "': " + std::strerror(errno));
    }
  }
  io::commit_file(tmp, html_path);
}

} // namespace mr::cli
