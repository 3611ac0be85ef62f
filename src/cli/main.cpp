// src/cli/main.cpp: the `mapreduce` program (see cli.h).
#include "cli/cli.h"

int main(int argc, char **argv) {
  return mr::cli::main(argc, argv);
}
