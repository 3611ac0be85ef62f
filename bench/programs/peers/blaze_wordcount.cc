// bench/programs/peers/blaze_wordcount.cc: word count written against Blaze
// (github.com/junhao12131/blaze), for bench/scripts/peers.sh; built only there, from
// sources fetched outside this repository. Words are split by our own
// mr::for_each_word (include/mr/text.h), as our wordcount job splits them;
// each rank writes its share of the
// counts to OUT.<rank> (word TAB count), which the script sorts and compares
// with coreutils. Usage: mpirun -n N blaze_wordcount INPUT OUT
#include <blaze/blaze.h>

#include <cstdio>
#include <string>

#include "mr/text.h"

int main(int argc, char **argv) {
  blaze::util::init(argc, argv);
  if (argc != 3) {
    std::fprintf(stderr, "usage: blaze_wordcount INPUT OUT\n");
    return 2;
  }
  auto lines = blaze::util::load_file(argv[1]);
  const auto mapper = [](const size_t, const std::string &line, const auto &emit) {
    mr::for_each_word(line, [&](std::string_view w) { emit(std::string(w), size_t{1}); });
  };
  blaze::DistHashMap<std::string, size_t> words;
  blaze::mapreduce<std::string, std::string, size_t>(lines, mapper, "sum", words);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  std::FILE *out =
      std::fopen((std::string(argv[2]) + "." + std::to_string(rank)).c_str(), "w");
  words.for_each([&](const std::string &word, const size_t, const size_t &count) {
    std::fwrite(word.data(), 1, word.size(), out); // words may hold NUL bytes
    std::fprintf(out, "\t%zu\n", count);
  });
  std::fclose(out);
  MPI_Finalize(); // blaze::util::init calls MPI_Init; nothing finalizes
  return 0;
}
