// src/ckpt/durable_file.h: files that are either complete or absent: written
// under a temporary name, flushed to disk, then renamed into place.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace mr::ckpt {

/// Writes the concatenation of `pieces` to `path`: into a temporary file in
/// the same folder, fsync, rename, fsync of the folder. Returns the XXH3-64
/// of the bytes. On failure (a full disk, say) throws std::runtime_error
/// naming the file and the system's reason, and leaves no file behind.
std::uint64_t write_durably(const std::string &path,
                            std::span<const std::string_view> pieces);

/// The same, for bytes made as they are written: `produce` calls its
/// argument with each piece in order (and may throw: nothing is left).
using Sink = std::function<void(std::string_view)>;
using Producer = std::function<void(const Sink &)>;
std::uint64_t write_durably(const std::string &path, const Producer &produce);

// The readers below open only regular files, never through a symbolic link
// and never blocking (a FIFO): they throw std::runtime_error otherwise.

/// XXH3-64 of a whole file, read 1 MiB at a time; `size` gets its length.
/// Throws std::runtime_error when it cannot be read.
std::uint64_t hash_file(const std::string &path, std::uint64_t &size);

/// Up to `n` bytes at `offset` (fewer where the file ends).
std::string read_file_range(const std::string &path, std::uint64_t offset,
                            std::uint64_t n);

/// The whole file; throws std::runtime_error when it cannot be opened or
/// read. A file that shrinks while it is read gives what is there (shorter
/// than its size was): callers check the size and checksum they expect.
std::string read_whole_file(const std::string &path);

/// The folder `path` is in ("." for a bare name).
std::string folder_of(const std::string &path);

/// Flushes a folder's entries (after a rename or create in it).
void sync_folder(const std::string &folder);

/// Creates `path` exclusively and writes one byte in it, then removes it:
/// throws std::runtime_error with the reason when the folder cannot be
/// written (read-only file system, permissions, full disk).
void probe_writable(const std::string &folder);

} // namespace mr::ckpt
