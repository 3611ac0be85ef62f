// src/core/temp_files.cpp: see temp_files.h. The handler may run at any
// moment, so it touches only fixed arrays and async-signal-safe calls.
#include "core/temp_files.h"

#include <atomic>
#include <csignal>
#include <cstring>
#include <unistd.h>

namespace mr::core {

namespace {

constexpr int kSlots = 8;
constexpr std::size_t kPathMax = 4096;
char paths[kSlots][kPathMax];
std::atomic<bool> used[kSlots];
volatile sig_atomic_t announce_signal = 0;
volatile sig_atomic_t signal_exit_code = kExitInterrupted;
constexpr int kGroups = 64;
std::atomic<int> groups[kGroups]; // 0: a free slot
static_assert(std::atomic<int>::is_always_lock_free);

void on_signal(int) {
  kill_child_groups();
  for (int i = 0; i < kSlots; ++i)
    if (used[i].load())
      ::unlink(paths[i]);
  // mpirun sends SIGTERM to every rank both when one rank failed (its error
  // is printed above) and when the job is cancelled: say both.
  static const char msg[] =
      "mapreduce: stopped by SIGTERM or SIGINT: by mpirun because another rank "
      "failed (see its error above), or by a cancel (Ctrl-C, scancel, a time limit); "
      "work committed so far is kept: continue with --resume\n";
  if (announce_signal) {
    [[maybe_unused]] auto n = ::write(2, msg, sizeof msg - 1);
  }
  ::_exit(signal_exit_code);
}

} // namespace

void track_temp_file(const std::string &path) {
  if (path.size() >= kPathMax)
    return;
  for (int i = 0; i < kSlots; ++i)
    if (!used[i].load()) {
      std::memcpy(paths[i], path.c_str(), path.size() + 1);
      used[i].store(true);
      return;
    }
}

void forget_temp_file(const std::string &path) {
  for (int i = 0; i < kSlots; ++i)
    if (used[i].load() && path == paths[i]) {
      used[i].store(false);
      return;
    }
}

void track_child_group(int leader) {
  for (auto &slot : groups) {
    int free = 0;
    if (slot.compare_exchange_strong(free, leader))
      return;
  }
}

void forget_child_group(int leader) {
  for (auto &slot : groups) {
    int mine = leader;
    if (slot.compare_exchange_strong(mine, 0))
      return;
  }
}

void kill_child_groups() {
  for (auto &slot : groups) {
    const int leader = slot.load();
    if (leader > 0)
      ::kill(-leader, SIGKILL);
  }
}

void exit_cleanly_on_signals(bool announce) {
  announce_signal = announce;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

void settle_exit_code(int code) {
  announce_signal = 0;
  signal_exit_code = code;
}

} // namespace mr::core
