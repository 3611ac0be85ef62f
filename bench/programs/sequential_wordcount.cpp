// bench/programs/sequential_wordcount.cpp: the baseline any parallel word count must
// beat: one process, one std::unordered_map, no MPI. Reads the files named
// on the command line, splits on the same six whitespace bytes as the
// wordcount job, and prints word<TAB>count sorted by bytes (as
// `mapreduce export` does), so its output can be compared with ours.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

} // namespace

int main(int argc, char **argv) {
  std::unordered_map<std::string, std::uint64_t> counts;
  std::string word;
  std::vector<char> buffer(1 << 20);
  for (int i = 1; i < argc; ++i) {
    std::FILE *f = std::fopen(argv[i], "rb");
    if (!f) {
      std::perror(argv[i]);
      return 1;
    }
    for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), f)) > 0;)
      for (std::size_t j = 0; j < n; ++j) {
        const auto c = static_cast<unsigned char>(buffer[j]);
        if (!is_space(c)) {
          word += static_cast<char>(c);
        } else if (!word.empty()) {
          ++counts[word];
          word.clear();
        }
      }
    std::fclose(f);
    if (!word.empty()) { // a file's last word ends with the file
      ++counts[word];
      word.clear();
    }
  }
  std::vector<std::pair<std::string, std::uint64_t>> rows(counts.begin(), counts.end());
  std::sort(rows.begin(), rows.end());
  std::string out;
  for (const auto &[w, n] : rows) {
    out += w;
    out += '\t';
    out += std::to_string(n);
    out += '\n';
    if (out.size() > (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
