// src/cli/import_paths.cpp: see import_paths.h.
#include "cli/import_paths.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "io/input_error.h"

namespace mr::cli {

namespace fs = std::filesystem;

namespace {

void add_folder(const std::string &folder, ImportPaths &out) {
  std::vector<std::string> found;
  try {
    for (auto it = fs::recursive_directory_iterator(folder); it != fs::end(it); ++it) {
      const fs::directory_entry &e = *it;
      if (e.is_symlink())
        ++out.skipped_links; // never followed: no cycles, no file read twice
      else if (e.is_regular_file())
        found.push_back(e.path().string());
      else if (!e.is_directory())
        ++out.skipped_special;
    }
  } catch (const fs::filesystem_error &e) {
    throw io::InputError("cannot read folder '" + e.path1().string() +
                         "': " + e.code().message());
  }
  std::sort(found.begin(), found.end()); // byte order: char_traits compares unsigned
  out.files.insert(out.files.end(), std::make_move_iterator(found.begin()),
                   std::make_move_iterator(found.end()));
}

void add_path(const std::string &path, const std::string &where, ImportPaths &out) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st))
    throw io::InputError("input file '" + path + "'" + where + " does not exist");
  if (fs::is_directory(st))
    add_folder(path, out);
  else
    out.files.push_back(path);
}

} // namespace

ImportPaths collect_import_paths(const std::vector<std::string> &args,
                                 const std::string &files_from) {
  ImportPaths out;
  for (const std::string &a : args)
    add_path(a, "", out);
  if (files_from.empty())
    return out;
  std::ifstream file;
  if (files_from != "-") {
    file.open(files_from);
    if (!file)
      throw io::InputError("cannot read the list '" + files_from + "'");
  }
  std::istream &in = files_from == "-" ? std::cin : file;
  const std::string list = files_from == "-" ? "standard input" : files_from;
  std::string line;
  for (std::uint64_t n = 1; std::getline(in, line); ++n)
    if (!line.empty())
      add_path(line, " (line " + std::to_string(n) + " of " + list + ")", out);
  if (in.bad())
    throw io::InputError("error while reading the list '" + list + "'");
  return out;
}

} // namespace mr::cli
