// tests/tools/gen_data.cpp: deterministic inputs for the jobs' tests and
// benchmarks. Same arguments, same bytes.
//
//   mr_gen_data logs BYTES SEED > access.log    access logs, ~3% malformed
//   mr_gen_data csv BYTES SEED > people.csv     CSV, 4 fields; quoting, blanks,
//                                               invalid records, duplicate ids
//   mr_gen_data records COUNT [--ascii] [--skewed] > recs
//                                               gensort's records (binary, or
//                                               -a's ASCII form); --skewed:
//                                               half the keys from 16 values
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

__extension__ typedef unsigned __int128 u128; // GCC and Clang have it

/// Zipf(1) over [0, n): inverse of the harmonic CDF, approximated.
std::uint64_t zipf(std::mt19937_64 &rng, std::uint64_t n) {
  std::uniform_real_distribution<double> u(0, 1);
  const double h = std::log(static_cast<double>(n)) + 0.5772;
  const double x = std::exp(u(rng) * h - 0.5772);
  const std::uint64_t k = static_cast<std::uint64_t>(x);
  return k >= n ? n - 1 : k;
}

std::string pick(std::mt19937_64 &rng, std::initializer_list<const char *> items) {
  return *(items.begin() + rng() % items.size());
}

std::string access_line(std::mt19937_64 &rng) {
  std::string host =
      rng() % 3
          ? std::to_string(10 + rng() % 200) + "." + std::to_string(rng() % 256) + "." +
                std::to_string(rng() % 256) + "." + std::to_string(rng() % 256)
          : "host" + std::to_string(zipf(rng, 500)) + ".example.org";
  static const char *sections[] = {"news", "docs", "api/v1", "images", "shop", "blog"};
  std::string target =
      "/" + std::string(sections[rng() % 6]) + "/item" + std::to_string(zipf(rng, 5000));
  if (rng() % 4 == 0)
    target += ".html";
  if (rng() % 3 == 0)
    target += "?id=" + std::to_string(zipf(rng, 100)) + (rng() % 2 ? "&lang=en" : "");
  const std::uint64_t s = rng() % 100;
  const char *status = s < 70   ? "200"
                       : s < 78 ? "304"
                       : s < 84 ? "301"
                       : s < 93 ? "404"
                       : s < 96 ? "403"
                       : s < 99 ? "500"
                                : "503";
  std::string method = pick(rng, {"GET", "GET", "GET", "POST", "HEAD", "PUT"});
  std::string proto = pick(rng, {"HTTP/1.1", "HTTP/1.0", "HTTP/2.0"});
  std::string time = "[" + std::to_string(10 + rng() % 18) +
                     "/Oct/2026:13:" + std::to_string(10 + rng() % 50) + ":" +
                     std::to_string(10 + rng() % 50) + " +0000]";
  std::string request = method + " " + target + " " + proto;
  std::string bytes = std::to_string(rng() % 50000);
  std::string tail = rng() % 2 ? " \"http://example.org/ref" + std::to_string(rng() % 9) +
                                     "\" \"Mozilla/5.0 (X11; Linux x86_64)\""
                               : "";
  const std::uint64_t bad = rng() % 100;
  if (bad < 97) {
    if (bad == 0)
      request = method + "   " + target + "  " + proto; // runs of spaces: valid
    return host + " - - " + time + " \"" + request + "\" " + status + " " + bytes + tail;
  }
  switch (rng() % 8) { // malformed
  case 0:
    return host + " - - " + time + " \"" + method + " " + target + "\" " + status;
  case 1:
    return host + " - - " + time + " \"" + request + " extra\" " + status + " " + bytes;
  case 2:
    return host + " - - " + time + " \"" + request + "\" - " + bytes;
  case 3:
    return host + " - - " + time + " \"" + request + " " + status + " " + bytes;
  case 4:
    return "";
  case 5:
    return host + " - - " + time + " \" " + request + "\" " + status + " " + bytes;
  case 6:
    return host + " - - " + time + " \"" + request + "\" 20x " + bytes;
  default:
    return "garbage line without a request";
  }
}

std::string csv_field(std::mt19937_64 &rng, const std::string &text) {
  switch (rng() % 10) {
  case 0:
    return " " + text + "\t"; // blanks around: trimmed
  case 1:
    return "\"" + text + "\""; // quoted for nothing
  case 2:
    return " \"" + text + ", jr\" "; // a comma inside quotes
  case 3:
    return "\"say \"\"" + text + "\"\"\""; // doubled quotes
  case 4:
    return "\"  " + text + "\""; // quoted leading blanks: kept
  default:
    return text;
  }
}

std::string csv_line(std::mt19937_64 &rng) {
  static const char *names[] = {"ann", "bob", "chloé", "dmitri", "eve", "fay", "gus"};
  static const char *cities[] = {"Paris", "Oslo", "New York", "Lyon", "Kyiv", "Rome"};
  const std::string id = std::to_string(zipf(rng, 200000));
  std::string line =
      csv_field(rng, id) + "," + csv_field(rng, names[rng() % 7]) + "," +
      csv_field(rng, cities[rng() % 6]) + "," +
      csv_field(rng, std::to_string(rng() % 10000) + "." + std::to_string(rng() % 100));
  switch (rng() % 40) { // invalid or odd records
  case 0:
    return line + ","; // 5 fields
  case 1:
    return id + ",un\"quoted,x,1"; // quote in an unquoted field
  case 2:
    return id + ",\"closed\" late,x,1"; // text after a closing quote
  case 3:
    return id + ",\"never closed,x,1"; // unclosed quote
  case 4:
    return ""; // one empty field
  case 5:
    return ",,,"; // four empty fields: valid, empty key
  case 6:
    return id + ",\"line\nbreak\",x,1"; // a quoted line break: two invalid lines
  default:
    return line;
  }
}

