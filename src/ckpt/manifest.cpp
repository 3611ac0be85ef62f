// src/ckpt/manifest.cpp: see manifest.h.
#include "ckpt/manifest.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <set>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt/durable_file.h"
#include "core/checksum.h"

namespace fs = std::filesystem;

namespace mr::ckpt {

namespace {

// 2: records carry the counters; files are named and bound to their run.
constexpr const char *kMagic = "mapreduce-checkpoint 2";
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
    if (s[i] == '%' && i + 2 < s.size() &&
        std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
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

bool all_digits(std::string_view s, std::size_t max = 10) {
  if (s.empty() || s.size() > max)
    return false;
  for (char c : s)
    if (c < '0' || c > '9')
      return false;
  return true;
}

bool all_hex(std::string_view s, std::size_t n) {
  if (s.size() != n)
    return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

/// "<run id: 12 hex>-r<world rank>", as engine/run.cpp names writers.
bool is_writer(std::string_view s) {
  return s.size() > 14 && all_hex(s.substr(0, 12), 12) && s.substr(12, 2) == "-r" &&
         all_digits(s.substr(14));
}

/// The id in a committed file's name ("map/3/t3042-<writer>": 3042), or -1.
long long id_in_name(const std::string &kind, std::string_view file) {
  char prefix = 'p';
  if (kind == "map") {
    if (!file.starts_with("map/"))
      return -1;
    file.remove_prefix(4);
    const auto slash = file.find('/');
    if (slash == std::string_view::npos || !all_digits(file.substr(0, slash)))
      return -1;
    file.remove_prefix(slash + 1);
    prefix = 't';
  } else if (kind == "reduce" && file.starts_with("reduce/")) {
    file.remove_prefix(7);
  } else {
    return -1;
  }
  const auto dash = file.find('-');
  if (file.empty() || file[0] != prefix || dash == std::string_view::npos ||
      !all_digits(file.substr(1, dash - 1)) || !is_writer(file.substr(dash + 1)))
    return -1;
  return std::stoll(std::string(file.substr(1, dash - 1)));
}

[[noreturn]] void refuse_entry(const std::string &dir, const std::string &rel,
                               const char *what) {
  throw CheckpointRefused("checkpoint folder '" + dir + "' holds " + what + " at '" +
                          rel +
                          "': refused (the engine never follows links or opens "
                          "anything but its own files in a checkpoint folder; remove it "
                          "or give another --checkpoint-dir)");
}

/// Calls `f(rel, is_folder)` for every entry under `dir`/`sub` (not
/// following links), deepest first, after checking none is a link and each
/// is a regular file or a folder.
template <class F>
void walk_checked(const std::string &dir, const std::string &sub, F f) {
  const std::string top = dir + "/" + sub;
  struct stat st {};
  if (::lstat(top.c_str(), &st) != 0)
    return; // absent
  if (S_ISLNK(st.st_mode))
    refuse_entry(dir, sub, "a symbolic link");
  if (!S_ISDIR(st.st_mode))
    refuse_entry(dir, sub, "something that is not a folder");
  std::vector<std::pair<std::string, bool>> entries;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(top, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto status = it->symlink_status(ec);
    const std::string rel = sub + "/" + it->path().lexically_relative(top).string();
    if (fs::is_symlink(status))
      refuse_entry(dir, rel, "a symbolic link");
    if (!fs::is_regular_file(status) && !fs::is_directory(status))
      refuse_entry(dir, rel, "something that is neither a file nor a folder");
    entries.emplace_back(rel, fs::is_directory(status));
  }
  if (ec)
    throw CheckpointRefused("cannot read checkpoint folder '" + top +
                            "': " + ec.message());
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    f(it->first, it->second);
  f(sub, true);
}

/// Removes the engine's own files under `dir` that `keep` does not keep
/// (and its folders once empty); a user's files and folders stay.
template <class Keep> void remove_ours(const std::string &dir, Keep keep) {
  for (const char *kind : {"map", "reduce"})
    walk_checked(dir, kind, [&](const std::string &rel, bool folder) {
      const std::string path = dir + "/" + rel;
      const bool our_folder =
          rel == kind ||
          (rel.starts_with("map/") && all_digits(std::string_view(rel).substr(4)));
      if (folder && our_folder)
        ::rmdir(path.c_str()); // only when empty: a user's files keep it
      else if (is_commit_name(kind, rel, true) && !keep(rel))
        ::unlink(path.c_str());
    });
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

std::uint64_t Fingerprint::digest() const {
  core::Hasher h;
  for (const auto &[name, value] : fields)
    h.update(name + "=" + value + "\n");
  return h.digest();
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

namespace {

/// Bytes as hex digits, "-" for none: one word of a record.
std::string hex_word(const std::string &bytes) {
  static const char digit[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex += digit[c >> 4];
    hex += digit[c & 15];
  }
  return hex.empty() ? "-" : hex;
}

/// The bytes of a hex_word; false when it is not one.
bool from_hex_word(const std::string &word, std::string &out) {
  out.clear();
  if (word == "-")
    return true;
  if (word.size() % 2 != 0)
    return false;
  for (std::size_t i = 0; i < word.size(); i += 2) {
    const std::string pair = word.substr(i, 2);
    if (!all_hex(pair, 2))
      return false;
    out += static_cast<char>(std::stoi(pair, nullptr, 16));
  }
  return true;
}

} // namespace

std::string Commit::record() const {
  std::string r = std::to_string(id) + " " + file + " " + std::to_string(bytes) + " " +
                  core::hex64(xxh3) + " " + hex_word(counters);
  if (!skipped.empty()) // else as older versions wrote it
    r.append(" ").append(hex_word(skipped));
  return r;
}

bool is_commit_name(const std::string &kind, std::string_view file, bool temporary) {
  if (temporary) {
    const auto at = file.rfind(".tmp-");
    if (at != std::string_view::npos && all_hex(file.substr(at + 5), 8))
      file = file.substr(0, at);
  }
  return id_in_name(kind, file) >= 0;
}

bool parse_commit(const std::string &kind, const std::string &text, Commit &out) {
  std::istringstream in(text);
  std::string id, bytes, hash, counters, skipped, rest;
  if (!(in >> id >> out.file >> bytes >> hash >> counters))
    return false; // fewer fields than a record has
  if (in >> skipped && (kind != "map" || in >> rest))
    return false; // more
  if (!all_digits(id) || !all_digits(bytes, 19) || !all_hex(hash, 16))
    return false;
  try {
    const unsigned long long n = std::stoull(id);
    if (n > UINT32_MAX) // a task or partition number never is
      return false;
    out.id = static_cast<std::uint32_t>(n);
    out.bytes = std::stoull(bytes);
    out.xxh3 = std::stoull(hash, nullptr, 16);
  } catch (const std::exception &) {
    return false;
  }
  // A record names a file the engine made, for this very task or partition:
  // never a path out of the folder or another record's file.
  if (id_in_name(kind, out.file) != static_cast<long long>(out.id))
    return false;
  if (!from_hex_word(counters, out.counters))
    return false;
  if (!from_hex_word(skipped.empty() ? "-" : skipped, out.skipped))
    return false;
  return true;
}

void check_folder(const std::string &dir) {
  struct stat st {};
  if (::lstat((dir + "/manifest").c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    refuse_entry(dir, "manifest",
                 S_ISLNK(st.st_mode) ? "a symbolic link" : "something not a file");
  for (const char *kind : {"map", "reduce"})
    walk_checked(dir, kind, [](const std::string &, bool) {});
}

void make_subfolder(const std::string &dir, const std::string &sub) {
  const std::string path = dir + "/" + sub;
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot create '" + path + "': " + reason());
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    refuse_entry(dir, sub, "something that is not a folder (a link?)");
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
  // The folder itself is locked: a lock file would take a name in the
  // user's folder (and one of theirs called "lock" was once removed).
  m.lock_fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (m.lock_fd_ < 0)
    throw CheckpointRefused("cannot open checkpoint folder '" + dir + "': " + reason());
  if (::flock(m.lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      throw CheckpointRefused("checkpoint folder '" + dir +
                              "' is in use by another run (its lock is held)");
    // A file system without flock (Lustre mounted without -o flock): go on.
    std::fprintf(stderr,
                 "mapreduce: warning: cannot lock checkpoint folder '%s' (%s): make sure "
                 "no other run uses it\n",
                 dir.c_str(), reason().c_str());
  }
  check_folder(dir); // after the lock: no run of ours changes it meanwhile

  const std::string path = dir + "/manifest";
  const bool exists = fs::exists(fs::symlink_status(path, ec));
  // Without a manifest, "map" and "reduce" here are not ours: never write
  // into (or later remove) a user's folders.
  if (!exists && (fs::exists(fs::symlink_status(dir + "/map", ec)) ||
                  fs::exists(fs::symlink_status(dir + "/reduce", ec))))
    throw CheckpointRefused("checkpoint folder '" + dir +
                            "' holds 'map' or 'reduce' but no checkpoint manifest: give "
                            "an empty or new folder");
  if (exists && mode == OpenMode::fresh)
    throw CheckpointRefused(
        "checkpoint folder '" + dir +
        "' holds a checkpoint: pass --resume to continue it, or --restart-fresh to "
        "discard it");
  if (exists && mode == OpenMode::restart_fresh) {
    remove_ours(dir, [](const std::string &) { return false; });
    fs::remove(path, ec);
  }
  if (exists && mode == OpenMode::resume) {
    const std::string text = read_whole_file(path);
    std::size_t records_at = 0;
    if (!parse_header(text, m.committed_, records_at))
      throw CheckpointRefused("the manifest of checkpoint '" + dir +
                              "' is damaged in its header (or written by another "
                              "version); pass --restart-fresh to discard the checkpoint");
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
  make_subfolder(dir, "map");
  make_subfolder(dir, "reduce");
  m.fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
  if (m.fd_ < 0)
    throw CheckpointRefused("cannot open '" + path + "': " + reason());
  return m;
}

Manifest Manifest::inspect(const std::string &dir) {
  const std::string path = dir + "/manifest";
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec)))
    throw CheckpointRefused("'" + dir + "' holds no checkpoint manifest");
  check_folder(dir);
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
    if (body.starts_with("map ") && parse_commit("map", body.substr(4), c))
      maps_[c.id] = c;
    else if (body.starts_with("reduce ") && parse_commit("reduce", body.substr(7), c))
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
  remove_ours(dir_, [&](const std::string &rel) { return referenced.count(rel) > 0; });
}

void Manifest::append(const std::string &kind, const Commit &commit) {
  const std::string text = commit.record();
  Commit check;
  if (!parse_commit(kind, text, check))
    throw std::runtime_error("refusing to record " + kind + " " +
                             std::to_string(commit.id) + " in the manifest of '" + dir_ +
                             "': its file '" + commit.file +
                             "' is not one the engine makes for it");
  append_line(kind + " " + text);
}

void Manifest::append_line(const std::string &record) {
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
  try {
    remove_ours(dir_, [](const std::string &) { return false; });
  } catch (const CheckpointRefused &e) { // a link appeared while the job ran
    std::fprintf(stderr, "mapreduce: warning: checkpoint not removed: %s\n", e.what());
    return;
  }
  ::unlink((dir_ + "/manifest").c_str());
  ::rmdir(dir_.c_str()); // only when empty: the user may keep other files there
}

} // namespace mr::ckpt
