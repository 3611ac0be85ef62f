// src/cli/cli.cpp: see cli.h.
#include "cli/cli.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>

#include "cli/command_progress.h"
#include "cli/export_rows.h"
#include "cli/html_report.h"
#include "cli/import_paths.h"
#include "cli/info.h"
#include "cli/numbers.h"
#include "cli/pipeline_file.h"
#include "cli/suggest.h"
#include "cli/validate_sort.h"
#include "cli/verify.h"
#include "comm/comm.h"
#include "engine/drivers.h"
#include "engine/options.h"
#include "engine/pipeline.h"
#include "io/h5.h"
#include "io/input_file.h"
#include "mr/registry.h"

namespace mr::cli {

namespace {

constexpr std::uint64_t KiB = 1024, MiB = KiB << 10, GiB = MiB << 10, PiB = GiB << 20;

/// A size flag's check: a size within [min, max] (0 too with zero_ok);
/// replaces the text by the byte count.
CLI::Validator size_in(std::uint64_t min, std::uint64_t max, bool zero_ok = false) {
  return CLI::Validator([=](std::string &v) { return check_size(v, min, max, zero_ok); },
                        "SIZE", "size");
}

constexpr const char *kDescription =
    "MapReduce on MPI, with input and output in HDF5.\n\n"
    "  mapreduce import --format lines -o corpus.h5 books/\n"
    "  mpirun -n 4 mapreduce run wordcount -i corpus.h5 -o counts.h5\n"
    "  mapreduce export counts.h5 > counts.tsv\n\n"
    "Rank 0 coordinates and ranks 1..N-1 work; a single rank does both.\n"
    "Only 'run' uses MPI; the other commands are plain programs.";

/// This process's rank as the launcher (mpirun, srun) set it, before and
/// without MPI: 0 when not launched as one of several ranks.
int launcher_rank() {
  for (const char *name :
       {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"})
    if (const char *v = std::getenv(name))
      return std::atoi(v);
  return 0;
}

/// Runs a command that needs no MPI; prints its error, returns the exit code.
int plain(const std::function<void()> &work) {
  if (launcher_rank() != 0)
    return 0; // started by mpirun on several ranks: rank 0 does it once
  try {
    work();
  } catch (const std::exception &e) {
    std::fprintf(stderr, "mapreduce: error: %s\n", e.what());
    return 1;
  }
  return 0;
}

std::vector<std::string> job_names() {
  std::vector<std::string> names;
  for (const auto *j : registered_jobs())
    names.push_back(j->name);
  for (const auto *d : engine::registered_drivers())
    names.push_back(d->name);
  return names;
}

/// A job's parameters, one per line, for `jobs` and `run JOB --help`.
std::string describe_params(const JobEntry &job, const char *indent) {
  std::string s;
  for (const ParamSpec &p : job.params) {
    std::string head = std::string(indent) + "--param " + p.name + "=" +
                       (p.required ? "VALUE" : p.default_value);
    if (head.size() < 34)
      head.resize(34, ' ');
    else
      head += ' ';
    s += head + p.help + (p.required ? " (required)" : "") + "\n";
  }
  return s;
}

/// Every command's flags, as CLI11 fills them in.
struct Commands {
  CLI::App *import = nullptr, *run = nullptr, *exp = nullptr, *validate = nullptr,
           *verify = nullptr, *info = nullptr, *jobs = nullptr, *pipeline = nullptr,
           *report = nullptr;
  // pipeline
  std::string pipeline_file;
  engine::PipelineOptions pipeline_opt;
  // import
  std::string format = "lines";
  io::ImportOptions import_opt;
  std::vector<std::string> import_paths;
  std::string files_from;
  // run
  engine::RunOptions opt;
  std::vector<std::string> params;
  std::string memory_limit = "auto";
  bool no_backups = false;
  // export, validate-sort, verify
  std::string export_in;
  std::uint64_t export_budget = 64ull << 20;
  std::string sorted_out, sorted_in;
  std::string verify_target;
  std::string info_target;
  // report
  std::string report_json, report_html;
  bool report_overwrite = false;
  // import, export, verify: their progress on stderr
  double progress_seconds = 10;
  bool quiet = false;
};

/// --progress and -q of a command that may take long (import, export,
/// verify); `run` has its own.
void add_progress_flags(CLI::App &command, Commands &c, const std::string &what) {
  command.add_flag("-q,--quiet", c.quiet, "Print no progress" + what);
  command
      .add_option("--progress", c.progress_seconds,
                  "Seconds between two progress lines in a log (MB or rows done, rate, "
                  "ETA); on a terminal one line redrawn in place, after the first second")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
}

CommandProgress progress_of(const Commands &c, const std::string &label,
                            const std::string &verb, CommandProgress::Unit unit) {
  return CommandProgress(label, verb, unit, c.progress_seconds, c.quiet);
}

void add_import(CLI::App &app, Commands &c) {
  c.import = app.add_subcommand(
      "import", "Store files as one HDF5 input file.\n"
                "Examples: mapreduce import --format lines -o corpus.h5 docs/ notes.txt\n"
                "          find docs -name '*.log' | mapreduce import -o logs.h5 "
                "--files-from -\n"
                "          mapreduce import --format records --record-size 100 -o "
                "in.h5 data.bin");
  c.import
      ->add_option("--format", c.format,
                   "lines: a record is a line; records: fixed-size binary records; "
                   "tsv: a record is a key TAB value line (no TAB: all key, empty "
                   "value), read by jobs that take pairs")
      ->check(CLI::IsMember(io::format_names()))
      ->capture_default_str();
  c.import
      ->add_option("--record-size", c.import_opt.record_size,
                   "Bytes per record, for --format records (1 to 1GiB)")
      ->transform(size_in(1, GiB));
  c.import->add_option("-o,--output", c.import_opt.output, "HDF5 file to create")
      ->required();
  c.import->add_flag("--overwrite", c.import_opt.overwrite,
                     "Replace the output if it exists");
  c.import->add_flag("--gunzip", c.import_opt.gunzip,
                     "Decompress gzip files (known by their first bytes) as they are "
                     "imported; without it a gzip file is refused");
  c.import->add_option("--files-from", c.files_from,
                       "Read more paths from this file, one per line ('-': standard "
                       "input), after those on the command line");
  c.import->add_option("paths", c.import_paths,
                       "Files and folders, in this order (a folder: its regular files, "
                       "recursively, in byte order of their paths)");
  add_progress_flags(*c.import, c, " and no summary");
}

// Over 80 lines on purpose: one declaration per flag of `run`, in --help
// order; it reads as the flag table of docs/running.md.
void add_run(CLI::App &app, Commands &c) {
  c.run = app.add_subcommand(
      "run", "Run a job on an imported input.\n"
             "Example: mpirun -n 4 mapreduce run wordcount -i corpus.h5 -o counts.h5\n"
             "'mapreduce run JOB --help' also lists JOB's parameters.\n"
             "Flags may also come from a file: mapreduce run --config job.toml "
             "(TOML or INI, section [run]; the command line wins).");
  c.run->add_option("job", c.opt.job, "Job to run (see 'mapreduce jobs')")
      ->required()
      ->check(CLI::IsMember(job_names()));
  c.run
      ->add_option(
          "-i,--input", c.opt.inputs,
          "Input: a file made by 'mapreduce import', or the output of an earlier "
          "run (for jobs that read pairs); repeat -i for several")
      ->required()
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c.run
      ->add_option("-o,--output", c.opt.output,
                   "HDF5 file to write; it appears only when the job has succeeded")
      ->required();
  c.run
      ->add_option("--reducers", c.opt.reducers,
                   "Reduce partitions (default: four per worker rank)")
      ->check(CLI::Range(1u, 1u << 16));
  // Sizes are read by check_size, never by CLI11's unit transform (it
  // read 99999999999999999999999 modulo 2^64); each has its range.
  c.run
      ->add_option("--split-size", c.opt.split_size,
                   "Input bytes per map task, e.g. 32MiB (records are never cut); "
                   "0 (default): input / (8 x workers), within 1MiB..32MiB; at most 4GiB")
      ->transform(size_in(1, 4 * GiB, true))
      ->capture_default_str();
  c.run
      ->add_option("--round-size", c.opt.round_bytes,
                   "Shuffle bytes a rank sends per round, e.g. 64MiB (bounds buffers; "
                   "1 to 1GiB)")
      ->transform(size_in(1, GiB))
      ->capture_default_str();
  c.run
      ->add_option("--shuffle-send", c.opt.shuffle_send,
                   "How the shuffle sends a round: 'packed' (copied into one buffer, "
                   "then MPI_Alltoallv) or 'datatypes' (MPI_Alltoallw reading the map "
                   "output where it is)")
      ->check(CLI::IsMember({"packed", "datatypes"}))
      ->capture_default_str();
  c.run
      ->add_option("--combine-buffer", c.opt.combine_bytes,
                   "Memory for map-side combining per worker, e.g. 8MiB; when full, "
                   "its pairs go to the shuffle and it starts again (0 to 1PiB)")
      ->transform(size_in(0, PiB))
      ->capture_default_str();
  c.run
      ->add_option(
          "--memory-limit", c.memory_limit,
          "Memory per rank for what grows with the input (map output, received "
          "pairs, output rows), e.g. 2GiB (4MiB to 1PiB); beyond it they spill "
          "to --scratch-dir. 'auto': half the node's memory shared by its workers "
          "(the cgroup's or Slurm's allocation when smaller); "
          "'none': no limit")
      ->transform(CLI::Validator(
          [](std::string &v) {
            if (v == "auto" || v == "none")
              return std::string();
            return check_size(v, 4 * MiB, PiB);
          },
          "SIZE|auto|none", "memory limit"))
      ->capture_default_str();
  c.run->add_option("--scratch-dir", c.opt.scratch_dir,
                    "Folder for spill files (deleted as they are made, freed at exit); "
                    "default: --checkpoint-dir, else the output's folder");
  c.run->add_option("--param", c.params,
                    "Job parameter name=value (repeatable; see 'mapreduce jobs')");
  c.run->add_option("--report", c.opt.report, "Write a JSON report of the run here");
  c.run->add_flag("--overwrite", c.opt.overwrite, "Replace the output if it exists");
  c.run->add_option("--checkpoint-dir", c.opt.checkpoint_dir,
                    "Commit finished map tasks and reduce partitions here, so that a "
                    "failed run can be resumed (see docs/failures.md)");
  c.run->add_flag("--resume", c.opt.resume,
                  "Continue the checkpoint in --checkpoint-dir: redo only what is "
                  "missing or damaged (an empty or missing folder: run everything)");
  c.run->add_flag("--restart-fresh", c.opt.restart_fresh,
                  "Discard the checkpoint in --checkpoint-dir and start again");
  c.run->add_flag("--keep-checkpoint", c.opt.keep_checkpoint,
                  "Keep the checkpoint after success (it is removed by default)");
  c.run
      ->add_option("--task-timeout", c.opt.task_timeout,
                   "Seconds a rank may stay silent (per map task of up to 64 MiB, "
                   "longer for more) before the job is aborted as hung, exit code 4")
      ->check(CLI::Validator(
          // 30 days: a deadline beyond that overflowed (1e10 aborted at once).
          [](std::string &v) { return check_seconds(v, 30 * 24 * 3600); }, "SECONDS",
          "seconds"))
      ->capture_default_str();
  c.run
      ->add_option("--task-attempts", c.opt.task_attempts,
                   "Times a map task (on another worker first) or a reduce partition "
                   "(on its worker) is tried when the job's code fails on it (throws, or "
                   "a streaming command fails) before the job fails")
      ->check(CLI::Range(1u, 1000u))
      ->capture_default_str();
  c.run
      ->add_option("--skip-bad-records", c.opt.skip_bad_records,
                   "Skip a record on which map fails twice (the output then lacks it; "
                   "every skipped record is listed), up to MAX records: more fail the "
                   "job. Off by default: nothing is skipped")
      ->type_name("MAX")
      ->check(CLI::Validator(
          [](std::string &v) {
            return !v.empty() && v.size() <= 18 &&
                           v.find_first_not_of("0123456789") == std::string::npos
                       ? std::string()
                       : "--skip-bad-records takes a count of records (0 or more), not "
                         "'" +
                             v + "'";
          },
          "", "count"));
  c.run->add_flag("--no-backup-tasks", c.no_backups,
                  "Do not run backup copies of the last map tasks on idle workers");
  c.run->add_flag("-q,--quiet", c.opt.quiet, "Print nothing but errors");
  c.run
      ->add_option("--progress", c.opt.progress_seconds,
                   "Seconds between two progress lines (each phase) in a log "
                   "(tasks and MB done, rate, ETA, workers busy); on a terminal the line "
                   "is redrawn in place instead; -q: none")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
}

void add_export_and_checks(CLI::App &app, Commands &c) {
  c.exp = app.add_subcommand(
      "export", "Print an output file as text, in key order, in its job's format "
                "(word count: word<TAB>count).\n"
                "Example: mapreduce export counts.h5 > counts.tsv");
  c.exp->add_option("file", c.export_in, "Output file of 'mapreduce run'")->required();
  c.exp
      ->add_option("--memory-limit", c.export_budget,
                   "Memory for reading the file (merging its partitions), e.g. 16MiB "
                   "(64KiB to 1PiB)")
      ->transform(size_in(64 * KiB, PiB))
      ->capture_default_str();
  add_progress_flags(*c.exp, c, "");

  c.validate = app.add_subcommand(
      "validate-sort",
      "Check that an output of the sort job is in global order; print its record "
      "count and checksum (sum of CRC-32s), and the input's with --input.\n"
      "Example: mapreduce validate-sort sorted.h5 --input records.h5");
  c.validate->add_option("file", c.sorted_out, "Output file of 'mapreduce run sort'")
      ->required();
  c.validate->add_option("--input", c.sorted_in, "The input it was sorted from");

  c.verify = app.add_subcommand(
      "verify", "Check an input, an output or a checkpoint folder completely against "
                "its checksums; print what was checked. Exit 0 only when all is good.\n"
                "Example: mapreduce verify corpus.h5");
  c.verify
      ->add_option("path", c.verify_target, "Input or output file, or checkpoint folder")
      ->required();
  add_progress_flags(*c.verify, c, " (of an input)");

  c.info = app.add_subcommand(
      "info", "Say what a file or folder is and what it holds (an input, an output, a "
              "checkpoint folder), from its metadata: fast at any size.\n"
              "Example: mapreduce info counts.h5");
  c.info->add_option("path", c.info_target, "Input or output file, or checkpoint folder")
      ->required();

  c.report = app.add_subcommand(
      "report",
      "Make one HTML page of a run's JSON report (--report): a timeline with a "
      "bar per map task, shuffle round and reduce partition on each rank, phase "
      "times and rates, partition sizes, memory and spills, counters. It opens "
      "in any browser with no network.\n"
      "Example: mapreduce report run.json -o run.html");
  c.report
      ->add_option("json", c.report_json, "The report of 'mapreduce run ... --report'")
      ->required();
  c.report->add_option("-o,--output", c.report_html, "HTML file to write")->required();
  c.report->add_flag("--overwrite", c.report_overwrite, "Replace the page if it exists");

  c.jobs = app.add_subcommand("jobs", "List the jobs 'mapreduce run' knows, with "
                                      "their parameters");
}

void add_pipeline(CLI::App &app, Commands &c) {
  c.pipeline = app.add_subcommand(
      "pipeline",
      "Run the stages of FILE in one MPI launch: one stage a line, the words that would "
      "follow 'mapreduce run' ('#' starts a comment). A stage may read an earlier "
      "stage's output; outputs that later stages read are removed at the end unless "
      "--keep-intermediates.\n"
      "Example: mpirun -n 4 mapreduce pipeline stages.txt --checkpoint-dir ckpt");
  c.pipeline->add_option("file", c.pipeline_file, "The pipeline file")->required();
  engine::PipelineOptions &p = c.pipeline_opt;
  c.pipeline->add_option("--checkpoint-dir", p.checkpoint_dir,
                         "Commit every stage's work here (a folder a stage)");
  c.pipeline->add_flag("--resume", p.resume,
                       "Skip the stages whose outputs are complete and continue the "
                       "stage in progress from its checkpoint");
  c.pipeline->add_flag("--restart-fresh", p.restart_fresh,
                       "Discard the checkpoints first");
  c.pipeline->add_flag("--keep-checkpoint", p.keep_checkpoint,
                       "Keep the checkpoints after success");
  c.pipeline->add_flag("--keep-intermediates", p.keep_intermediates,
                       "Keep the outputs that later stages read");
  c.pipeline->add_flag("-q,--quiet", p.quiet, "Print nothing but errors");
}

/// --param NAME=VALUE words into c.opt.params; throws CLI::ValidationError.
void collect_params(Commands &c) {
  for (const auto &p : c.params) {
    auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      throw CLI::ValidationError("--param", "expected name=value, got '" + p + "'");
    const auto [at, fresh] = c.opt.params.emplace(p.substr(0, eq), p.substr(eq + 1));
    if (!fresh)
      throw CLI::ValidationError("--param", "'" + at->first + "' is given twice ('" +
                                                at->second + "' and '" +
                                                p.substr(eq + 1) + "'): give it once");
  }
}

/// What CLI11 cannot check by itself: --param's form and repeats, and
/// import's flags that go together. Throws CLI::ValidationError.
void check_words(Commands &c) {
  collect_params(c);
  if (*c.import && c.import_paths.empty() && c.files_from.empty())
    throw CLI::ValidationError("import", "needs files or folders, or --files-from LIST");
  if (*c.import && c.format == "records" && c.import_opt.record_size == 0)
    throw CLI::ValidationError("--format records", "needs --record-size N (N > 0)");
  if (*c.import && c.format != "records" && c.import_opt.record_size != 0)
    throw CLI::ValidationError("--record-size", "only goes with --format records");
}

/// For a mistyped command or flag, what was meant: a message naming the word
/// and the closest command or flag; "" when the parser's own says enough.
std::string explain_words(CLI::App &app, const CLI::ParseError &e, int argc,
                          char **argv) {
  std::vector<CLI::App *> commands = app.get_subcommands([](CLI::App *) { return true; });
  CLI::App *parsed = nullptr;
  std::vector<std::string> names;
  for (CLI::App *sub : commands) {
    names.push_back(sub->get_name());
    if (sub->parsed())
      parsed = sub;
  }
  if (dynamic_cast<const CLI::RequiredError *>(&e) && !parsed && argc > 1 &&
      argv[1][0] != '-') {
    const std::string word = argv[1];
    if (find_job(word) || engine::find_driver(word))
      return "'" + word + "' is a job, not a command: mapreduce run " + word +
             " -i INPUT.h5 -o OUTPUT.h5 ...";
    std::string said = "'" + word + "' is not a command";
    const std::string meant = closest(word, names);
    if (!meant.empty())
      return said + "; did you mean '" + meant + "'?";
    std::string all;
    for (const std::string &n : names)
      all += (all.empty() ? "" : ", ") + n;
    return said + " (the commands: " + all + ")";
  }
  // (CLI11 names an ExtrasError after the command, not the class.)
  if (!dynamic_cast<const CLI::ExtrasError *>(&e) || !parsed)
    return {};
  std::vector<std::string> flags;
  for (const CLI::Option *o : parsed->get_options())
    for (const std::string &l : o->get_lnames())
      flags.push_back("--" + l);
  std::string said;
  for (int i = 2; i < argc; ++i) {
    std::string word = argv[i];
    if (word.size() < 3 || word.compare(0, 2, "--") != 0)
      continue;
    word = word.substr(0, word.find('='));
    if (std::find(flags.begin(), flags.end(), word) != flags.end())
      continue;
    said += (said.empty() ? "" : "\n") + word + " is not a flag of '" +
            parsed->get_name() + "'";
    const std::string meant = closest(word, flags);
    if (!meant.empty())
      said += "; did you mean " + meant + "?";
  }
  return said;
}

/// `mapreduce run --config FILE`: run's flags from a TOML or INI file, in a
/// section [run] (`reducers = 8`, `param = ["n=10"]`, `job = "wordcount"`);
/// flags on the command line win. CLI11 reads config files for the whole
/// app, so `run` passes --config up to it (fallthrough); a key that is no
/// flag of run's is an error, never ignored.
void add_config(CLI::App &app, CLI::App &run) {
  app.set_config("--config", "",
                 "Read flags from a TOML or INI file: those of `run` in a section "
                 "[run] (e.g. reducers = 8, param = [\"n=10\"]); the command line "
                 "wins. Give it after `run`: mapreduce run --config job.toml");
  app.allow_config_extras(CLI::config_extras_mode::error);
  run.fallthrough();
}

/// A --config file's keys in another command's section ([import]...) would
/// set that command's options, unused: refused, as an unknown key is.
void check_config_sections(CLI::App &app) {
  for (CLI::App *sub : app.get_subcommands([](CLI::App *) { return true; })) {
    if (sub->parsed())
      continue;
    for (const CLI::Option *o : sub->get_options())
      if (o->count() > 0)
        throw CLI::ConfigError("--config: section [" + sub->get_name() +
                               "] is not read: the file gives run's flags, in [run]");
  }
}

/// A key of a --config file that is no flag of `run`, with the closest flag;
/// "" for other errors.
std::string explain_config(CLI::App &run, const CLI::ParseError &e) {
  if (!dynamic_cast<const CLI::ConfigError *>(&e))
    return {};
  const std::string what = e.what();
  const std::string head = "INI was not able to parse ";
  if (what.compare(0, head.size(), head) != 0)
    return {};
  std::string key = what.substr(head.size());
  if (key.compare(0, 4, "run.") != 0)
    return "--config: '" + key +
           "' is outside section [run]: the file gives run's flags only, in [run]";
  key = key.substr(4);
  std::vector<std::string> names;
  for (const CLI::Option *o : run.get_options())
    for (const std::string &l : o->get_lnames())
      names.push_back(l);
  std::string said = "--config: '" + key + "' in [run] is not a flag of 'run'";
  if (const std::string meant = closest(key, names); !meant.empty())
    said += "; did you mean '" + meant + "'?";
  return said;
}

/// A bad command line: every rank parsed the same words; one prints, all
/// stop with one code. `run` is an MPI job: its ranks meet once rank 0 has
/// printed, or mpirun would kill rank 0 as soon as another rank exits
/// non-zero. The other commands are started once (or by mpirun, when rank 0
/// alone answers).
int refuse_words(CLI::App &app, const Commands &c, const CLI::ParseError &e, int argc,
                 char **argv) {
  const bool mpi_job =
      c.run->parsed() || c.pipeline->parsed() ||
      (argc > 1 && (std::string(argv[1]) == "run" || std::string(argv[1]) == "pipeline"));
  std::optional<comm::Runtime> mpi;
  if (mpi_job)
    mpi.emplace(argc, argv);
  const bool printer = mpi_job ? comm::Comm::world().rank() == 0 : launcher_rank() == 0;
  int code = e.get_exit_code();
  if (printer) {
    std::string meant = explain_config(*c.run, e);
    if (meant.empty())
      meant = explain_words(app, e, argc, argv);
    if (!meant.empty())
      std::fprintf(stderr, "%s\nRun with --help for more information.\n", meant.c_str());
    else
      code = app.exit(e);
    auto job = c.run->get_option("job");
    if (e.get_name() == "CallForHelp" && *c.run && job->count() == 1)
      if (const JobEntry *j = find_job(job->as<std::string>())
                                  ? find_job(job->as<std::string>())
                                  : engine::find_driver(job->as<std::string>()))
        std::printf("\nJob %s: %s\n%s", j->name.c_str(), j->description.c_str(),
                    j->params.empty() ? "  (no parameters)\n"
                                      : describe_params(*j, "  ").c_str());
    std::fflush(stdout);
    std::fflush(stderr);
  }
  if (mpi_job)
    comm::Comm::world().barrier();
  return mpi_job || printer ? code : 0;
}

int run_import(Commands &c) {
  return plain([&] {
    c.import_opt.format = io::format_named(c.format);
    ImportPaths paths = collect_import_paths(c.import_paths, c.files_from);
    CommandProgress progress =
        progress_of(c, "import", "read", CommandProgress::Unit::bytes);
    c.import_opt.progress = [&](std::uint64_t done, std::uint64_t total) {
      progress.update(done, total);
    };
    auto s = io::import_files(paths.files, c.import_opt);
    progress.finish();
    if (c.quiet)
      return;
    std::fprintf(stderr, "imported %llu file(s), %llu bytes into %s",
                 static_cast<unsigned long long>(s.files),
                 static_cast<unsigned long long>(s.bytes), c.import_opt.output.c_str());
    if (s.gunzipped)
      std::fprintf(stderr, " (%llu gzip file(s) decompressed)",
                   static_cast<unsigned long long>(s.gunzipped));
    if (paths.skipped_links || paths.skipped_special)
      std::fprintf(stderr,
                   " (skipped inside folders: %llu symbolic link(s), %llu "
                   "special file(s))",
                   static_cast<unsigned long long>(paths.skipped_links),
                   static_cast<unsigned long long>(paths.skipped_special));
    std::fprintf(stderr, "\n");
  });
}

/// A command whose own exit code says what it found (0: all good).
int run_checking(const std::function<int()> &command) {
  int code = 0;
  const int failed = plain([&] { code = command(); });
  return failed ? failed : code;
}

/// What `run`'s flags leave to be worked out after parsing.
void finish_run_options(Commands &c) {
  c.opt.backup_tasks = !c.no_backups;
  if (c.memory_limit == "none")
    c.opt.memory_limit = 0;
  else if (c.memory_limit != "auto")
    c.opt.memory_limit = std::stoull(c.memory_limit); // check_size made it a byte count
}

int start_job(Commands &c, int argc, char **argv) {
  finish_run_options(c);
  comm::Runtime mpi(argc, argv); // only `run` and `pipeline` need MPI
  if (engine::find_driver(c.opt.job))
    return engine::run_driver(c.opt);
  return engine::run_job(c.opt);
}

/// One stage of a pipeline file: its words parsed as `mapreduce run`'s.
engine::RunOptions parse_stage(const std::vector<std::string> &words) {
  CLI::App app("", "mapreduce");
  Commands c;
  add_run(app, c);
  std::vector<std::string> args(words.rbegin(), words.rend()); // CLI11 pops from the back
  args.push_back("run");
  try {
    app.parse(args);
    collect_params(c);
  } catch (const CLI::CallForHelp &) {
    throw std::invalid_argument("--help is not a stage");
  } catch (const CLI::ParseError &e) {
    throw std::invalid_argument(e.what());
  }
  finish_run_options(c);
  return c.opt;
}

/// `mapreduce pipeline FILE`: every rank reads the file; a bad one is said
/// once, by rank 0, and every rank stops with exit 1.
int start_pipeline(Commands &c, int argc, char **argv) {
  comm::Runtime mpi(argc, argv);
  const comm::Comm world = comm::Comm::world();
  std::vector<engine::RunOptions> stages;
  try {
    stages = read_pipeline(c.pipeline_file, parse_stage);
  } catch (const std::exception &e) {
    if (world.rank() == 0)
      std::fprintf(stderr, "mapreduce: error: %s\n", e.what());
    world.barrier();
    return engine::kExitRefused;
  }
  // The pipeline's -q quiets every stage; stages all quiet quiet it too.
  for (engine::RunOptions &o : stages)
    o.quiet = o.quiet || c.pipeline_opt.quiet;
  c.pipeline_opt.quiet =
      std::all_of(stages.begin(), stages.end(), [](const auto &o) { return o.quiet; });
  return engine::run_pipeline(std::move(stages), c.pipeline_opt);
}

} // namespace

engine::RunOptions parse_run_words(const std::vector<std::string> &words) {
  return parse_stage(words);
}

int main(int argc, char **argv) {
  io::silence_hdf5_errors();
  CLI::App app(kDescription, "mapreduce");
  app.require_subcommand(1);
  app.set_version_flag("--version", "mapreduce 0.2");
  Commands c;
  add_import(app, c);
  add_run(app, c);
  add_config(app, *c.run);
  add_export_and_checks(app, c);
  add_pipeline(app, c);
  try {
    app.parse(argc, argv);
    check_config_sections(app);
    check_words(c);
  } catch (const CLI::ParseError &e) {
    return refuse_words(app, c, e, argc, argv);
  }
  if (*c.import)
    return run_import(c);
  if (*c.exp)
    return plain([&] {
      CommandProgress checking =
          progress_of(c, "export", "checked", CommandProgress::Unit::rows);
      CommandProgress printing =
          progress_of(c, "export", "printed", CommandProgress::Unit::rows);
      export_rows(
          c.export_in, stdout, c.export_budget,
          [&](std::uint64_t done, std::uint64_t total) { checking.update(done, total); },
          [&](std::uint64_t done, std::uint64_t total) { printing.update(done, total); });
    });
  if (*c.validate)
    return run_checking([&] { return validate_sort(c.sorted_out, c.sorted_in, stdout); });
  if (*c.verify)
    return run_checking([&] {
      // An input is checked in bytes, an output in rows.
      const bool rows = kind_of(c.verify_target) == PathKind::output;
      CommandProgress progress =
          progress_of(c, "verify", "checked",
                      rows ? CommandProgress::Unit::rows : CommandProgress::Unit::bytes);
      return verify_path(
          c.verify_target, stdout,
          [&](std::uint64_t done, std::uint64_t total) { progress.update(done, total); });
    });
  if (*c.info)
    return plain([&] { info_path(c.info_target, stdout); });
  if (*c.report)
    return plain([&] {
      write_html_report(c.report_json, c.report_html, c.report_overwrite);
      std::fprintf(stderr, "report: wrote %s\n", c.report_html.c_str());
    });
  if (*c.pipeline)
    return start_pipeline(c, argc, argv);
  if (*c.jobs)
    return plain([&] {
      std::vector<const JobEntry *> all = registered_jobs();
      for (const auto *d : engine::registered_drivers())
        all.push_back(d);
      std::sort(all.begin(), all.end(),
                [](const JobEntry *a, const JobEntry *b) { return a->name < b->name; });
      for (const auto *j : all)
        std::printf("%-15s %s\n%s", j->name.c_str(), j->description.c_str(),
                    describe_params(*j, "    ").c_str());
    });
  return start_job(c, argc, argv);
}

} // namespace mr::cli
