// src/ckpt/manifest.h: the checkpoint folder's record of committed work.
//
//   DIR/manifest   text, append-only. The header names the job's fingerprint,
//                  one field a line; then one record a line for every commit:
//                    map <task> <file> <bytes> <xxh3> <counters> <skipped>
//                    reduce <partition> <file> <bytes> <xxh3> <counters>
//                  (<counters>: the job's counter increments made by that
//                  work, as hex, "-" when none; <skipped>: the records a map
//                  task's output lacks (--skip-bad-records), as hex, "-"
//                  when none, and absent in records of older versions). Every line ends
//                  with " ~" and the XXH3-64 of what precedes it, so a line cut short by
//                  a crash is recognised and ignored (its work is simply done again).
//   DIR/map/<n>/, DIR/reduce/   the committed files (see ckpt/checkpoint.h).
//
// The folder is locked (flock on the folder itself: no lock file) while a
// run uses it. Only the coordinator (world rank 0) reads and writes the
// manifest. Each record is written with one write() and flushed (fdatasync)
// before the coordinator relies on it.
//
// The folder may hold a user's own files too: the engine reads, writes and
// removes only the names it makes (manifest, map/<n>/t<task>-<writer>,
// reduce/p<partition>-<writer>, and their ".tmp-" files), and refuses a
// folder where any of its own names, or anything under map/ or reduce/, is
// a symbolic link or not a regular file or folder: it never follows a link
// out of the folder.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
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
  /// XXH3-64 of every field: what committed files and outputs record to
  /// say which run they belong to.
  std::uint64_t digest() const;
};

/// One committed file: what the manifest says about it.
struct Commit {
  std::uint32_t id = 0; // task or partition
  std::string file;     // relative to the checkpoint folder
  std::uint64_t bytes = 0;
  std::uint64_t xxh3 = 0;
  std::string counters;       // the job's counter increments (engine/counters.h)
  std::string skipped;        // records its output lacks, as the coordinator says them
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

  /// Appends the record of a commit of `kind` ("map" or "reduce") and
  /// flushes it. Throws when the commit names a file the engine does not
  /// make for that task or partition: a record is never taken verbatim.
  void append(const std::string &kind, const Commit &commit);

  /// Removes every file the engine made in the checkpoint, then its
  /// folders when empty (a user's own files, and so their folders, stay).
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
  void append_line(const std::string &record);

  std::string dir_;
  int lock_fd_ = -1; // the folder itself, flock'ed
  int fd_ = -1;
  bool resumed_ = false;
  Fingerprint committed_;
  std::map<std::uint32_t, Commit> maps_, partitions_;
  std::size_t damaged_ = 0;
};

/// The fingerprint recorded in `dir`'s manifest, if it has a readable one.
std::optional<Fingerprint> committed_fingerprint(const std::string &dir);

/// Parses "<id> <file> <bytes> <xxh3> <counters> [<skipped>]"; false when malformed or
/// when <file> is not a name the engine makes for that kind ("map" or
/// "reduce").
bool parse_commit(const std::string &kind, const std::string &text, Commit &out);

/// True for a name the engine makes in a checkpoint folder (relative to
/// it): a committed file of `kind` ("map" or "reduce"), or with `temporary`
/// also one being written (its ".tmp-" name).
bool is_commit_name(const std::string &kind, std::string_view file,
                    bool temporary = false);

/// Throws CheckpointRefused when anything in `dir` that the engine would
/// use is a symbolic link or of the wrong type (see the top of this file).
void check_folder(const std::string &dir);

/// Creates `dir`/`sub` if needed and checks it is a real folder, not a link.
void make_subfolder(const std::string &dir, const std::string &sub);

} // namespace mr::ckpt
