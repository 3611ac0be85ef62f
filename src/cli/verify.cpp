// src/cli/verify.cpp: see verify.h.
#include "cli/verify.h"

#include <filesystem>
#include <vector>

#include "ckpt/checkpoint.h"
#include "ckpt/manifest.h"
#include "io/h5.h"
#include "io/input_file.h"
#include "io/output_reader.h"

namespace mr::cli {

using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

namespace {

constexpr int kUnverifiable = 2;

int verify_input(const std::string &path, std::FILE *out, const Progress &progress) {
  io::InputFile input = io::InputFile::open(path);
  if (!input.verifiable()) {
    std::fprintf(out,
                 "%s: input, %llu bytes in %zu file(s): no checksums (imported by an "
                 "older version): cannot be verified\n",
                 path.c_str(), static_cast<unsigned long long>(input.size()),
                 input.info().files());
    return kUnverifiable;
  }
  constexpr std::uint64_t kPiece = 16ull << 20; // a progress line may follow each
  std::vector<char> buffer;
  for (std::uint64_t at = 0; at < input.size(); at += kPiece) {
    const std::uint64_t n = std::min(kPiece, input.size() - at);
    buffer.resize(n);
    input.read_verified(at, n, buffer.data());
    if (progress)
      progress(at + n, input.size());
  }
  std::fprintf(out,
               "%s: input (%s), %llu bytes in %zu file(s): every 1 MiB chunk matches its "
               "XXH3-64; the file table is consistent\n",
               path.c_str(), io::format_name(input.info().format).c_str(),
               static_cast<unsigned long long>(input.size()), input.info().files());
  return 0;
}

int verify_output(const std::string &path, std::FILE *out, const Progress &progress) {
  io::OutputReader reader(path);
  const auto partitions = reader.partition_offsets().size() - 1;
  if (!reader.verifiable()) {
    std::fprintf(out,
                 "%s: output of %s, %llu rows in %zu partition(s): no checksums "
                 "(written by an older version): cannot be verified\n",
                 path.c_str(), reader.meta().job.c_str(),
                 static_cast<unsigned long long>(reader.rows()), partitions);
    return kUnverifiable;
  }
  reader.verify(io::OutputReader::kReadBudget, progress);
  std::fprintf(out,
               "%s: output of %s, %llu rows in %zu partition(s): every partition matches "
               "its XXH3-64; offsets are consistent with the data\n",
               path.c_str(), reader.meta().job.c_str(),
               static_cast<unsigned long long>(reader.rows()), partitions);
  return 0;
}

int verify_checkpoint(const std::string &dir, std::FILE *out) {
  ckpt::Manifest m = [&] {
    try {
      return ckpt::Manifest::inspect(dir);
    } catch (const ckpt::CheckpointRefused &e) {
      throw io::InputError(e.what());
    }
  }();
  std::size_t good = 0, bad = 0;
  const ckpt::Checkpoint checkpoint(dir, "", m.fingerprint().digest());
  const std::string *reducers = m.committed("reducers");
  const auto R = static_cast<std::uint32_t>(
      reducers && !reducers->empty() && reducers->size() < 10 &&
              reducers->find_first_not_of("0123456789") == std::string::npos
          ? std::stoul(*reducers)
          : 0);
  for (const auto *commits : {&m.maps(), &m.partitions()})
    for (const auto &[id, c] : *commits) {
      try {
        checkpoint.check(c, R);
        ++good;
      } catch (const ckpt::DamagedCommit &e) {
        ++bad;
        std::fprintf(out, "%s: damaged: %s\n", dir.c_str(), e.what());
      }
    }
  const std::string *job = m.committed("job");
  std::fprintf(
      out,
      "%s: checkpoint of %s: %zu map task(s) and %zu partition(s) committed; %zu "
      "file(s) match their size and XXH3-64, %zu do not; %zu damaged manifest "
      "record(s)\n",
      dir.c_str(), job ? job->c_str() : "?", m.maps().size(), m.partitions().size(), good,
      bad, m.damaged_records());
  return bad == 0 && m.damaged_records() == 0 ? 0 : 1;
}

} // namespace

void verify_before_printing(const io::OutputReader &reader, const std::string &path,
                            std::uint64_t budget, const Progress &progress) {
  if (reader.verifiable())
    reader.verify(budget, progress);
  else
    std::fprintf(
        stderr,
        "mapreduce: warning: '%s' has no checksums (written by an older version): "
        "damage in it cannot be detected\n",
        path.c_str());
}

PathKind kind_of(const std::string &path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return PathKind::checkpoint;
  if (!std::filesystem::exists(path, ec))
    throw io::InputError("'" + path + "' does not exist");
  if (!io::is_hdf5(path))
    throw io::InputError("'" + path + "' is not an HDF5 file");
  io::Handle file = io::open_file(path);
  if (io::has_link(file, "data"))
    return PathKind::input;
  if (io::has_link(file, "keys"))
    return PathKind::output;
  throw io::InputError("'" + path + "' is neither a mapreduce input nor an output");
}

int verify_path(const std::string &path, std::FILE *out, const Progress &progress) {
  switch (kind_of(path)) {
  case PathKind::checkpoint:
    return verify_checkpoint(path, out);
  case PathKind::input:
    return verify_input(path, out, progress);
  case PathKind::output:
    break;
  }
  return verify_output(path, out, progress);
}

} // namespace mr::cli
