// src/core/console.cpp: see console.h. One process, one stderr: a single
// registration, guarded for the threads a job may start.
#include "core/console.h"

#include <mutex>

namespace mr::core {

namespace {
std::mutex lock;
void (*ender)(void *) = nullptr;
void *owner = nullptr;
} // namespace

void open_stderr_line(void (*end)(void *), void *context) {
  std::lock_guard<std::mutex> hold(lock);
  ender = end;
  owner = context;
}

void close_stderr_line(void *context) {
  std::lock_guard<std::mutex> hold(lock);
  if (owner == context) {
    ender = nullptr;
    owner = nullptr;
  }
}

void end_stderr_line() {
  void (*end)(void *) = nullptr;
  void *context = nullptr;
  {
    std::lock_guard<std::mutex> hold(lock);
    end = ender;
    context = owner;
    ender = nullptr;
    owner = nullptr;
  }
  if (end)
    end(context);
}

} // namespace mr::core
