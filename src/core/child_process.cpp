// src/core/child_process.cpp: see child_process.h.
#include "core/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "core/console.h"
#include "core/temp_files.h"

extern char **environ;

namespace mr::core {

namespace {

constexpr std::size_t kBlock = 64 << 10;    // stdin bytes sent at once
constexpr std::size_t kTailLines = 10;      // stderr lines kept for a message
constexpr std::size_t kTailLineBytes = 300; // of each

void close_fd(int &fd) {
  if (fd >= 0)
    ::close(fd);
  fd = -1;
}

void set_nonblocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/// A command that exits before reading all of its input makes our write
/// fail with EPIPE (reported as such) rather than raise a SIGPIPE that
/// would end the rank. The command itself gets SIGPIPE's default back.
void ignore_sigpipe() {
  static const bool done = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)done;
}

/// posix_spawn of `/bin/sh -c command` with stdin, stdout and stderr from
/// the descriptors given (-1: /dev/null) and nothing else of ours (MPI's
/// sockets, the HDF5 files, our own stdout: a command that outlived us held
/// a `mapreduce ... | tail` open), in process group `pgroup` (0: a new one
/// it leads). Returns posix_spawn's error code.
int spawn_shell(pid_t &pid, std::string &command, char *const envp[], int in, int out,
                int err, pid_t pgroup) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const int fds[3] = {in, out, err};
  for (int i = 0; i < 3; ++i) {
    if (fds[i] >= 0)
      posix_spawn_file_actions_adddup2(&actions, fds[i], i);
    else
      posix_spawn_file_actions_addopen(&actions, i, "/dev/null",
                                       i == 0 ? O_RDONLY : O_WRONLY, 0);
  }
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults, none;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, pgroup);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETPGROUP);
  std::string sh = "/bin/sh", dash_c = "-c";
  char *argv[] = {sh.data(), dash_c.data(), command.data(), nullptr};
  const int rc = posix_spawn(&pid, sh.c_str(), &actions, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc;
}

} // namespace

ChildProcess::ChildProcess(const std::string &command, const Env &env,
                           std::string stderr_prefix, std::uint64_t stderr_bytes)
    : command_(command), prefix_(std::move(stderr_prefix)), stderr_left_(stderr_bytes),
      stderr_cut_said_(stderr_bytes == 0) {
  ignore_sigpipe();
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 ||
      ::pipe2(err, O_CLOEXEC) != 0) {
    const int e = errno;
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
      if (fd >= 0)
        ::close(fd);
    throw std::runtime_error("cannot make pipes for '" + command +
                             "': " + std::strerror(e));
  }
  // The environment: ours, with `env` set over it.
  std::vector<std::string> vars;
  for (char **e = environ; *e; ++e) {
    const std::string_view var(*e);
    bool replaced = false;
    for (const auto &[name, value] : env)
      replaced =
          replaced || (var.size() > name.size() && var.substr(0, name.size()) == name &&
                       var[name.size()] == '=');
    if (!replaced)
      vars.emplace_back(var);
  }
  for (const auto &[name, value] : env)
    vars.push_back(name + "=" + value);
  std::vector<char *> envp;
  for (std::string &v : vars)
    envp.push_back(v.data());
  envp.push_back(nullptr);
  // The watchdog first: the leader of the group the command joins. It
  // waits for the end of a pipe whose other end only this process holds,
  // then kills its whole group. The kernel closes that end however the rank
  // ends (SIGKILL from mpirun on a loaded node, the OOM killer, a crash):
  // no command outlives its rank, whether or not a handler of ours ran.
  int death[2] = {-1, -1};
  if (::pipe2(death, O_CLOEXEC) != 0) {
    const int e = errno;
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
      ::close(fd);
    throw std::runtime_error("cannot make a pipe for '" + command +
                             "': " + std::strerror(e));
  }
  std::string watch = "while read x; do :; done; kill -KILL 0";
  int rc = spawn_shell(group_, watch, envp.data(), death[0], -1, -1, 0);
  ::close(death[0]);
  guard_ = death[1];
  if (rc != 0)
    group_ = -1;
  else {
    // SIGTERM or SIGINT to the rank (a cancel, mpirun ending the job) kills
    // the group at once; the watchdog would do it a moment later.
    track_child_group(group_);
    std::string cmd = command;
    rc = spawn_shell(pid_, cmd, envp.data(), in[0], out[1], err[1], group_);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  in_ = in[1];
  out_ = out[0];
  err_ = err[0];
  if (rc != 0) {
    pid_ = -1;
    close_fd(in_);
    close_fd(out_);
    close_fd(err_);
    end_group();
    throw std::runtime_error("cannot start /bin/sh -c '" + command +
                             "': " + std::strerror(rc));
  }
  set_nonblocking(in_);
  set_nonblocking(out_);
  set_nonblocking(err_);
}

