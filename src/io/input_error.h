// src/io/input_error.h: the error for what the user gave us.
#pragma once

#include <stdexcept>

namespace mr::io {

/// A problem with what the user gave us: a missing or malformed file, an
/// existing output, a bad option. Its message is for the user; the command
/// exits 1 (kExitRefused), not as a failure worth a retry.
class InputError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace mr::io
