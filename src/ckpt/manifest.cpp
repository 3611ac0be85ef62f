// src/ckpt/manifest.cpp: see manifest.h.
#include "ckpt/manifest.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <set>
#include <sstream>
#include <sys/file.h>
#include <unistd.h>

#include "ckpt/durable_file.h"
#include "core/checksum.h"

namespace fs = std::filesystem;

namespace mr::ckpt {

namespace {

constexpr const char *kMagic = "mapreduce-checkpoint 1";
constexpr const char *kEndOfHeader = "end-of-header";

/// A value on one line: '%' and newlines escaped.
std::string escape(const std::string &s) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == '\n')
      out += "%0A";
    else if (c == '\r')
      out += "%0D";
    else
      out += c;
  }
  return out;
}

std::string unescape(const std::string &s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string sealed(const std::string &text) {
  return text + " ~" + core::hex64(core::xxh3(text)) + "\n";
}

/// The text of a sealed line, or false when its checksum does not match.
bool unseal(const std::string &line, std::string &text) {
  const auto at = line.rfind(" ~");
  if (at == std::string::npos || line.size() - at != 18)
    return false;
  text = line.substr(0, at);
  return core::hex64(core::xxh3(text)) == line.substr(at + 2);
}

std::string reason() {
  return std::strerror(errno);
}

/// Reads the header lines of a manifest into `fp`; `end` is where the
/// records start. False when the header is damaged.
bool parse_header(const std::string &text, Fingerprint &fp, std::size_t &end) {
  std::size_t at = 0;
  bool first = true;
  while (at < text.size()) {
    const std::size_t nl = text.find('\n', at);
    if (nl == std::string::npos)
      return false;
    std::string body;
    if (!unseal(text.substr(at, nl - at), body))
      return false;
    at = nl + 1;
    if (first) {
      if (body != kMagic)
        return false;
      first = false;
    } else if (body == kEndOfHeader) {
      end = at;
      return true;
    } else {
      const auto sp = body.find(' ', 6);
      if (!body.starts_with("field ") || sp == std::string::npos)
        return false;
      fp.add(body.substr(6, sp - 6), unescape(body.substr(sp + 1)));
    }
  }
  return false;
}

} // namespace

std::string Fingerprint::differences(const Fingerprint &committed) const {
  std::string out;
  for (const auto &[name, value] : fields) {
    const std::string *old = committed.find(name);
    if (!old)
      out += "\n  " + name + ": not recorded in the checkpoint";
    else if (*old != value)
      out +=
          "\n  " + name + ": checkpoint has '" + *old + "', this run has '" + value + "'";
  }
  return out;
}

const std::string *Fingerprint::find(const std::string &name) const {
  for (const auto &[n, v] : fields)
    if (n == name)
      return &v;
  return nullptr;
}

std::optional<Fingerprint> committed_fingerprint(const std::string &dir) {
  const std::string path = dir + "/manifest";
  std::error_code ec;
  if (!fs::exists(path, ec))
    return std::nullopt;
  Fingerprint fp;
  std::size_t end = 0;
  try {
    if (!parse_header(read_whole_file(path), fp, end))
      return std::nullopt;
  } catch (const std::exception &) {
    return std::nullopt;
  }
  return fp;
}

std::string Commit::record() const {
  return std::to_string(id) + " " + file + " " + std::to_string(bytes) + " " +
         core::hex64(xxh3);
}

bool parse_commit(const std::string &text, Commit &out) {
  std::istringstream in(text);
  std::string hash;
  if (!(in >> out.id >> out.file >> out.bytes >> hash) || hash.size() != 16)
    return false;
  std::string rest;
  if (in >> rest) // more fields than a record has
    return false;
  if (out.file.find("..") != std::string::npos || out.file.starts_with("/"))
    return false; // a record names files inside the folder only
  try {
    out.xxh3 = std::stoull(hash, nullptr, 16);
  } catch (const std::exception &) {
    return false;
  }
  return true;
}

Manifest::Manifest(Manifest &&o) noexcept
    : dir_(std::move(o.dir_)), lock_fd_(o.lock_fd_), fd_(o.fd_), resumed_(o.resumed_),
      committed_(std::move(o.committed_)), maps_(std::move(o.maps_)),
      partitions_(std::move(o.partitions_)), damaged_(o.damaged_) {
  o.lock_fd_ = o.fd_ = -1;
}

Manifest::~Manifest() {
  if (fd_ >= 0)
    ::close(fd_);
  if (lock_fd_ >= 0)
    ::close(lock_fd_); // releases the flock
}

