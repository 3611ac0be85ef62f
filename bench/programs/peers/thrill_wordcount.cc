// bench/programs/peers/thrill_wordcount.cc: word count written against Thrill
// (github.com/thrill/thrill), for bench/scripts/peers.sh; built only there, from
// sources fetched outside this repository. Words are split by our own
// mr::for_each_word (include/mr/text.h, copied beside this file by the
// script), as our wordcount job splits them; the counts are written as lines
// `word TAB count` to OUT-<worker> files (Thrill's WriteLines), which the
// script sorts and compares with coreutils. Run as one process with two
// workers (THRILL_LOCAL=1 THRILL_WORKERS_PER_HOST=2): two processes would
// pin their workers to the same core. Usage: thrill_wordcount INPUT OUT
#include <thrill/api/dia.hpp> // FlatMap, Map
#include <thrill/api/read_lines.hpp>
#include <thrill/api/reduce_by_key.hpp>
#include <thrill/api/write_lines.hpp>

#include <cstdio>
#include <string>
#include <utility>

#include "mr/text.h"

using Count = std::pair<std::string, std::size_t>;

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: thrill_wordcount INPUT OUT\n");
    return 2;
  }
  const std::string input = argv[1], output = argv[2];
  return thrill::Run([&](thrill::Context &ctx) {
    ctx.enable_consume();
    thrill::ReadLines(ctx, input)
        .FlatMap<Count>([](const std::string &line, auto emit) {
          mr::for_each_word(line,
                            [&](std::string_view w) { emit(Count(std::string(w), 1)); });
        })
        .ReduceByKey([](const Count &c) { return c.first; },
                     [](const Count &a, const Count &b) {
                       return Count(a.first, a.second + b.second);
                     })
        .Map([](const Count &c) { return c.first + "\t" + std::to_string(c.second); })
        .WriteLines(output + "-@@@@-####");
  });
}
