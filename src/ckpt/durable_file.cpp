// src/ckpt/durable_file.cpp: see durable_file.h.
#include "ckpt/durable_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "core/checksum.h"
#include "core/spill_file.h"
#include "core/temp_files.h"

namespace mr::ckpt {

namespace {

std::runtime_error system_error(const std::string &what, const std::string &path) {
  return std::runtime_error(what + " '" + path + "': " + std::strerror(errno));
}

std::string unique_suffix() {
  static std::mt19937_64 rng{std::random_device{}() ^
                             static_cast<std::uint64_t>(::getpid())};
  return core::hex64(rng()).substr(0, 8);
}

/// Writes all of `bytes` to `fd` (write may write less than asked).
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

/// Opens `path` for reading only if it is a regular file, never through a
/// symbolic link (a checkpoint folder may hold links planted to make us read
/// another file) and never blocking (a FIFO would block open forever).
int open_regular(const std::string &path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ELOOP)
      throw std::runtime_error("cannot open '" + path +
                               "': it is a symbolic link (not followed)");
    throw system_error("cannot open", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw std::runtime_error("cannot open '" + path + "': not a regular file");
  }
  return fd;
}

} // namespace

std::string folder_of(const std::string &path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

void sync_folder(const std::string &folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0)
    throw system_error("cannot open folder", folder);
  ::fsync(fd); // some file systems refuse fsync on folders; the rename stands
  ::close(fd);
}

std::uint64_t write_durably(const std::string &path,
                            std::span<const std::string_view> pieces) {
  return write_durably(path, [&](const Sink &write) {
    for (std::string_view piece : pieces)
      write(piece);
  });
}

std::uint64_t write_durably(const std::string &path, const Producer &produce) {
  const std::string tmp = path + ".tmp-" + unique_suffix();
  core::track_temp_file(tmp);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    core::forget_temp_file(tmp);
    throw system_error("cannot create", tmp);
  }
  core::Hasher hash;
  bool ok = true;
  try {
    produce([&](std::string_view piece) {
      hash.update(piece);
      if (ok && !(ok = write_all(fd, piece)))
        throw std::runtime_error("");
    });
  } catch (...) {
    if (ok) { // the producer failed, not the write: pass its error on
      ::close(fd);
      ::unlink(tmp.c_str());
      core::forget_temp_file(tmp);
      throw;
    }
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved = errno;
  ok = ::close(fd) == 0 && ok;
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0)
    ok = false;
  if (!ok) {
    errno = errno ? errno : saved;
    const auto error = system_error("cannot write", path);
    ::unlink(tmp.c_str());
    core::forget_temp_file(tmp);
    throw error;
  }
  core::forget_temp_file(tmp);
  sync_folder(folder_of(path));
  return hash.digest();
}

std::uint64_t hash_file(const std::string &path, std::uint64_t &size) {
  const int fd = open_regular(path);
  std::vector<char> block(1 << 20);
  core::Hasher hash;
  size = 0;
  for (;;) {
    const ssize_t n = ::read(fd, block.data(), block.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      const auto error = system_error("cannot read", path);
      ::close(fd);
      throw error;
    }
    if (n == 0)
      break;
    hash.update({block.data(), static_cast<std::size_t>(n)});
    size += static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  return hash.digest();
}

std::string read_file_range(const std::string &path, std::uint64_t offset,
                            std::uint64_t n) {
  const int fd = open_regular(path);
  std::string out(n, '\0');
  const std::int64_t got = core::read_at(fd, offset, n, out.data());
  ::close(fd);
  out.resize(got < 0 ? 0 : static_cast<std::size_t>(got));
  return out;
}

std::string read_whole_file(const std::string &path) {
  const int fd = open_regular(path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw system_error("cannot stat", path);
  }
  std::string out(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t at = 0;
  while (at < out.size()) {
    const ssize_t n = ::read(fd, out.data() + at, out.size() - at);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      const auto error = system_error("cannot read", path);
      ::close(fd);
      throw error;
    }
    if (n == 0)
      break; // the file shrank meanwhile: what is there
    at += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.resize(at);
  return out;
}

void probe_writable(const std::string &folder) {
  const std::string probe = folder + "/.mapreduce-probe-" + unique_suffix();
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error(std::strerror(errno));
  const bool ok = write_all(fd, "x");
  const int saved = errno;
  ::close(fd);
  ::unlink(probe.c_str());
  if (!ok)
    throw std::runtime_error(std::strerror(saved));
}

} // namespace mr::ckpt
