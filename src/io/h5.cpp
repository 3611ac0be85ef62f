// src/io/h5.cpp: see h5.h.
#include "io/h5.h"

#include <exception>
#include <utility>

namespace mr::io {

namespace {

/// The innermost (most specific) message of the current error stack.
std::string hdf5_message() {
  std::string msg;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t *e, void *out) -> herr_t {
        if (n == 0 && e->desc)
          *static_cast<std::string *>(out) = e->desc;
        return 0;
      },
      &msg);
  H5Eclear2(H5E_DEFAULT);
  return msg.empty() ? "unknown HDF5 error" : msg;
}

Handle file_access(MPI_Comm comm) {
  Handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"), H5Pclose);
  // Parallel file systems often refuse flock(); our files are written once,
  // under a temporary name, and renamed: locking protects nothing here.
  check(H5Pset_file_locking(fapl, false, true), "H5Pset_file_locking");
  if (comm != MPI_COMM_NULL)
    check(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "H5Pset_fapl_mpio");
  return fapl;
}

Handle simple_space(std::uint64_t length) {
  hsize_t dims[1] = {length};
  return Handle(check(H5Screate_simple(1, dims, nullptr), "H5Screate_simple"), H5Sclose);
}

} // namespace

void silence_hdf5_errors() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

hid_t check(hid_t rc, const std::string &what) {
  if (rc < 0)
    throw H5Error(what + ": " + hdf5_message());
  return rc;
}

Handle &Handle::operator=(Handle &&o) noexcept {
  if (this != &o) {
    reset();
    id_ = std::exchange(o.id_, -1);
    close_ = o.close_;
  }
  return *this;
}

void Handle::reset() {
  // Closing an object of a file opened through MPI-IO is collective: a rank
  // that unwinds an exception would wait there for ranks that are still
  // working, and the job would hang instead of aborting (seen at 4 ranks).
  // While an exception is in flight, leave the handle open: the job ends
  // anyway, or the error is reported and the process exits.
  if (id_ >= 0 && close_ && std::uncaught_exceptions() == 0)
    close_(id_);
  id_ = -1;
}

Handle open_file(const std::string &path, MPI_Comm comm) {
  Handle fapl = file_access(comm);
  return Handle(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl),
                      "cannot open HDF5 file '" + path + "'"),
                H5Fclose);
}

Handle create_file(const std::string &path, MPI_Comm comm) {
  Handle fapl = file_access(comm);
  // The newest file format: its object headers, B-trees and superblock carry
  // checksums, so HDF5 itself refuses damaged metadata (h5py and h5dump of
  // HDF5 1.10 and later read it).
  check(H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST),
        "H5Pset_libver_bounds");
  return Handle(check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl),
                      "cannot create HDF5 file '" + path + "'"),
                H5Fclose);
}

bool is_hdf5(const std::string &path) {
  htri_t r = H5Fis_hdf5(path.c_str());
  H5Eclear2(H5E_DEFAULT);
  return r > 0;
}

bool has_link(hid_t loc, const std::string &name) {
  htri_t r = H5Lexists(loc, name.c_str(), H5P_DEFAULT);
  H5Eclear2(H5E_DEFAULT);
  return r > 0;
}

Handle open_dataset(hid_t loc, const std::string &name) {
  return Handle(check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT),
                      "cannot open dataset '" + name + "'"),
                H5Dclose);
}

void check_fits_in_file(hid_t dataset, std::uint64_t elem_size) {
  Handle file(check(H5Iget_file_id(dataset), "H5Iget_file_id"), H5Fclose);
  hsize_t size = 0;
  check(H5Fget_filesize(file, &size), "H5Fget_filesize");
  const std::uint64_t n = dataset_length(dataset);
  if (elem_size != 0 && n > size / elem_size)
    throw H5Error("a dataset claims " + std::to_string(n) + " elements of " +
                  std::to_string(elem_size) + " bytes, more than the file's " +
                  std::to_string(size) + " bytes");
}

std::uint64_t dataset_length(hid_t dataset) {
  Handle space(check(H5Dget_space(dataset), "H5Dget_space"), H5Sclose);
  if (H5Sget_simple_extent_ndims(space) != 1)
    throw H5Error("dataset is not one-dimensional");
  hsize_t dims[1] = {0};
  check(H5Sget_simple_extent_dims(space, dims, nullptr), "H5Sget_simple_extent_dims");
  return dims[0];
}

std::pair<H5T_class_t, std::size_t> dataset_type(hid_t dataset) {
  Handle type(check(H5Dget_type(dataset), "H5Dget_type"), H5Tclose);
  return {H5Tget_class(type), H5Tget_size(type)};
}

Handle create_dataset(hid_t loc, const std::string &name, hid_t type,
                      std::uint64_t length) {
  Handle space = simple_space(length);
  return Handle(check(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT,
                                 H5P_DEFAULT),
                      "cannot create dataset '" + name + "'"),
                H5Dclose);
}

