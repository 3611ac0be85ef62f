// tests/tools/gen_text.cpp: deterministic Zipf-distributed text for tests and
// benchmarks.
//
//   mr_gen_text BYTES SEED [VOCAB] [--edge-cases] > file.txt
//
// Words are drawn from a vocabulary of VOCAB words (default 100000) with
// Zipf(1) frequencies, joined by single spaces into lines of 1 to 20 words.
// With --edge-cases, it also mixes in what tokenizers get wrong: non-ASCII
// bytes, tabs, CR LF line ends, \v and \f, runs of blanks, empty lines, and a
// few lines longer than 64 KiB.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

std::string make_word(std::uint64_t i, std::mt19937_64 &rng, bool edge) {
  static const char letters[] = "etaoinshrdlucmfwypvbgkjqxzETAOINSHRDLU0123456789";
  std::string w;
  std::uint64_t x = i + 1;
  do {
    w += letters[x % (sizeof letters - 1)];
    x /= sizeof letters - 1;
  } while (x);
  if (edge && i % 7 == 3)
    w += "\xc3\xa9"; // UTF-8 e-acute
  if (edge && i % 11 == 5)
    w += static_cast<char>(0x80 + rng() % 0x7f); // a stray high byte
  if (edge && i % 13 == 6)
    w = "\"" + w + "\",";
  return w;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: mr_gen_text BYTES SEED [VOCAB] [--edge-cases]\n");
    return 2;
  }
  const std::uint64_t bytes = std::strtoull(argv[1], nullptr, 10);
  std::mt19937_64 rng(std::strtoull(argv[2], nullptr, 10));
  std::uint64_t vocab = 100000;
  bool edge = false;
  for (int i = 3; i < argc; ++i) {
    if (std::strcmp(argv[i], "--edge-cases") == 0)
      edge = true;
    else
      vocab = std::strtoull(argv[i], nullptr, 10);
  }
  if (vocab == 0)
    vocab = 1;

  std::vector<std::string> words(vocab);
  for (std::uint64_t i = 0; i < vocab; ++i)
    words[i] = make_word(i, rng, edge);
  // Zipf(1) by inverse CDF over the harmonic numbers.
  std::vector<double> cdf(vocab);
  double h = 0;
  for (std::uint64_t i = 0; i < vocab; ++i)
    cdf[i] = (h += 1.0 / double(i + 1));
  std::uniform_real_distribution<double> uni(0, h);

  std::string out;
  out.reserve(1 << 20);
  std::uint64_t written = 0;
  auto flush = [&] {
    std::fwrite(out.data(), 1, out.size(), stdout);
    written += out.size();
    out.clear();
  };
  static const char *seps[] = {" ", "\t", "  ", " \t ", "\v", "\f", "\r"};
  std::uint64_t line = 0;
  while (written + out.size() < bytes) {
    ++line;
    if (edge && line % 97 == 0) {
      out += "\n"; // empty line
      continue;
    }
    if (edge && line % 5003 == 0) { // a line longer than small split sizes
      for (int i = 0; i < 9000; ++i)
        out += words[i % vocab] + " ";
      out += "\n";
      continue;
    }
    const int n = 1 + static_cast<int>(rng() % 20);
    if (edge && line % 17 == 0)
      out += "  "; // leading blanks
    for (int i = 0; i < n; ++i) {
      if (i)
        out += edge && rng() % 10 == 0 ? seps[rng() % 7] : " ";
      auto it = std::lower_bound(cdf.begin(), cdf.end(), uni(rng));
      out += words[std::min<std::uint64_t>(it - cdf.begin(), vocab - 1)];
    }
    if (edge && line % 23 == 0)
      out += " "; // trailing blank
    out += edge && line % 3 == 0 ? "\r\n" : "\n";
    if (out.size() >= (1 << 20))
      flush();
  }
  flush();
  return 0;
}
