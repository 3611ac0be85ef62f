// src/io/output_path.cpp: see output_path.h.
#include "io/output_path.h"

#include <filesystem>

namespace mr::io {

namespace fs = std::filesystem;

std::string partial_name(const std::string &path) {
  return path + ".partial";
}

void commit_file(const std::string &from, const std::string &to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec)
    throw InputError("cannot rename '" + from + "' to '" + to + "': " + ec.message());
}

void check_output_path(const std::string &output, bool overwrite) {
  if (output.empty())
    throw InputError("the output path is empty");
  fs::path p(output);
  fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw InputError("output folder '" + dir.string() + "' does not exist");
  if (fs::is_directory(p, ec))
    throw InputError("output '" + output + "' is a folder");
  if (fs::exists(p, ec) && !overwrite)
    throw InputError("output '" + output + "' exists; pass --overwrite to replace it");
}

} // namespace mr::io
