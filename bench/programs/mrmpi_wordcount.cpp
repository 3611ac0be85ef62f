// bench/programs/mrmpi_wordcount.cpp: word count written with MR-MPI (Debian's
// libmrmpi-dev), the peer we compare against. Same word definition as
// jobs/wordcount.cpp: runs of bytes that are not ASCII whitespace.
//
//   mpirun -n P mrmpi_wordcount [--compress] [--chunk-mb N] [--memsize-mb N] FILE...
//
// The files are cut into chunks of about N MiB at newlines (MR-MPI's own
// splitter, map variant with a separator), every rank maps chunks, then
// collate + reduce. With --compress, each rank first combines its pairs
// (MR-MPI's compress), as our engine always does for word count.
// Prints one line: unique words, total words, seconds, peak RSS of each rank.
#include <mpi.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <mrmpi/keyvalue.h>
#include <mrmpi/mapreduce.h>

using MAPREDUCE_NS::KeyValue;
using MAPREDUCE_NS::MapReduce;

namespace {

bool g_compress = false;
MapReduce *g_mr = nullptr;

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

void map_chunk(int, char *text, int size, KeyValue *kv, void *) {
  const std::uint64_t one = 1;
  char *p = text, *end = text + size;
  while (p < end) {
    while (p < end && is_space(*p))
      ++p;
    char *word = p;
    while (p < end && !is_space(*p))
      ++p;
    if (p > word) {
      if (g_compress)
        kv->add(word, static_cast<int>(p - word), (char *)&one, 8);
      else
        kv->add(word, static_cast<int>(p - word), nullptr, 0);
    }
  }
}

std::uint64_t sum_values(int n, const char *values, const int *sizes) {
  if (!g_compress)
    return static_cast<std::uint64_t>(n); // each value is one occurrence
  std::uint64_t total = 0;
  for (int i = 0; i < n; ++i) {
    std::uint64_t v;
    std::memcpy(&v, values, 8);
    total += v;
    values += sizes[i];
  }
  return total;
}

// Reduce (and compress): one 8-byte count per word. A key with very many
// values spans several pages ("blocks"), signalled by nvalues == 0.
void sum(char *key, int keybytes, char *multivalue, int nvalues, int *valuebytes,
         KeyValue *kv, void *) {
  std::uint64_t total = 0;
  if (nvalues > 0) {
    total = sum_values(nvalues, multivalue, valuebytes);
  } else {
    int blocks = 0;
    g_mr->multivalue_blocks(blocks);
    for (int b = 0; b < blocks; ++b) {
      char *values;
      int *sizes;
      int n = g_mr->multivalue_block(b, &values, &sizes);
      total += sum_values(n, values, sizes);
    }
  }
  kv->add(key, keybytes, (char *)&total, 8);
}

std::uint64_t g_unique = 0, g_words = 0;
void tally(char *, int, char *value, int, void *) {
  std::uint64_t v;
  std::memcpy(&v, value, 8);
  ++g_unique;
  g_words += v;
}

} // namespace

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int me = 0, nprocs = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &me);
  MPI_Comm_size(MPI_COMM_WORLD, &nprocs);

  double chunk_mb = 32;
  int memsize = 512;
  std::vector<char *> files;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--compress"))
      g_compress = true;
    else if (!std::strcmp(argv[i], "--chunk-mb") && i + 1 < argc)
      chunk_mb = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--memsize-mb") && i + 1 < argc)
      memsize = std::atoi(argv[++i]);
    else
      files.push_back(argv[i]);
  }
  if (files.empty()) {
    if (me == 0)
      std::fprintf(stderr,
                   "usage: mrmpi_wordcount [--compress] [--chunk-mb N] FILE...\n");
    MPI_Finalize();
    return 2;
  }
  double bytes = 0;
  for (char *f : files) {
    struct stat st {};
    if (stat(f, &st) != 0) {
      if (me == 0)
        std::fprintf(stderr, "mrmpi_wordcount: cannot stat %s\n", f);
      MPI_Finalize();
      return 1;
    }
    bytes += st.st_size;
  }
  const int nmap = std::max(nprocs, static_cast<int>(bytes / (chunk_mb * 1048576) + 1));

  MPI_Barrier(MPI_COMM_WORLD);
  const double t0 = MPI_Wtime();
  MapReduce *mr = new MapReduce(MPI_COMM_WORLD);
  g_mr = mr;
  mr->verbosity = 0;
  mr->timer = 0;
  mr->memsize = memsize;
  char tmp[] = "/tmp";
  mr->set_fpath(tmp);
  // Separator '\n', and up to 4 KiB read past a chunk's end to finish a line.
  mr->map(nmap, static_cast<int>(files.size()), files.data(), 0, 0, '\n', 4096, map_chunk,
          nullptr);
  if (g_compress)
    mr->compress(sum, nullptr);
  mr->collate(nullptr);
  mr->reduce(sum, nullptr);
  MPI_Barrier(MPI_COMM_WORLD);
  const double seconds = MPI_Wtime() - t0;
  mr->scan(tally, nullptr);
  delete mr;

  std::uint64_t local[2] = {g_unique, g_words}, global[2] = {0, 0};
  MPI_Reduce(local, global, 2, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double rss = ru.ru_maxrss * 1024.0;
  std::vector<double> all(nprocs);
  MPI_Gather(&rss, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (me == 0) {
    std::printf("unique %llu words %llu seconds %.3f peak_rss_mib",
                (unsigned long long)global[0], (unsigned long long)global[1], seconds);
    for (double r : all)
      std::printf(" %.0f", r / 1048576);
    std::printf("\n");
  }
  MPI_Finalize();
  return 0;
}
