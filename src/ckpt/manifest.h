// src/ckpt/manifest.h: the checkpoint folder's record of committed work.
//
//   DIR/manifest   text, append-only. The header names the job's fingerprint,
//                  one field a line; then one record a line for every commit:
//                    map <task> <file> <bytes> <xxh3>
//                    reduce <partition> <file> <bytes> <xxh3>
//                  Every line ends with " ~" and the XXH3-64 of what precedes
//                  it, so a line cut short by a crash is recognised and
//                  ignored (its work is simply done again).
//   DIR/lock       flock'ed by the coordinator while a run uses the folder.
//   DIR/map/, DIR/reduce/   the committed files (see engine/commits.h).
//
// Only the coordinator (world rank 0) reads and writes the manifest. Each
// record is written with one write() and flushed (fdatasync) before the
// coordinator relies on it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mr::ckpt {

/// What makes two runs the same job: compared field by field on resume.
struct Fingerprint {
  std::vector<std::pair<std::string, std::string>> fields;
  void add(std::string name, std::string value) {
    fields.emplace_back(std::move(name), std::move(value));
  }
  /// "" when equal, else one sentence per differing field.
  std::string differences(const Fingerprint &committed) const;
  const std::string *find(const std::string &name) const;
};

/// One committed file: what the manifest says about it.
struct Commit {
  std::uint32_t id = 0; // task or partition
  std::string file;     // relative to the checkpoint folder
  std::uint64_t bytes = 0;
  std::uint64_t xxh3 = 0;
  std::string record() const; // without the kind
};

enum class OpenMode { fresh, resume, restart_fresh };

/// A refusal to use a checkpoint folder (fingerprint mismatch, in use, ...):
/// the user's to resolve, not a failure to retry.
struct CheckpointRefused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Manifest {
public:
  /// Opens the manifest of `dir` for a run whose fingerprint is `fp`,
  /// creating `dir` as needed:
  ///  - no manifest (or an empty folder): starts one, whatever `mode`;
  ///  - a manifest and `fresh`: refused (pass --resume or --restart-fresh);
  ///  - `restart_fresh`: discards the old checkpoint first;
  ///  - `resume`: refused when the fingerprint differs; else reads the records.
  /// Refused too when another run holds the folder's lock.
  static Manifest open(const std::string &dir, const Fingerprint &fp, OpenMode mode);

  /// Reads `dir`'s manifest without taking the lock or changing anything
  /// (for `mapreduce verify`); throws CheckpointRefused when there is none or
  /// its header is damaged.
  static Manifest inspect(const std::string &dir);

  Manifest(Manifest &&other) noexcept;
  Manifest &operator=(Manifest &&) = delete;
  ~Manifest();

  /// Appends one record ("map ..." or "reduce ...") and flushes it.
  void append(const std::string &record);

  /// Removes every file of the checkpoint, then the folder when empty.
  void remove_all();

  const std::string &dir() const { return dir_; }
  /// What the folder held when opened (resume only).
  const std::map<std::uint32_t, Commit> &maps() const { return maps_; }
  const std::map<std::uint32_t, Commit> &partitions() const { return partitions_; }
  /// Lines that were cut or damaged (their work is redone).
  std::size_t damaged_records() const { return damaged_; }
  bool resumed() const { return resumed_; }
  /// The committed fingerprint's value of `name` (resume), or nullptr.
  const std::string *committed(const std::string &name) const {
    return committed_.find(name);
  }
  const Fingerprint &fingerprint() const { return committed_; }

private:
  Manifest() = default;
  void read_records(const std::string &text);
  void remove_unreferenced();

  std::string dir_;
  int lock_fd_ = -1;
  int fd_ = -1;
  bool resumed_ = false;
  Fingerprint committed_;
  std::map<std::uint32_t, Commit> maps_, partitions_;
  std::size_t damaged_ = 0;
};

/// The fingerprint recorded in `dir`'s manifest, if it has a readable one.
std::optional<Fingerprint> committed_fingerprint(const std::string &dir);

/// Parses "<id> <file> <bytes> <xxh3>"; false when malformed.
bool parse_commit(const std::string &text, Commit &out);

} // namespace mr::ckpt
