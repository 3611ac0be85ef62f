// src/cli/cli.h: the `mapreduce` command line. The installed package's
// `mapreduce::mapreduce` target links it with a main(), so that a program of
// user jobs gets every command and flag of `mapreduce`.
#pragma once

#include <string>
#include <vector>

#include "engine/options.h"

namespace mr::cli {

/// The options of `mapreduce run` given its words (what follows `run`);
/// throws std::invalid_argument with the command line's message.
engine::RunOptions parse_run_words(const std::vector<std::string> &words);

/// Parses the arguments and runs the command; returns the exit code. Only
/// `run` starts MPI: import, export, jobs and validate-sort are plain
/// processes (under a multi-rank launcher, rank 0 works and the rest exit 0).
int main(int argc, char **argv);

} // namespace mr::cli
