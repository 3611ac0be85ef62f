// src/cli/export_tsv.h: `mapreduce export`: an output file as key<TAB>value lines.
#pragma once

#include <cstdio>
#include <string>

namespace mr::cli {

/// Prints every row of the output file at `path` to `out`, sorted by key
/// bytes (then value bytes). uint64 values print in decimal, byte values as
/// they are. Returns the number of rows; throws io::InputError.
std::uint64_t export_tsv(const std::string &path, std::FILE *out);

} // namespace mr::cli
