// src/cli/validate_sort.h: `mapreduce validate-sort`: proof that a sort
// output is in global order and holds exactly the input's records.
#pragma once

#include <cstdio>
#include <string>

namespace mr::cli {

/// Checks that the rows of output `output` are stored in non-decreasing key
/// order across all partitions, and prints the record count and an
/// order-independent checksum (the sum of the CRC-32 of every record, as
/// valsort prints it). With `input` (an import of fixed-size records), prints
/// its count and checksum too and whether they agree. Returns the exit code:
/// 0 when all checks pass, 1 otherwise. Throws io::InputError for bad files.
int validate_sort(const std::string &output, const std::string &input, std::FILE *out);

} // namespace mr::cli
