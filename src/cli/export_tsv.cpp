// src/cli/export_tsv.cpp: see export_tsv.h.
#include "cli/export_tsv.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "io/output_file.h"
#include "mr/codec.h"

namespace mr::cli {

std::uint64_t export_tsv(const std::string &path, std::FILE *out) {
  io::OutputFile file = io::read_output(path);
  const io::OutputRows &rows = file.rows;
  std::vector<std::uint64_t> order(rows.rows());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::uint64_t a, std::uint64_t b) {
    const auto ka = rows.key(a), kb = rows.key(b);
    return ka != kb ? ka < kb : rows.value(a) < rows.value(b);
  });
  std::string line;
  for (std::uint64_t i : order) {
    line.assign(rows.key(i));
    line += '\t';
    if (file.meta.uint64_values)
      line += std::to_string(read_u64(rows.value(i)));
    else
      line += rows.value(i);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), out);
  }
  return order.size();
}

} // namespace mr::cli
