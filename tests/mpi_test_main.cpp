// tests/mpi_test_main.cpp: GoogleTest main for every test program: starts MPI
// once, lets rank 0 print the usual report and the other ranks print only
// their failures (prefixed by rank), and makes every rank exit with the same
// code.
#include <gtest/gtest.h>

#include <cstdio>

#include "comm/comm.h"

namespace {

class RankFailurePrinter : public testing::EmptyTestEventListener {
public:
  explicit RankFailurePrinter(int rank) : rank_(rank) {}
  void OnTestPartResult(const testing::TestPartResult &r) override {
    if (r.failed())
      std::fprintf(stderr, "[rank %d] %s:%d: failure\n%s\n", rank_,
                   r.file_name() ? r.file_name() : "?", r.line_number(), r.summary());
  }

private:
  int rank_;
};

} // namespace

int main(int argc, char **argv) {
  mr::comm::Runtime mpi(argc, argv);
  testing::InitGoogleTest(&argc, argv);
  const auto world = mr::comm::Comm::world();
  if (world.rank() != 0) {
    auto &listeners = testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new RankFailurePrinter(world.rank()));
  }
  const int failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  return world.max(static_cast<std::uint64_t>(failed)) ? 1 : 0;
}
