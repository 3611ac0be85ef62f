// src/cli/export_rows.cpp: see export_rows.h.
#include "cli/export_rows.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli/verify.h"
#include "io/input_error.h"
#include "io/output_reader.h"
#include "mr/codec.h"

namespace mr::cli {

std::uint64_t export_rows(const std::string &path, std::FILE *out, std::uint64_t budget,
                          const RowsProgress &checking, const RowsProgress &progress) {
  io::OutputReader reader(path);
  verify_before_printing(reader, path, budget, checking);
  const io::OutputMeta &meta = reader.meta();
  enum { tsv, values, keys, ranked } format;
  if (meta.export_format == "key_tab_value")
    format = tsv;
  else if (meta.export_format == "ranked")
    format = ranked;
  else if (meta.export_format == "value_lines")
    format = values;
  else if (meta.export_format == "raw_keys")
    format = keys;
  else
    throw io::InputError("'" + path + "' asks for export format '" + meta.export_format +
                         "', which this version does not know");
  const bool u64 = meta.uint64_values;
  const std::uint64_t total = reader.rows();
  std::uint64_t rows = 0;
  std::string line;
  reader.for_each_row(
      [&](std::string_view key, std::string_view value) {
        line.clear();
        if (format == ranked) {
          // The rank (8 bytes) only orders the rows.
          if (key.size() < 8)
            throw io::InputError("'" + path +
                                 "' is damaged: a ranked key is shorter "
                                 "than its 8-byte rank");
          key.remove_prefix(8);
        }
        if (format == tsv || format == ranked) {
          line.append(key);
          line += '\t';
          if (u64)
            line += std::to_string(read_u64(value));
          else
            line.append(value);
          line += '\n';
        } else if (format == values) {
          line.append(value);
          line += '\n';
        } else {
          line.append(key);
        }
        if (std::fwrite(line.data(), 1, line.size(), out) != line.size())
          throw io::InputError(std::string("cannot write the export: ") +
                               std::strerror(errno));
        ++rows;
        if (progress && rows % 4096 == 0)
          progress(rows, total);
      },
      budget);
  if (progress)
    progress(rows, total);
  if (std::fflush(out) != 0)
    throw io::InputError(std::string("cannot write the export: ") + std::strerror(errno));
  return rows;
}

} // namespace mr::cli