int ChildProcess::wait_exit() {
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  end_group();
  return status;
}

void ChildProcess::end_group() {
  close_fd(guard_); // the watchdog kills what is left of the group, then itself
  if (group_ > 0) {
    while (::waitpid(group_, nullptr, 0) < 0 && errno == EINTR) {
    }
    forget_child_group(group_);
    group_ = -1;
  }
}

ChildProcess::~ChildProcess() {
  close_fd(in_);
  close_fd(out_);
  close_fd(err_);
  if (group_ > 0)
    ::kill(-group_, SIGKILL); // the shell, what it started, the watchdog
  if (pid_ > 0)
    wait_exit();
  end_group();
}

void ChildProcess::write(std::string_view bytes, const LineFn &on_line) {
  pending_in_.append(bytes);
  if (pending_in_.size() - sent_ >= kBlock)
    pump(true, on_line);
}

void ChildProcess::write(std::initializer_list<std::string_view> pieces,
                         const LineFn &on_line) {
  for (std::string_view p : pieces)
    pending_in_.append(p);
  if (pending_in_.size() - sent_ >= kBlock)
    pump(true, on_line);
}

void ChildProcess::pump(bool until_sent, const LineFn &on_line) {
  while (true) {
    const bool to_send = in_ >= 0 && sent_ < pending_in_.size();
    if (until_sent && !to_send)
      break;
    if (!until_sent && out_ < 0 && err_ < 0)
      break;
    pollfd fds[3];
    nfds_t n = 0;
    int at_in = -1, at_out = -1, at_err = -1;
    if (to_send) {
      at_in = static_cast<int>(n);
      fds[n++] = {in_, POLLOUT, 0};
    }
    if (out_ >= 0) {
      at_out = static_cast<int>(n);
      fds[n++] = {out_, POLLIN, 0};
    }
    if (err_ >= 0) {
      at_err = static_cast<int>(n);
      fds[n++] = {err_, POLLIN, 0};
    }
    const int wait_ms = idle_seconds_ > 0
                            ? static_cast<int>(std::min(idle_seconds_ * 1000.0, 2.0e9))
                            : -1;
    const int ready = ::poll(fds, n, wait_ms);
    if (ready < 0) {
      if (errno == EINTR)
        continue;
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    }
    if (ready == 0)
      idle_too_long();
    if (at_in >= 0 && fds[at_in].revents) {
      const ssize_t w =
          ::write(in_, pending_in_.data() + sent_, pending_in_.size() - sent_);
      if (w > 0)
        sent_ += static_cast<std::size_t>(w);
      else if (w < 0 && errno != EAGAIN && errno != EINTR) {
        // It closed its stdin (exited, most likely): say how it ended.
        const std::string why = std::strerror(errno);
        close_fd(in_);
        const std::string ended = reap(on_line);
        throw std::runtime_error(ended.empty()
                                     ? "stopped reading its input (" + why +
                                           ") and exited with code 0"
                                     : "stopped reading its input: it " + ended);
      }
    }
    if (at_out >= 0 && fds[at_out].revents)
      read_stdout(on_line);
    if (at_err >= 0 && fds[at_err].revents)
      read_stderr();
  }
  if (sent_ == pending_in_.size()) {
    pending_in_.clear();
    sent_ = 0;
  }
}

