// src/io/input.cpp: see input.h.
#include "io/input.h"

#include <filesystem>

#include "io/h5.h"
#include "io/input_file.h"
#include "io/multi_input.h"
#include "io/pairs_input.h"

namespace mr::io {

namespace {

/// True when `path` is an HDF5 file holding a run's output (/keys, no /data).
bool holds_an_output(const std::string &path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) || !is_hdf5(path))
    return false;
  Handle file = open_file(path);
  return has_link(file, "keys") && !has_link(file, "data");
}

} // namespace

std::unique_ptr<Input> open_input(const std::string &path, MPI_Comm comm) {
  if (holds_an_output(path))
    return PairsInput::open(path, comm);
  return std::make_unique<InputFile>(InputFile::open(path, comm));
}

std::unique_ptr<Input> open_inputs(const std::vector<std::string> &paths, MPI_Comm comm) {
  if (paths.size() == 1)
    return open_input(paths.front(), comm);
  std::vector<std::unique_ptr<Input>> parts;
  for (const std::string &p : paths)
    parts.push_back(open_input(p, comm));
  return std::make_unique<MultiInput>(std::move(parts));
}

} // namespace mr::io
