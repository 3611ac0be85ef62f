// src/cli/export_rows.h: `mapreduce export`: an output file as text.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace mr::cli {

/// Prints every row of output file `path` to `out` in key byte order, in the
/// format its job chose (the file's `export_format` attribute):
///   key_tab_value  key TAB value NEWLINE (uint64 values in decimal)
///   value_lines    value NEWLINE
///   raw_keys       the key bytes, nothing else
/// Streams: holds about `budget` bytes however large the file (with very
/// many partitions, at least 8 KiB a partition), plus the largest row.
/// Returns the rows printed. Throws io::InputError for a missing or
/// malformed file.
/// `checking` and `printing`, if given, are told now and then: rows checked
/// (every partition is checked before any row is printed), then printed, of all.
using RowsProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;
std::uint64_t export_rows(const std::string &path, std::FILE *out,
                          std::uint64_t budget = 64ull << 20,
                          const RowsProgress &checking = {},
                          const RowsProgress &printing = {});

} // namespace mr::cli
