// src/cli/verify.h: `mapreduce verify PATH`: checks an input, an output or a
// checkpoint folder completely against its checksums.
#pragma once

#include <cstdio>
#include <string>

namespace mr::cli {

/// Prints what was checked to `out`; returns 0 only when all of it is good
/// (2 when the file has no checksums to check). Throws io::InputError for a
/// file that cannot be read at all.
int verify_path(const std::string &path, std::FILE *out);

} // namespace mr::cli
