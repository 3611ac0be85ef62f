// src/cli/pipeline_file.cpp: see pipeline_file.h.
#include "cli/pipeline_file.h"

#include <filesystem>
#include <fstream>
#include <map>

namespace mr::cli {

namespace fs = std::filesystem;

std::vector<std::string> split_words(const std::string &line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      if (in_word)
        words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '#' && !in_word) {
      break;
    } else if (c == '\'' || c == '"') {
      const std::size_t open = i;
      for (++i; i < line.size() && line[i] != c; ++i) {
        if (c == '"' && line[i] == '\\' && i + 1 < line.size() &&
            (line[i + 1] == '"' || line[i + 1] == '\\'))
          ++i;
        word += line[i];
      }
      if (i >= line.size())
        throw std::invalid_argument("the quote at column " + std::to_string(open + 1) +
                                    " is not closed");
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word)
    words.push_back(std::move(word));
  return words;
}

namespace {

std::string key_of(const std::string &path) {
  std::error_code ec;
  return fs::weakly_canonical(fs::absolute(path, ec), ec).string();
}

} // namespace

std::vector<engine::RunOptions> read_pipeline(const std::string &path,
                                              const StageParser &parse) {
  std::ifstream in(path);
  if (!in)
    throw PipelineError("pipeline file '" + path + "' cannot be read");
  std::vector<engine::RunOptions> stages;
  std::vector<std::size_t> lines;
  std::string text;
  for (std::size_t n = 1; std::getline(in, text); ++n) {
    const std::string where = path + " line " + std::to_string(n) + ": ";
    std::vector<std::string> words;
    try {
      words = split_words(text);
      if (words.empty())
        continue;
      if (words.front() == "mapreduce" || words.front() == "run")
        throw std::invalid_argument("write the words that follow 'mapreduce run' (the "
                                    "job first), not '" +
                                    words.front() + "'");
      stages.push_back(parse(words));
    } catch (const std::exception &e) {
      throw PipelineError(where + e.what());
    }
    lines.push_back(n);
    const engine::RunOptions &o = stages.back();
    if (!o.checkpoint_dir.empty() || o.resume || o.restart_fresh || o.keep_checkpoint)
      throw PipelineError(where + "--checkpoint-dir, --resume, --restart-fresh and "
                                  "--keep-checkpoint belong to the pipeline (mapreduce "
                                  "pipeline FILE --checkpoint-dir DIR), not to a stage");
  }
  if (stages.empty())
    throw PipelineError("pipeline file '" + path + "' has no stage");

  // Who writes what: one writer an output, and readers after their writer.
  std::map<std::string, std::size_t> writer;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const auto [at, fresh] = writer.emplace(key_of(stages[i].output), i);
    if (!fresh)
      throw PipelineError(path + " line " + std::to_string(lines[i]) + ": output '" +
                          stages[i].output + "' is written by line " +
                          std::to_string(lines[at->second]) +
                          " too: two stages cannot write one output");
  }
  for (std::size_t i = 0; i < stages.size(); ++i)
    for (const std::string &input : stages[i].inputs) {
      const std::string where =
          path + " line " + std::to_string(lines[i]) + ": input '" + input + "' ";
      const auto w = writer.find(key_of(input));
      if (w != writer.end() && w->second == i)
        throw PipelineError(where + "is this stage's own output");
      if (w != writer.end() && w->second > i)
        throw PipelineError(where + "is written by line " +
                            std::to_string(lines[w->second]) +
                            ", a later stage: stages run in the file's order");
      std::error_code ec;
      if (w == writer.end() && !fs::exists(input, ec))
        throw PipelineError(where + "does not exist, and no earlier stage writes it");
    }
  return stages;
}

} // namespace mr::cli
