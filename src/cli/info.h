// src/cli/info.h: `mapreduce info PATH`: what a file or folder is and what it
// holds, from its metadata alone (`verify` reads everything).
#pragma once

#include <cstdio>
#include <string>

namespace mr::cli {

/// Prints, one `name: value` line each, what `path` is (an input, an output
/// or a checkpoint folder) and what it holds. Throws io::InputError for a
/// path that is none of these or cannot be read.
void info_path(const std::string &path, std::FILE *out);

} // namespace mr::cli
