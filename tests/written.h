// tests/written.h: what a piece of code printed to a FILE*, for tests of
// output that goes to stderr or a terminal (progress lines).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace mr::test {

/// What `f(out)` wrote to the memory stream `out`.
template <class F> std::string written(F f) {
  char *buffer = nullptr;
  std::size_t size = 0;
  std::FILE *out = open_memstream(&buffer, &size);
  f(out);
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

} // namespace mr::test