Manifest Manifest::open(const std::string &dir, const Fingerprint &fp, OpenMode mode) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir))
    throw CheckpointRefused("cannot create checkpoint folder '" + dir + "'" +
                            (ec ? ": " + ec.message() : ""));
  try {
    probe_writable(dir);
  } catch (const std::exception &e) {
    throw CheckpointRefused("checkpoint folder '" + dir +
                            "' cannot be written: " + e.what());
  }
  Manifest m;
  m.dir_ = dir;
  const std::string lock = dir + "/lock";
  m.lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (m.lock_fd_ < 0)
    throw CheckpointRefused("cannot create '" + lock + "': " + reason());
  if (::flock(m.lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      throw CheckpointRefused("checkpoint folder '" + dir +
                              "' is in use by another run (its lock is held)");
    // A file system without flock (Lustre mounted without -o flock): go on.
    std::fprintf(stderr,
                 "mapreduce: warning: cannot lock '%s' (%s): make sure no other run "
                 "uses this checkpoint folder\n",
                 lock.c_str(), reason().c_str());
  }

  const std::string path = dir + "/manifest";
  const bool exists = fs::exists(path);
  // Without a manifest, "map" and "reduce" here are not ours: never write
  // into (or later remove) a user's folders.
  if (!exists && (fs::exists(dir + "/map") || fs::exists(dir + "/reduce")))
    throw CheckpointRefused("checkpoint folder '" + dir +
                            "' holds 'map' or 'reduce' but no checkpoint manifest: give "
                            "an empty or new folder");
  if (exists && mode == OpenMode::fresh)
    throw CheckpointRefused(
        "checkpoint folder '" + dir +
        "' holds a checkpoint: pass --resume to continue it, or --restart-fresh to "
        "discard it");
  if (exists && mode == OpenMode::restart_fresh) {
    fs::remove_all(dir + "/map", ec);
    fs::remove_all(dir + "/reduce", ec);
    fs::remove(path, ec);
  }
  if (exists && mode == OpenMode::resume) {
    const std::string text = read_whole_file(path);
    std::size_t records_at = 0;
    if (!parse_header(text, m.committed_, records_at))
      throw CheckpointRefused("the manifest of checkpoint '" + dir +
                              "' is damaged in its header; pass --restart-fresh to "
                              "discard the checkpoint");
    const std::string diff = fp.differences(m.committed_);
    if (!diff.empty())
      throw CheckpointRefused("checkpoint '" + dir +
                              "' was made by a different job; what differs:" + diff +
                              "\n(pass --restart-fresh to discard it, or use another "
                              "--checkpoint-dir)");
    m.read_records(text.substr(records_at));
    m.resumed_ = true;
    m.remove_unreferenced();
  } else {
    std::string header = sealed(kMagic);
    for (const auto &[name, value] : fp.fields)
      header += sealed("field " + name + " " + escape(value));
    header += sealed(kEndOfHeader);
    const std::string_view piece = header;
    write_durably(path, {&piece, 1});
    m.committed_ = fp;
  }
  fs::create_directories(dir + "/map", ec);
  fs::create_directories(dir + "/reduce", ec);
  m.fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (m.fd_ < 0)
    throw CheckpointRefused("cannot open '" + path + "': " + reason());
  return m;
}

Manifest Manifest::inspect(const std::string &dir) {
  const std::string path = dir + "/manifest";
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw CheckpointRefused("'" + dir + "' holds no checkpoint manifest");
  Manifest m;
  m.dir_ = dir;
  const std::string text = read_whole_file(path);
  std::size_t records_at = 0;
  if (!parse_header(text, m.committed_, records_at))
    throw CheckpointRefused("the manifest of checkpoint '" + dir +
                            "' is damaged in its header");
  m.read_records(text.substr(records_at));
  return m;
}

void Manifest::read_records(const std::string &text) {
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    const bool cut = end == std::string::npos;
    const std::string line = text.substr(at, cut ? std::string::npos : end - at);
    at = cut ? text.size() : end + 1;
    std::string body;
    Commit c;
    if (cut || !unseal(line, body)) {
      ++damaged_;
      continue;
    }
    if (body.starts_with("map ") && parse_commit(body.substr(4), c))
      maps_[c.id] = c;
    else if (body.starts_with("reduce ") && parse_commit(body.substr(7), c))
      partitions_[c.id] = c;
    else
      ++damaged_;
  }
}

void Manifest::remove_unreferenced() {
  // Temporary files of a killed run, and outputs never recorded (a backup
  // copy that lost, a commit cut before its record): nothing will read them.
  std::set<std::string> referenced;
  for (const auto *commits : {&maps_, &partitions_})
    for (const auto &[id, c] : *commits)
      referenced.insert(c.file);
  std::error_code ec;
  for (const char *sub : {"map", "reduce"}) {
    if (!fs::is_directory(dir_ + "/" + sub))
      continue;
    for (auto it = fs::recursive_directory_iterator(dir_ + "/" + sub, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec || !it->is_regular_file())
        continue;
      const std::string rel = fs::relative(it->path(), dir_, ec).string();
      if (!referenced.count(rel))
        fs::remove(it->path(), ec);
    }
  }
}

void Manifest::append(const std::string &record) {
  const std::string line = sealed(record);
  std::string_view rest = line;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      throw std::runtime_error("cannot append to the manifest in '" + dir_ +
                               "': " + reason());
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fdatasync(fd_) != 0)
    throw std::runtime_error("cannot flush the manifest in '" + dir_ + "': " + reason());
}

void Manifest::remove_all() {
  std::error_code ec;
  fs::remove_all(dir_ + "/map", ec);
  fs::remove_all(dir_ + "/reduce", ec);
  fs::remove(dir_ + "/manifest", ec);
  fs::remove(dir_ + "/lock", ec);
  fs::remove(dir_, ec); // only when empty: the user may keep other files there
}

} // namespace mr::ckpt
