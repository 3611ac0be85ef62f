// src/cli/info.cpp: see info.h. Reads metadata only: headers, file tables,
// attributes and the checkpoint manifest, never the data.
#include "cli/info.h"

#include <filesystem>
#include <vector>

#include "ckpt/manifest.h"
#include "cli/verify.h"
#include "io/input_error.h"
#include "io/input_file.h"
#include "io/output_reader.h"

namespace mr::cli {

namespace {

using ull = unsigned long long;
constexpr std::size_t kFilesShown = 10;

void line(std::FILE *out, const char *name, const std::string &value) {
  std::fprintf(out, "%-16s %s\n", (std::string(name) + ":").c_str(), value.c_str());
}

std::string count(std::uint64_t n, const char *unit) {
  return std::to_string(n) + " " + unit;
}

void info_input(const std::string &path, std::FILE *out) {
  const io::InputFile input = io::InputFile::open(path);
  const InputInfo &info = input.info();
  line(out, "what", "input (made by mapreduce import)");
  std::string format = io::format_name(info.format);
  if (info.format == InputFormat::records)
    format += ", " + std::to_string(info.record_size) + " bytes a record";
  line(out, "format", format);
  line(out, "bytes", std::to_string(input.size()));
  line(out, "files", std::to_string(info.files()));
  for (std::size_t f = 0; f < info.files() && f < kFilesShown; ++f)
    std::fprintf(out, "  %12llu  %.*s\n",
                 static_cast<ull>(info.file_offsets[f + 1] - info.file_offsets[f]),
                 static_cast<int>(info.file_name(f).size()), info.file_name(f).data());
  if (info.files() > kFilesShown)
    std::fprintf(out, "  ... and %zu more\n", info.files() - kFilesShown);
  line(out, "checksums",
       input.verifiable() ? "XXH3-64 of every 1 MiB (mapreduce verify checks them)"
                          : "none (imported by an older version)");
}

void info_output(const std::string &path, std::FILE *out) {
  const io::OutputReader reader(path);
  const io::OutputMeta &m = reader.meta();
  line(out, "what", "output of a run");
  line(out, "job", m.job);
  line(out, "parameters", m.parameters.empty() ? "(none)" : m.parameters);
  line(out, "input", m.input);
  line(out, "rows", std::to_string(reader.rows()));
  line(out, "partitions",
       std::to_string(reader.partition_offsets().size() - 1) + " (" + m.partitioning +
           " partitioned)");
  line(out, "values", m.uint64_values ? "64-bit counts" : "bytes");
  line(out, "export", m.export_format);
  if (m.split_size)
    line(out, "split size", std::to_string(m.split_size));
  line(out, "fingerprint", m.fingerprint.empty() ? "(none)" : m.fingerprint);
  line(out, "version", std::to_string(m.version));
  if (m.counters_recorded) {
    std::string counters;
    for (const auto &[name, value] : m.counters)
      counters += (counters.empty() ? "" : ", ") + name + " " + std::to_string(value);
    line(out, "counters", counters.empty() ? "(none)" : counters);
  }
  line(out, "checksums",
       reader.verifiable() ? "XXH3-64 of every partition (mapreduce verify checks them)"
                           : "none (written by an older version)");
}

void info_checkpoint(const std::string &dir, std::FILE *out) {
  const ckpt::Manifest m = [&] {
    try {
      return ckpt::Manifest::inspect(dir);
    } catch (const ckpt::CheckpointRefused &e) {
      throw io::InputError(e.what());
    }
  }();
  auto value = [&](const char *name) {
    const std::string *v = m.committed(name);
    return v ? *v : std::string("?");
  };
  line(out, "what", "checkpoint folder of an unfinished run (continue it with --resume)");
  line(out, "job", value("job"));
  line(out, "parameters", value("parameters"));
  line(out, "input", value("input"));
  line(out, "map tasks",
       std::to_string(m.maps().size()) + " of " + value("tasks") + " committed");
  line(out, "partitions",
       std::to_string(m.partitions().size()) + " of " + value("reducers") + " committed");
  line(out, "split size", value("split_size"));
  if (m.damaged_records())
    line(out, "damaged",
         count(m.damaged_records(), "manifest record(s), redone on resume"));
}

/// The stage folders `mapreduce pipeline --checkpoint-dir DIR` made in
/// `dir` (stage-1, stage-2, ... in order; a link is never followed).
std::vector<std::string> stage_folders(const std::string &dir) {
  std::vector<std::string> stages;
  for (int i = 1;; ++i) {
    const std::string stage = dir + "/stage-" + std::to_string(i);
    std::error_code ec;
    if (!std::filesystem::is_directory(std::filesystem::symlink_status(stage, ec)))
      return stages;
    stages.push_back(stage);
  }
}

/// A pipeline's checkpoint folder: a line a stage still kept.
void info_pipeline(const std::vector<std::string> &stages, std::FILE *out) {
  line(out, "what",
       "checkpoint folder of a pipeline (mapreduce pipeline --checkpoint-dir; continue "
       "it with --resume)");
  line(out, "stages kept", std::to_string(stages.size()));
  for (std::size_t i = 0; i < stages.size(); ++i) {
    std::string summary;
    try {
      const ckpt::Manifest m = ckpt::Manifest::inspect(stages[i]);
      const std::string *job = m.committed("job");
      const std::string *tasks = m.committed("tasks");
      const std::string *reducers = m.committed("reducers");
      summary = (job ? *job : "?") + ": " + std::to_string(m.maps().size()) + " of " +
                (tasks ? *tasks : "?") + " map tasks, " +
                std::to_string(m.partitions().size()) + " of " +
                (reducers ? *reducers : "?") + " partitions committed";
    } catch (const ckpt::CheckpointRefused &e) {
      summary = std::string("nothing readable: ") + e.what();
    }
    line(out, ("stage " + std::to_string(i + 1)).c_str(), summary);
  }
}

} // namespace

void info_path(const std::string &path, std::FILE *out) {
  switch (kind_of(path)) {
  case PathKind::checkpoint:
    if (std::error_code ec; !std::filesystem::exists(path + "/manifest", ec))
      if (const auto stages = stage_folders(path); !stages.empty())
        return info_pipeline(stages, out);
    return info_checkpoint(path, out);
  case PathKind::input:
    return info_input(path, out);
  case PathKind::output:
    break;
  }
  info_output(path, out);
}

} // namespace mr::cli
