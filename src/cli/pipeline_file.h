// src/cli/pipeline_file.h: `mapreduce pipeline FILE`: a plain text file, one
// stage a line, each the words that would follow `mapreduce run` (see
// docs/running.md, "Pipelines").
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/options.h"

namespace mr::cli {

/// What is wrong with a pipeline file: "FILE line N: ...".
class PipelineError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// A line cut into words as a shell would: blanks separate words; '...'
/// keeps everything, "..." everything but \" and \\ (escaped), and a
/// backslash outside quotes escapes the next character; `#` outside quotes
/// at a word's start begins a comment. Throws std::invalid_argument for an
/// unclosed quote.
std::vector<std::string> split_words(const std::string &line);

/// Turns the words of one stage into its options; throws
/// std::invalid_argument with the command line's message.
using StageParser = std::function<engine::RunOptions(const std::vector<std::string> &)>;

/// The stages of pipeline file `path`, checked: every line parses; no stage
/// names a checkpoint (the pipeline's --checkpoint-dir covers them all); no
/// two stages write one output; every input exists or is written by an
/// earlier stage (never by a later one). Throws PipelineError.
std::vector<engine::RunOptions> read_pipeline(const std::string &path,
                                              const StageParser &parse);

} // namespace mr::cli