void ChildProcess::read_stdout(const LineFn &on_line) {
  char buf[kBlock];
  const ssize_t r = ::read(out_, buf, sizeof buf);
  if (r == 0) {
    close_fd(out_);
    return;
  }
  if (r < 0) {
    if (errno != EAGAIN && errno != EINTR)
      close_fd(out_);
    return;
  }
  out_partial_.append(buf, static_cast<std::size_t>(r));
  std::size_t start = 0;
  for (;;) {
    const auto nl = out_partial_.find('\n', start);
    if (nl == std::string::npos)
      break;
    on_line(std::string_view(out_partial_).substr(start, nl - start));
    start = nl + 1;
  }
  out_partial_.erase(0, start);
  if (max_line_ > 0 && out_partial_.size() > max_line_)
    line_too_long();
}

void ChildProcess::read_stderr() {
  char buf[4096];
  const ssize_t r = ::read(err_, buf, sizeof buf);
  if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
    close_fd(err_);
    return;
  }
  if (r < 0)
    return;
  err_partial_.append(buf, static_cast<std::size_t>(r));
  std::size_t start = 0;
  for (;;) {
    const auto nl = err_partial_.find('\n', start);
    if (nl == std::string::npos)
      break;
    stderr_line(std::string_view(err_partial_).substr(start, nl - start));
    start = nl + 1;
  }
  err_partial_.erase(0, start);
  if (err_partial_.size() > kTailLineBytes) { // a very long line: cut it here
    stderr_line(err_partial_);
    err_partial_.clear();
  }
}

void ChildProcess::stderr_line(std::string_view line) {
  stderr_tail_.emplace_back(line.substr(0, kTailLineBytes));
  if (stderr_tail_.size() > kTailLines)
    stderr_tail_.pop_front();
  if (line.size() + prefix_.size() + 3 <= stderr_left_) {
    stderr_left_ -= line.size() + prefix_.size() + 3;
    end_stderr_line();
    std::fprintf(stderr, "%s: %.*s\n", prefix_.c_str(), static_cast<int>(line.size()),
                 line.data());
  } else if (!stderr_cut_said_) {
    stderr_cut_said_ = true;
    end_stderr_line();
    std::fprintf(stderr, "%s: (more of its stderr is not shown)\n", prefix_.c_str());
  }
}

void ChildProcess::idle_too_long() {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g", idle_seconds_);
  kill_and_throw(std::string("took no input and wrote nothing for ") + seconds +
                 " s, and was killed (the idle limit)");
}

void ChildProcess::line_too_long() {
  out_partial_.clear();
  kill_and_throw("wrote a line longer than " + std::to_string(max_line_) +
                 " bytes, and was killed (the line limit" +
                 (raise_line_.empty() ? "" : "; " + raise_line_) + ")");
}

void ChildProcess::kill_and_throw(const std::string &what) {
  ::kill(-group_, SIGKILL);
  close_fd(in_);
  close_fd(out_);
  close_fd(err_);
  wait_exit();
  throw std::runtime_error(with_stderr_tail(what));
}

std::string ChildProcess::finish(const LineFn &on_line) {
  pump(true, on_line);
  close_fd(in_);
  return reap(on_line);
}

std::string ChildProcess::reap(const LineFn &on_line) {
  pump(false, on_line);
  if (!out_partial_.empty()) { // a last line without '\n'
    on_line(out_partial_);
    out_partial_.clear();
  }
  if (!err_partial_.empty()) {
    stderr_line(err_partial_);
    err_partial_.clear();
  }
  const int status = wait_exit();
  std::string what;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return what;
  if (WIFEXITED(status)) {
    const int code = WEXITSTATUS(status);
    what = "exited with code " + std::to_string(code);
    if (code == 127)
      what += " (the shell found no such command)";
    else if (code == 126)
      what += " (the command could not be executed)";
  } else if (WIFSIGNALED(status)) {
    what = std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) +
           " (" + ::strsignal(WTERMSIG(status)) + ")";
  } else {
    what = "ended with status " + std::to_string(status);
  }
  return with_stderr_tail(what);
}

std::string ChildProcess::with_stderr_tail(std::string what) const {
  if (!stderr_tail_.empty()) {
    what += "; the last lines of its stderr:";
    for (const std::string &l : stderr_tail_)
      what += "\n  " + l;
  }
  return what;
}

} // namespace mr::core
