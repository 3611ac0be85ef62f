// src/cli/verify.h: `mapreduce verify PATH`: checks an input, an output or a
// checkpoint folder completely against its checksums.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "io/output_reader.h"

namespace mr::cli {

/// What `path` is, for `verify` and `info`: a checkpoint folder (any
/// folder: its manifest is checked next), or an HDF5 input or output.
/// Throws io::InputError for a path missing, not HDF5, or neither.
enum class PathKind { checkpoint, input, output };
PathKind kind_of(const std::string &path);

/// Prints what was checked to `out`; returns 0 only when all of it is good
/// (2 when the file has no checksums to check). Throws io::InputError for a
/// file that cannot be read at all.
/// `progress`, if given, is told as an input's bytes are checked: bytes
/// done, of all.
int verify_path(
    const std::string &path, std::FILE *out,
    const std::function<void(std::uint64_t done, std::uint64_t total)> &progress = {});

/// Checks every partition of an output before a command prints any of it (a
/// damaged file is refused whole, never printed in part); warns once about
/// a file from before checksums. Throws io::InputError when damaged.
void verify_before_printing(
    const io::OutputReader &reader, const std::string &path,
    std::uint64_t budget = io::OutputReader::kReadBudget,
    const std::function<void(std::uint64_t done, std::uint64_t total)> &progress = {});

} // namespace mr::cli
