// src/cli/main.cpp: the `mapreduce` command: import, run, export, jobs.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <functional>

#include "cli/export_tsv.h"
#include "comm/comm.h"
#include "engine/options.h"
#include "io/h5.h"
#include "io/input_file.h"
#include "mr/registry.h"

namespace {

constexpr const char *kDescription =
    "MapReduce on MPI, with input and output in HDF5.\n\n"
    "  mapreduce import --format lines -o corpus.h5 books/*.txt\n"
    "  mpirun -n 4 mapreduce run wordcount -i corpus.h5 -o counts.h5\n"
    "  mapreduce export counts.h5 > counts.tsv\n\n"
    "Rank 0 coordinates and ranks 1..N-1 work; a single rank does both.";

/// Runs `work` on rank 0 only (import and export are serial); every rank
/// returns its exit code.
int on_rank0(const mr::comm::Comm &world, const std::function<void()> &work) {
  int code = 0;
  std::string message;
  if (world.rank() == 0) {
    try {
      work();
    } catch (const std::exception &e) {
      std::fprintf(stderr, "mapreduce: error: %s\n", e.what());
      code = 1;
    }
  }
  world.broadcast(code, message, 0);
  return code;
}

std::vector<std::string> job_names() {
  std::vector<std::string> names;
  for (const auto *j : mr::registered_jobs())
    names.push_back(j->name);
  return names;
}

} // namespace

int main(int argc, char **argv) {
  mr::comm::Runtime mpi(argc, argv);
  const mr::comm::Comm world = mr::comm::Comm::world();
  const bool root = world.rank() == 0;
  mr::io::silence_hdf5_errors();

  CLI::App app(kDescription, "mapreduce");
  app.require_subcommand(1);
  app.set_version_flag("--version", "mapreduce 0.1");

  // import
  std::string format = "lines";
  std::string import_out;
  std::vector<std::string> import_files;
  bool import_overwrite = false;
  auto *import = app.add_subcommand(
      "import", "Store text files as one HDF5 input file.\n"
                "Example: mapreduce import --format lines -o corpus.h5 books/*.txt");
  import
      ->add_option("--format", format,
                   "Record format of the files (lines: one record per line)")
      ->check(CLI::IsMember({"lines"}))
      ->capture_default_str();
  import->add_option("-o,--output", import_out, "HDF5 file to create")->required();
  import->add_flag("--overwrite", import_overwrite, "Replace the output if it exists");
  import->add_option("files", import_files, "Text files to import, in this order")
      ->required()
      ->expected(1, -1);

  // run
  mr::engine::RunOptions opt;
  std::vector<std::string> params;
  auto *run = app.add_subcommand(
      "run", "Run a job on an imported input.\n"
             "Example: mpirun -n 4 mapreduce run wordcount -i corpus.h5 -o counts.h5");
  run->add_option("job", opt.job, "Job to run (see 'mapreduce jobs')")
      ->required()
      ->check(CLI::IsMember(job_names()));
  run->add_option("-i,--input", opt.input, "Input file made by 'mapreduce import'")
      ->required();
  run->add_option("-o,--output", opt.output,
                  "HDF5 file to write; it appears only when the job has succeeded")
      ->required();
  run->add_option("--reducers", opt.reducers,
                  "Reduce partitions (default: one per worker rank)")
      ->check(CLI::Range(1u, 1u << 16));
  run->add_option("--split-size", opt.split_size,
                  "Input bytes per map task, e.g. 32MiB (records are never cut); "
                  "0 (default): input / (8 x workers), within 1MiB..32MiB")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  run->add_option("--round-size", opt.round_bytes,
                  "Shuffle bytes a rank sends per round, e.g. 64MiB (bounds buffers)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  run->add_option("--combine-buffer", opt.combine_bytes,
                  "Memory for map-side combining per worker, e.g. 8MiB; when full, "
                  "its pairs go to the shuffle and it starts again")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  run->add_option("--param", params, "Job parameter name=value (repeatable)");
  run->add_option("--report", opt.report, "Write a JSON report of the run here");
  run->add_flag("--overwrite", opt.overwrite, "Replace the output if it exists");
  run->add_flag("-q,--quiet", opt.quiet, "Print nothing but errors");

  // export
  std::string export_in;
  auto *exp = app.add_subcommand(
      "export", "Print an output file as key<TAB>value lines, sorted by key.\n"
                "Example: mapreduce export counts.h5 > counts.tsv");
  exp->add_option("file", export_in, "Output file of 'mapreduce run'")->required();

  auto *jobs = app.add_subcommand("jobs", "List the jobs 'mapreduce run' knows");

  try {
    app.parse(argc, argv);
    for (const auto &p : params) {
      auto eq = p.find('=');
      if (eq == std::string::npos || eq == 0)
        throw CLI::ValidationError("--param", "expected name=value, got '" + p + "'");
      opt.params[p.substr(0, eq)] = p.substr(eq + 1);
    }
  } catch (const CLI::ParseError &e) {
    // Every rank parsed the same words; one prints, all stop with one code.
    if (root)
      return app.exit(e);
    return e.get_exit_code();
  }

  if (*import)
    return on_rank0(world, [&] {
      auto s = mr::io::import_lines(import_files, import_out, import_overwrite);
      std::fprintf(stderr, "imported %llu file(s), %llu bytes into %s\n",
                   static_cast<unsigned long long>(s.files),
                   static_cast<unsigned long long>(s.bytes), import_out.c_str());
    });
  if (*exp)
    return on_rank0(world, [&] { mr::cli::export_tsv(export_in, stdout); });
  if (*jobs)
    return on_rank0(world, [&] {
      for (const auto *j : mr::registered_jobs())
        std::printf("%-12s %s\n", j->name.c_str(), j->description.c_str());
    });
  return mr::engine::run_job(opt);
}
