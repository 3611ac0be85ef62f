// src/io/h5.h: thin wrappers over the HDF5 C API (the only code, with the
// rest of src/io, that includes hdf5.h). A failing call throws H5Error with
// HDF5's own innermost message; handles close themselves.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mr::io {

class H5Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// A file we refuse to read (see open_dataset): the user's to fix.
class RefusedFile : public H5Error {
public:
  using H5Error::H5Error;
};

/// Turns off HDF5's printing of its error stack; we report errors ourselves.
void silence_hdf5_errors();

/// Throws H5Error("what: <HDF5 message>") if `rc` is negative.
hid_t check(hid_t rc, const std::string &what);

/// An HDF5 identifier closed on destruction.
class Handle {
public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(Handle &&o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle &operator=(Handle &&o) noexcept;
  ~Handle() { reset(); }
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }
  void reset();

private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

/// Throws RefusedFile unless `path` is a regular file (a FIFO would block
/// open forever; a device never ends), H5Error when it cannot be examined.
void check_regular_file(const std::string &path);

/// Opens `path` read-only (a regular file only); with a communicator other than
/// MPI_COMM_NULL, through the MPI-IO driver (collective over that communicator).
Handle open_file(const std::string &path, MPI_Comm comm = MPI_COMM_NULL);
/// Opens `path` (a regular file only) serially for writing: to add an
/// attribute to a file this process alone has open.
Handle open_file_for_update(const std::string &path);
/// Creates (truncates) `path`, as open_file.
Handle create_file(const std::string &path, MPI_Comm comm = MPI_COMM_NULL);

/// True if `path` is a file in HDF5 format (throws as check_regular_file).
bool is_hdf5(const std::string &path);
bool has_link(hid_t loc, const std::string &name);

/// The elements of a dataset we write: unsigned bytes, unsigned 64-bit
/// integers, or fixed-length strings (the file table of version 1 inputs).
enum class Elem { u8, u64, fixed_string };

/// Opens dataset `name` in `loc` (a file or group) only if it is one we
/// could have written, so that a crafted file cannot make a job read another
/// file or allocate without limit:
///  - a hard link in this file (not an external or soft link);
///  - its bytes in this file: contiguous, chunked or compact, no external
///    storage, not virtual, no filters (we never compress);
///  - one-dimensional, of `elem` (signedness and size exactly);
///  - no larger than the file holds, and not sparse (every element stored).
/// Throws H5Error naming the dataset and what is wrong.
Handle open_dataset(hid_t loc, const std::string &name, Elem elem);
/// Opens group `name` in `loc` only through a hard link (see open_dataset).
Handle open_group(hid_t loc, const std::string &name);
/// Elements in a 1-D dataset (throws if it is not 1-D).
std::uint64_t dataset_length(hid_t dataset);

/// Objects we create record no times (create_file too): the same content
/// makes the same bytes.
Handle create_group(hid_t loc, const std::string &name);
/// A contiguous 1-D dataset of `length` elements of `type`.
Handle create_dataset(hid_t loc, const std::string &name, hid_t type,
                      std::uint64_t length);
/// A chunked 1-D dataset, empty and extendible.
Handle create_extendible(hid_t loc, const std::string &name, hid_t type,
                         std::uint64_t chunk);

/// Writes `count` elements at `offset` of a 1-D dataset. With collective,
/// every rank of the file's communicator must call (count may be 0).
void write_slab(hid_t dataset, hid_t type, std::uint64_t offset, std::uint64_t count,
                const void *data, bool collective);
/// Reads `count` elements at `offset` of a 1-D dataset (independent I/O).
void read_slab(hid_t dataset, hid_t type, std::uint64_t offset, std::uint64_t count,
               void *data);
/// Reads the elements at `indices` (any order) of a 1-D dataset into
/// data[0..indices.size()) in one call (independent I/O).
void read_points(hid_t dataset, hid_t type, const std::vector<std::uint64_t> &indices,
                 void *data);
/// Appends to an extendible dataset.
void append(hid_t dataset, hid_t type, const void *data, std::uint64_t count);

void write_attribute(hid_t loc, const std::string &name, const std::string &value);
void write_attribute(hid_t loc, const std::string &name, std::uint64_t value);
std::string read_string_attribute(hid_t loc, const std::string &name);
std::uint64_t read_u64_attribute(hid_t loc, const std::string &name);

} // namespace mr::io
