// src/io/output_path.h: where a command's output goes: checked before any
// work, written under a temporary name, renamed when complete.
#pragma once

#include <string>

#include "io/input_error.h"

namespace mr::io {

/// Throws InputError unless `output` can be created: its folder exists, and
/// it does not exist (or `overwrite`).
void check_output_path(const std::string &output, bool overwrite);

/// The temporary name a file is written under before it is renamed.
std::string partial_name(const std::string &path);

/// Renames `from` to `to` (atomically, on one file system).
void commit_file(const std::string &from, const std::string &to);

} // namespace mr::io
