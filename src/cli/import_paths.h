// src/cli/import_paths.h: turning what the user names (files, folders, a list
// file) into the ordered list of files that `mapreduce import` reads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mr::cli {

struct ImportPaths {
  std::vector<std::string> files;    // in import order, as they will be named
  std::uint64_t skipped_links = 0;   // symbolic links met inside folders
  std::uint64_t skipped_special = 0; // fifos, sockets, devices inside folders
};

/// The files named by `args` (in order) and then by the list file
/// `files_from` (one path per line; "-" is standard input; "" for none).
/// A folder stands for the regular files below it, walked recursively and
/// taken in byte order of their paths (folder path joined with the path below
/// it); symbolic links and special files inside folders are skipped and
/// counted. A path named directly is taken as it is (a link is followed).
/// Throws io::InputError naming a path that does not exist or a folder that
/// cannot be read.
ImportPaths collect_import_paths(const std::vector<std::string> &args,
                                 const std::string &files_from);

} // namespace mr::cli
