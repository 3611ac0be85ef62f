// src/core/child_process.h: a command run with `/bin/sh -c`, fed on its
// stdin while its stdout is read line by line (never a deadlock: both pipes
// are served by one poll loop, so a command that writes more than a pipe
// holds before reading on is drained as it goes). Its stderr goes to ours,
// each line prefixed, up to a bound; the last lines are kept for a message.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mr::core {

class ChildProcess {
public:
  using Env = std::vector<std::pair<std::string, std::string>>;
  using LineFn = std::function<void(std::string_view line)>; // without '\n'

  /// Starts `command` with our environment plus `env`; its stderr lines are
  /// copied to ours as "PREFIX: line", at most `stderr_bytes` of them (0:
  /// none, and no word of it; the last lines are kept for a message still).
  /// Throws std::runtime_error if it cannot be started.
  ChildProcess(const std::string &command, const Env &env, std::string stderr_prefix,
               std::uint64_t stderr_bytes = 64 << 10);
  ~ChildProcess(); // kills a command still running, and reaps it
  ChildProcess(const ChildProcess &) = delete;
  ChildProcess &operator=(const ChildProcess &) = delete;

  /// Queues bytes for its stdin (sent in blocks; stdout lines reach
  /// `on_line` meanwhile). Throws std::runtime_error if it stopped reading
  /// (saying how it ended).
  void write(std::string_view bytes, const LineFn &on_line);
  /// The same for pieces sent one after the other (a line made of parts).
  void write(std::initializer_list<std::string_view> pieces, const LineFn &on_line);
  /// From now on, a command that for `seconds` (> 0) neither takes input
  /// nor writes anything while we wait on it is killed (SIGKILL to the
  /// shell; what the shell started sees its input end) and the call
  /// waiting throws std::runtime_error saying so. 0: wait for ever.
  void limit_idle(double seconds) { idle_seconds_ = seconds; }
  /// From now on, a stdout line longer than `bytes` (> 0) is never held:
  /// the command is killed and the call reading it throws
  /// std::runtime_error saying so, followed by `how_to_raise`. 0: no limit.
  void limit_line(std::size_t bytes, std::string how_to_raise) {
    max_line_ = bytes;
    raise_line_ = std::move(how_to_raise);
  }
  /// Sends the rest, closes its stdin, reads its stdout to the end and waits
  /// for it. Returns "" when it exited with 0, else what went wrong (exit
  /// code or signal, and the last lines of its stderr).
  std::string finish(const LineFn &on_line);

private:
  void pump(bool until_sent, const LineFn &on_line);
  /// Reads its stdout and stderr to the end, waits for it, and says how it
  /// ended ("" for exit code 0).
  std::string reap(const LineFn &on_line);
  void read_stdout(const LineFn &on_line);
  void read_stderr();
  void stderr_line(std::string_view line);

  /// Waits for it to end (after its output is read or it was killed) and
  /// returns its wait status.
  int wait_exit();
  /// Closes the watchdog's pipe and reaps the watchdog (which kills what is
  /// left of the group first).
  void end_group();
  [[noreturn]] void idle_too_long();
  [[noreturn]] void line_too_long();
  /// Kills its group, closes the pipes, reaps it, and throws `what` (with
  /// the last lines of its stderr).
  [[noreturn]] void kill_and_throw(const std::string &what);
  std::string with_stderr_tail(std::string what) const;

  std::string command_, prefix_;
  double idle_seconds_ = 0;
  std::size_t max_line_ = 0;
  std::string raise_line_;
  pid_t pid_ = -1;   // the shell running the command
  pid_t group_ = -1; // its process group, led by the watchdog
  int guard_ = -1;   // our end of the watchdog's pipe
  int in_ = -1, out_ = -1, err_ = -1;
  std::string pending_in_;
  std::size_t sent_ = 0;
  std::string out_partial_, err_partial_;
  std::uint64_t stderr_left_;
  bool stderr_cut_said_ = false;
  std::deque<std::string> stderr_tail_;
};

} // namespace mr::core
