// src/comm/mpi_check.h: turning a failed MPI call into an exception (private
// to src/comm/).
#pragma once

#include <mpi.h>

#include <stdexcept>
#include <string>

namespace mr::comm::detail {

inline void check(int rc, const char *what) {
  if (rc != MPI_SUCCESS)
    throw std::runtime_error(std::string("MPI call failed: ") + what);
}

} // namespace mr::comm::detail