Handle create_extendible(hid_t loc, const std::string &name, hid_t type,
                         std::uint64_t chunk) {
  hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunks[1] = {chunk};
  Handle space(check(H5Screate_simple(1, dims, maxdims), "H5Screate_simple"), H5Sclose);
  Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate"), H5Pclose);
  check(H5Pset_chunk(dcpl, 1, chunks), "H5Pset_chunk");
  return Handle(
      check(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
            "cannot create dataset '" + name + "'"),
      H5Dclose);
}

void write_slab(hid_t dataset, hid_t type, std::uint64_t offset, std::uint64_t count,
                const void *data, bool collective) {
  // An empty contiguous dataset has no storage to write to; every rank sees
  // the same extent, so all of them skip the (collective) write together.
  if (dataset_length(dataset) == 0)
    return;
  Handle file_space(check(H5Dget_space(dataset), "H5Dget_space"), H5Sclose);
  Handle mem_space = simple_space(count > 0 ? count : 1);
  if (count > 0) {
    hsize_t start[1] = {offset}, n[1] = {count};
    check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, n, nullptr),
          "H5Sselect_hyperslab");
  } else {
    H5Sselect_none(file_space);
    H5Sselect_none(mem_space);
  }
  Handle dxpl(check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate"), H5Pclose);
  if (collective)
    check(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio");
  static const char dummy = 0;
  check(H5Dwrite(dataset, type, mem_space, file_space, dxpl, count ? data : &dummy),
        "writing a dataset");
}

void read_slab(hid_t dataset, hid_t type, std::uint64_t offset, std::uint64_t count,
               void *data) {
  if (count == 0)
    return;
  Handle file_space(check(H5Dget_space(dataset), "H5Dget_space"), H5Sclose);
  hsize_t start[1] = {offset}, n[1] = {count};
  check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, n, nullptr),
        "H5Sselect_hyperslab");
  Handle mem_space = simple_space(count);
  check(H5Dread(dataset, type, mem_space, file_space, H5P_DEFAULT, data),
        "reading a dataset");
}

void append(hid_t dataset, hid_t type, const void *data, std::uint64_t count) {
  if (count == 0)
    return;
  const std::uint64_t old = dataset_length(dataset);
  hsize_t size[1] = {old + count};
  check(H5Dset_extent(dataset, size), "H5Dset_extent");
  write_slab(dataset, type, old, count, data, false);
}

void write_attribute(hid_t loc, const std::string &name, const std::string &value) {
  Handle type(check(H5Tcopy(H5T_C_S1), "H5Tcopy"), H5Tclose);
  check(H5Tset_size(type, value.empty() ? 1 : value.size()), "H5Tset_size");
  check(H5Tset_strpad(type, H5T_STR_NULLPAD), "H5Tset_strpad");
  Handle space(check(H5Screate(H5S_SCALAR), "H5Screate"), H5Sclose);
  Handle attr(check(H5Acreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                    "cannot create attribute '" + name + "'"),
              H5Aclose);
  std::string padded = value.empty() ? std::string(1, '\0') : value;
  check(H5Awrite(attr, type, padded.data()), "writing attribute '" + name + "'");
}

void write_attribute(hid_t loc, const std::string &name, std::uint64_t value) {
  Handle space(check(H5Screate(H5S_SCALAR), "H5Screate"), H5Sclose);
  Handle attr(
      check(H5Acreate2(loc, name.c_str(), H5T_STD_U64LE, space, H5P_DEFAULT, H5P_DEFAULT),
            "cannot create attribute '" + name + "'"),
      H5Aclose);
  check(H5Awrite(attr, H5T_NATIVE_UINT64, &value), "writing attribute '" + name + "'");
}

std::string read_string_attribute(hid_t loc, const std::string &name) {
  Handle attr(
      check(H5Aopen(loc, name.c_str(), H5P_DEFAULT), "missing attribute '" + name + "'"),
      H5Aclose);
  Handle type(check(H5Aget_type(attr), "H5Aget_type"), H5Tclose);
  if (H5Tget_class(type) != H5T_STRING || H5Tis_variable_str(type) > 0)
    throw H5Error("attribute '" + name + "' is not a fixed-length string");
  std::string value(H5Tget_size(type), '\0');
  check(H5Aread(attr, type, value.data()), "reading attribute '" + name + "'");
  value.resize(value.find('\0') == std::string::npos ? value.size() : value.find('\0'));
  return value;
}

std::uint64_t read_u64_attribute(hid_t loc, const std::string &name) {
  Handle attr(
      check(H5Aopen(loc, name.c_str(), H5P_DEFAULT), "missing attribute '" + name + "'"),
      H5Aclose);
  std::uint64_t v = 0;
  check(H5Aread(attr, H5T_NATIVE_UINT64, &v), "reading attribute '" + name + "'");
  return v;
}

} // namespace mr::io