/// gensort's generator: X(i+1) = a X(i) + c mod 2^128, record i uses X(i+1).
struct GensortRandom {
  u128 x = 0;
  const u128 a = (u128(0x2360ed051fc65da4ULL) << 64) | 0x4385df649fccf645ULL;
  const u128 c = (u128(0x4a696d4772617952ULL) << 64) | 0x4950202020202001ULL;
  u128 next() { return x = a * x + c; }
};

char hex_digit(unsigned v) {
  return static_cast<char>(v < 10 ? '0' + v : 'A' + v - 10);
}

void make_record(char *rec, u128 r, std::uint64_t number, bool ascii) {
  const std::uint64_t hi = static_cast<std::uint64_t>(r >> 64);
  const std::uint64_t lo = static_cast<std::uint64_t>(r);
  if (ascii) {
    std::uint64_t t = hi;
    for (int i = 0; i < 8; ++i, t /= 95)
      rec[i] = static_cast<char>(' ' + t % 95);
    t = lo;
    for (int i = 8; i < 10; ++i, t /= 95)
      rec[i] = static_cast<char>(' ' + t % 95);
    rec[10] = rec[11] = ' ';
  } else {
    for (int i = 0; i < 8; ++i)
      rec[i] = static_cast<char>(hi >> (56 - 8 * i));
    rec[8] = static_cast<char>(lo >> 56);
    rec[9] = static_cast<char>(lo >> 48);
    rec[10] = 0x00;
    rec[11] = 0x11;
  }
  for (int i = 0; i < 16; ++i) // the record number's high 64 bits are 0 here
    rec[12 + i] = '0';
  for (int i = 0; i < 16; ++i)
    rec[28 + i] = hex_digit((number >> (60 - 4 * i)) & 0xf);
  if (ascii) {
    rec[44] = rec[45] = ' ';
    for (int i = 0; i < 13; ++i) // 52 filler bytes from the low 52 bits
      std::memset(rec + 46 + 4 * i, hex_digit((lo >> (48 - 4 * i)) & 0xf), 4);
    rec[98] = '\r';
    rec[99] = '\n';
  } else {
    const unsigned char brk[4] = {0x88, 0x99, 0xaa, 0xbb};
    std::memcpy(rec + 44, brk, 4);
    for (int i = 0; i < 12; ++i) // 48 filler bytes from the low 48 bits
      std::memset(rec + 48 + 4 * i, hex_digit((lo >> (44 - 4 * i)) & 0xf), 4);
    const unsigned char end[4] = {0xcc, 0xdd, 0xee, 0xff};
    std::memcpy(rec + 96, end, 4);
  }
}

int usage() {
  std::fprintf(stderr, "usage: mr_gen_data logs|csv BYTES SEED\n"
                       "       mr_gen_data records COUNT [--ascii] [--skewed]\n"
                       "       mr_gen_data rmat SCALE EDGES SEED\n");
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3)
    return usage();
  const std::string mode = argv[1];
  const std::uint64_t n = std::strtoull(argv[2], nullptr, 10);
  if (mode == "logs" || mode == "csv") {
    if (argc != 4)
      return usage();
    std::mt19937_64 rng(std::strtoull(argv[3], nullptr, 10));
    std::string out;
    std::uint64_t written = 0;
    while (written < n) {
      out = (mode == "logs" ? access_line(rng) : csv_line(rng)) + "\n";
      std::fwrite(out.data(), 1, out.size(), stdout);
      written += out.size();
    }
    return 0;
  }
  if (mode == "rmat") { // Graph500-style R-MAT: a=0.57, b=0.19, c=0.19
    if (argc != 5)
      return usage();
    const std::uint64_t edges = std::strtoull(argv[3], nullptr, 10);
    std::mt19937_64 rng(std::strtoull(argv[4], nullptr, 10));
    std::uniform_real_distribution<double> unit(0, 1);
    std::string out;
    for (std::uint64_t e = 0; e < edges; ++e) {
      std::uint64_t u = 0, v = 0;
      for (std::uint64_t bit = 0; bit < n; ++bit) {
        const double x = unit(rng);
        u = 2 * u + (x >= 0.76);
        v = 2 * v + ((x >= 0.57 && x < 0.76) || x >= 0.95);
      }
      out += std::to_string(u) + "\t" + std::to_string(v) + "\n";
      if (out.size() > (1 << 20)) {
        std::fwrite(out.data(), 1, out.size(), stdout);
        out.clear();
      }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  if (mode != "records")
    return usage();
  bool ascii = false, skewed = false;
  for (int i = 3; i < argc; ++i) {
    if (std::strcmp(argv[i], "--ascii") == 0)
      ascii = true;
    else if (std::strcmp(argv[i], "--skewed") == 0)
      skewed = true;
    else
      return usage();
  }
  GensortRandom rand;
  std::vector<char> buf(100 * 4096);
  std::vector<u128> popular;
  for (int i = 0; i < 16; ++i)
    popular.push_back((u128(0x1234567890abcdefULL * (i + 1)) << 64) | 0xffff000000000000);
  std::uint64_t at = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    u128 r = rand.next();
    if (skewed && (r >> 3) % 2 == 0) // half the keys: one of 16 values
      r = (popular[(r >> 7) % 16] & ~u128(0xffffffffffffULL)) | (r & 0xffffffffffffULL);
    make_record(buf.data() + at, r, i, ascii);
    at += 100;
    if (at == buf.size() || i + 1 == n) {
      std::fwrite(buf.data(), 1, at, stdout);
      at = 0;
    }
  }
  return 0;
}
