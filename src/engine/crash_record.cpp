// src/engine/crash_record.cpp: see crash_record.h.
#include "engine/crash_record.h"

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "core/temp_files.h"

namespace mr::engine::crash {

namespace {

constexpr char kMagic[8] = {'M', 'R', 'C', 'R', 'A', 'S', 'H', '1'};
constexpr std::size_t kWhere = 232;
constexpr std::size_t kHeadShown = 40; // bytes of the record in a message

/// One crash, as appended to crash-r<RANK> (little-endian, as written).
struct Stored {
  char magic[8];
  std::uint64_t task;
  std::uint64_t offset;
  std::uint32_t where_size;
  std::uint32_t zero;
  char where[kWhere];
  std::uint64_t checksum; // FNV-1a of the bytes before it
};
static_assert(sizeof(Stored) == 272);

std::uint64_t fnv1a(const void *p, std::size_t n) {
  std::uint64_t h = 1469598103934665603ull;
  const auto *b = static_cast<const unsigned char *>(p);
  for (std::size_t i = 0; i < n; ++i)
    h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
struct sigaction previous[std::size(kSignals)];
int my_rank = -1;
const InputInfo *input_info = nullptr;
char record_path[4096]; // "": no checkpoint

/// Appends `stored` to record_path, only a plain file of ours (never
/// through a link to someone else's); opened here, at the crash, so that a
/// run that does not crash leaves no file. True when written.
bool append_record(const Stored &stored) {
  if (!record_path[0])
    return false;
  const int fd =
      ::open(record_path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    return false;
  struct stat st {};
  const bool ours = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1;
  const bool written =
      ours && ::write(fd, &stored, sizeof stored) == sizeof stored && ::fsync(fd) == 0;
  ::close(fd);
  return written;
}

/// "crash-r<digits>": a file of ours (a user's "crash-report" is not).
bool is_record_file(const std::string &name) {
  return name.size() > 7 && name.starts_with("crash-r") &&
         std::all_of(name.begin() + 7, name.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

void say(std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::write(2, s.data(), s.size());
    if (n <= 0)
      return;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

void on_crash(int sig, siginfo_t *info, void *) {
  static char text[1024];
  static Stored stored;
  core::FixedText msg(text, sizeof text);
  msg.str("mapreduce: rank ").num(static_cast<std::uint64_t>(my_rank));
  msg.str(" crashed (signal ").num(static_cast<std::uint64_t>(sig)).str(", ");
  msg.str(sig == SIGSEGV  ? "SIGSEGV"
          : sig == SIGBUS ? "SIGBUS"
          : sig == SIGFPE ? "SIGFPE"
          : sig == SIGILL ? "SIGILL"
                          : "SIGABRT");
  msg.str(") in the job's ");
  const Record *r = detail::record;
  const char *key = detail::key;
  if (r && input_info) {
    char where_text[kWhere];
    core::FixedText where(where_text, sizeof where_text);
    describe_record(where, *input_info, r->offset, r->file, r->bytes);
    msg.str("map, in task ")
        .num(detail::task)
        .str(", on the record at ")
        .str(where.view());
    std::memset(&stored, 0, sizeof stored);
    std::memcpy(stored.magic, kMagic, sizeof kMagic);
    stored.task = detail::task;
    stored.offset = r->offset;
    stored.where_size = static_cast<std::uint32_t>(where.view().size());
    std::memcpy(stored.where, where.view().data(), where.view().size());
    stored.checksum = fnv1a(&stored, offsetof(Stored, checksum));
    if (append_record(stored))
      msg.str(" (recorded in the checkpoint: --resume with --skip-bad-records skips "
              "a record that crashed twice)");
  } else if (key) {
    msg.str("reduce, in partition ").num(detail::partition).str(", on the key \"");
    msg.bytes(std::string_view(key, detail::key_size), kHeadShown).str("\"");
  } else {
    msg.str("code, or the engine's, outside map and reduce");
  }
  msg.str("\n");
  say(msg.view());
  core::kill_child_groups(); // the commands it ran would outlive it
  // The signal goes on as it would have: to the handler there was before
  // (a sanitizer's report), or the default (the rank dies).
  for (std::size_t i = 0; i < std::size(kSignals); ++i)
    if (kSignals[i] == sig)
      ::sigaction(sig, &previous[i], nullptr);
  if (info->si_code <= 0) // sent (kill, raise, abort): send it again
    ::raise(sig);
  // A fault: returning runs the instruction again, which faults again.
}

} // namespace

void describe_record(core::FixedText &out, const InputInfo &info, std::uint64_t offset,
                     std::uint32_t file, std::string_view bytes) {
  if (file < info.files())
    out.str(info.file_name(file)).str(" at byte ").num(offset - info.file_begin(file));
  else
    out.str("input byte ").num(offset);
  out.str(": \"").bytes(bytes, kHeadShown).str("\"");
}

void install(int rank, const InputInfo *input, const std::string &record_path_given) {
  my_rank = rank;
  input_info = input;
  record_path[0] = '\0';
  if (record_path_given.size() < sizeof record_path)
    std::memcpy(record_path, record_path_given.c_str(), record_path_given.size() + 1);
  static bool installed = false; // (a pipeline's stages install again)
  if (installed)
    return;
  installed = true;
  struct sigaction sa {};
  sa.sa_sigaction = on_crash;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  for (std::size_t i = 0; i < std::size(kSignals); ++i)
    ::sigaction(kSignals[i], &sa, &previous[i]);
}

std::vector<Crash> read_records(const std::string &dir, std::size_t &damaged) {
  namespace fs = std::filesystem;
  std::vector<Crash> crashes;
  damaged = 0;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto &e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (is_record_file(name) && e.is_regular_file(ec) && !e.is_symlink(ec))
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path &f : files) {
    std::ifstream in(f, std::ios::binary);
    Stored s;
    while (in.read(reinterpret_cast<char *>(&s), sizeof s)) {
      if (std::memcmp(s.magic, kMagic, sizeof kMagic) != 0 || s.where_size > kWhere ||
          s.checksum != fnv1a(&s, offsetof(Stored, checksum))) {
        ++damaged;
        continue;
      }
      crashes.push_back({s.task, s.offset, std::string(s.where, s.where_size)});
    }
    if (in.gcount() > 0)
      ++damaged; // a record cut short
  }
  return crashes;
}

void remove_records(const std::string &dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> ours;
  for (const auto &e : fs::directory_iterator(dir, ec))
    if (is_record_file(e.path().filename().string()) && !e.is_symlink(ec) &&
        e.is_regular_file(ec))
      ours.push_back(e.path());
  for (const fs::path &p : ours)
    ::unlink(p.c_str());
}

} // namespace mr::engine::crash
