// src/core/spill_file.cpp: see spill_file.h.
#include "core/spill_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace mr::core {

SpillFile::SpillFile(const std::string &dir, const std::string &label,
                     std::size_t write_buffer)
    : where_(dir), buffer_(write_buffer) {
  std::string path = dir + "/.mapreduce-spill-" + label + "-XXXXXX";
  fd_ = ::mkstemp(path.data());
  if (fd_ < 0)
    fail("cannot create a spill file in");
  ::unlink(path.c_str()); // freed when closed, even by a crash
  pending_.reserve(buffer_);
}

SpillFile::~SpillFile() {
  if (fd_ >= 0)
    ::close(fd_);
}

void SpillFile::fail(const char *what) const {
  throw ScratchError(std::string(what) + " scratch folder '" + where_ + "': " +
                     std::strerror(errno) + " (choose another with --scratch-dir)");
}

std::uint64_t SpillFile::append(std::string_view bytes) {
  const std::uint64_t at = size();
  if (pending_.size() + bytes.size() > buffer_)
    flush();
  if (bytes.size() >= buffer_) // large: straight to the file
    write_at(bytes.data(), bytes.size());
  else
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
  return at;
}

void SpillFile::flush() {
  write_at(pending_.data(), pending_.size());
  pending_.clear();
}

void SpillFile::write_at(const char *bytes, std::uint64_t n) {
  // Only ever called with nothing pending: the file then ends at written_.
  for (std::uint64_t done = 0; done < n;) {
    const ssize_t k =
        ::pwrite(fd_, bytes + done, n - done, static_cast<off_t>(written_ + done));
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0) {
      if (k == 0)
        errno = EIO;
      fail("cannot write to");
    }
    done += static_cast<std::uint64_t>(k);
  }
  written_ += n;
}

std::int64_t read_at(int fd, std::uint64_t offset, std::uint64_t n, char *dst) {
  std::uint64_t done = 0;
  while (done < n) {
    const ssize_t got =
        ::pread(fd, dst + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      return -1;
    if (got == 0)
      break;
    done += static_cast<std::uint64_t>(got);
  }
  return static_cast<std::int64_t>(done);
}

void SpillFile::read(std::uint64_t offset, std::uint64_t n, char *dst) {
  if (!pending_.empty())
    flush();
  const std::int64_t got = read_at(fd_, offset, n, dst);
  if (got != static_cast<std::int64_t>(n)) {
    if (got >= 0)
      errno = EIO;
    fail("cannot read back from");
  }
}

} // namespace mr::core
