// tests/tools/stage_program.cpp: a program of one's own that runs stages
// with mr::Launch and mr::run_stage (include/mr/driver.h), as a user's
// driver would: word count of IN into OUT.counts, then the N most frequent
// words into OUT; it prints what every rank learnt (rows, a counter), so
// the test can check that all ranks agree. Usage: stage_program IN OUT N
#include <cstdio>
#include <string>

#include "mr/driver.h"

int main(int argc, char **argv) {
  mr::Launch launch(argc, argv);
  if (argc != 4)
    return 2;
  const std::string in = argv[1], out = argv[2], counts = out + ".counts";
  const mr::StageResult a =
      mr::run_stage({"wordcount", "-i", in, "-o", counts, "-q", "--overwrite"});
  if (a.exit_code)
    return a.exit_code;
  const mr::StageResult b =
      mr::run_stage({"top", "-i", counts, "-o", out, "-q", "--overwrite", "--param",
                     "n=" + std::string(argv[3])});
  std::printf("rank %d: counts rows %llu, top rows %llu, exit %d\n", launch.rank(),
              static_cast<unsigned long long>(a.rows),
              static_cast<unsigned long long>(b.rows), b.exit_code);
  return b.exit_code;
}
