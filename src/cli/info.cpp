// src/cli/info.cpp: see info.h. Reads metadata only: headers, file tables,
// attributes and the checkpoint manifest, never the data.
#include "cli/info.h"

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

} // namespace

void info_path(const std::string &path, std::FILE *out) {
  switch (kind_of(path)) {
  case PathKind::checkpoint:
    return info_checkpoint(path, out);
  case PathKind::input:
    return info_input(path, out);
  case PathKind::output:
    break;
  }
  info_output(path, out);
}

} // namespace mr::cli
