// src/io/h5.cpp: see h5.h.
#include "io/h5.h"

#include <cerrno>
#include <cstring>
#include <exception>
#include <sys/stat.h>
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

void check_regular_file(const std::string &path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw H5Error("cannot open '" + path + "': " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    throw RefusedFile("'" + path +
                      "' is not a regular file (a folder, FIFO, socket or device): "
                      "refused, since reading it could block or never end");
}

Handle open_file(const std::string &path, MPI_Comm comm) {
  check_regular_file(path);
  Handle fapl = file_access(comm);
  return Handle(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl),
                      "cannot open HDF5 file '" + path + "'"),
                H5Fclose);
}

Handle open_file_for_update(const std::string &path) {
  check_regular_file(path);
  return Handle(check(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT),
                      "cannot open HDF5 file '" + path + "' for writing"),
                H5Fclose);
}

Handle create_file(const std::string &path, MPI_Comm comm) {
  Handle fapl = file_access(comm);
  // The newest file format: its object headers, B-trees and superblock carry
  // checksums, so HDF5 itself refuses damaged metadata (h5py and h5dump of
  // HDF5 1.10 and later read it).
  check(H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST),
        "H5Pset_libver_bounds");
  // No access, modification or change times in object headers: the same
  // run writes the same bytes (two runs differed in 63 bytes: the times and
  // the header checksums over them). Set here for the root group; every
  // dataset and group we create does the same.
  Handle fcpl(check(H5Pcreate(H5P_FILE_CREATE), "H5Pcreate"), H5Pclose);
  check(H5Pset_obj_track_times(fcpl, false), "H5Pset_obj_track_times");
  return Handle(check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, fapl),
                      "cannot create HDF5 file '" + path + "'"),
                H5Fclose);
}

namespace {
/// An object creation property list of `cls` that records no times.
Handle untimed(hid_t cls) {
  Handle plist(check(H5Pcreate(cls), "H5Pcreate"), H5Pclose);
  check(H5Pset_obj_track_times(plist, false), "H5Pset_obj_track_times");
  return plist;
}
} // namespace

Handle create_group(hid_t loc, const std::string &name) {
  Handle gcpl = untimed(H5P_GROUP_CREATE);
  return Handle(check(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, gcpl, H5P_DEFAULT),
                      "cannot create group '" + name + "'"),
                H5Gclose);
}

bool is_hdf5(const std::string &path) {
  check_regular_file(path);
  htri_t r = H5Fis_hdf5(path.c_str());
  H5Eclear2(H5E_DEFAULT);
  return r > 0;
}

bool has_link(hid_t loc, const std::string &name) {
  htri_t r = H5Lexists(loc, name.c_str(), H5P_DEFAULT);
  H5Eclear2(H5E_DEFAULT);
  return r > 0;
}

namespace {

[[noreturn]] void refuse(hid_t loc, const std::string &name, const std::string &why) {
  char file[1024] = {};
  H5Fget_name(loc, file, sizeof file - 1);
  H5Eclear2(H5E_DEFAULT);
  throw RefusedFile("'" + std::string(file) + "': dataset " + name + " " + why +
                    ": refused (a mapreduce file never has that; a job reads only the "
                    "files it is given)");
}

/// Refuses `name` unless it is a hard link: an external link would open
/// another file, a soft link another object.
void check_hard_link(hid_t loc, const std::string &name) {
  H5L_info_t info{};
  check(H5Lget_info(loc, name.c_str(), &info, H5P_DEFAULT), "H5Lget_info '" + name + "'");
  if (info.type == H5L_TYPE_EXTERNAL)
    refuse(loc, name, "is an external link (to another file)");
  if (info.type != H5L_TYPE_HARD)
    refuse(loc, name, "is a soft or user-defined link");
}

void check_storage(hid_t loc, const std::string &name, hid_t ds) {
  // The property list is closed before any refusal (see open_dataset).
  const hid_t dcpl = check(H5Dget_create_plist(ds), "H5Dget_create_plist");
  const H5D_layout_t layout = H5Pget_layout(dcpl);
  const int external = H5Pget_external_count(dcpl);
  const int filters = H5Pget_nfilters(dcpl);
  H5Pclose(dcpl);
  if (layout == H5D_VIRTUAL)
    refuse(loc, name, "is a virtual dataset (its bytes are in other files)");
  if (layout != H5D_CONTIGUOUS && layout != H5D_CHUNKED && layout != H5D_COMPACT)
    refuse(loc, name, "has a storage layout this version does not know");
  if (external != 0)
    refuse(loc, name, "keeps its bytes in external files");
  if (filters != 0)
    refuse(loc, name, "is filtered (compressed)");
}

/// The size of one element, once its type is `elem`'s.
std::size_t check_type(hid_t loc, const std::string &name, hid_t ds, Elem elem) {
  Handle type(check(H5Dget_type(ds), "H5Dget_type"), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type);
  const std::size_t size = H5Tget_size(type);
  if (elem == Elem::fixed_string) {
    if (cls != H5T_STRING || H5Tis_variable_str(type) > 0 || size == 0)
      refuse(loc, name, "is not a table of fixed-length strings");
    return size;
  }
  const std::size_t want = elem == Elem::u8 ? 1 : 8;
  if (cls != H5T_INTEGER || size != want || H5Tget_sign(type) != H5T_SGN_NONE)
    refuse(loc, name,
           std::string("is not of unsigned ") +
               (elem == Elem::u8 ? "bytes" : "64-bit integers") + " (its elements: " +
               (cls != H5T_INTEGER                  ? "not integers, "
                : H5Tget_sign(type) == H5T_SGN_NONE ? "unsigned, "
                                                    : "signed, ") +
               std::to_string(size) + " byte(s))");
  return size;
}

/// Every element stored, within the file: a header that claims more (64 GiB
/// in a 500 KB file, or chunks never written) is refused before we allocate.
void check_size(hid_t loc, const std::string &name, hid_t ds, std::uint64_t elem_size) {
  Handle space(check(H5Dget_space(ds), "H5Dget_space"), H5Sclose);
  if (H5Sget_simple_extent_ndims(space) != 1)
    refuse(loc, name, "is not one-dimensional");
  const std::uint64_t n = dataset_length(ds);
  Handle file(check(H5Iget_file_id(ds), "H5Iget_file_id"), H5Fclose);
  hsize_t file_size = 0;
  check(H5Fget_filesize(file, &file_size), "H5Fget_filesize");
  if (n > file_size / elem_size)
    refuse(loc, name,
           "claims " + std::to_string(n) + " elements of " + std::to_string(elem_size) +
               " byte(s), more than the file's " + std::to_string(file_size) + " bytes");
  const hsize_t stored = H5Dget_storage_size(ds);
  if (n > 0 && stored < n * elem_size)
    refuse(loc, name,
           "claims " + std::to_string(n * elem_size) + " bytes but stores only " +
               std::to_string(stored));
}

} // namespace

Handle open_dataset(hid_t loc, const std::string &name, Elem elem) {
  check_hard_link(loc, name);
  H5O_info_t info{};
  check(H5Oget_info_by_name2(loc, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT),
        "H5Oget_info '" + name + "'");
  if (info.type != H5O_TYPE_DATASET)
    refuse(loc, name, "is not a dataset");
  const hid_t ds = check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT),
                         "cannot open dataset '" + name + "'");
  // Closed here when refused: a Handle stays open while an exception is in
  // flight (see Handle::reset), and HDF5 1.10.8 crashed at exit closing a
  // virtual dataset left open.
  try {
    check_storage(loc, name, ds);
    check_size(loc, name, ds, check_type(loc, name, ds, elem));
  } catch (...) {
    H5Dclose(ds);
    throw;
  }
  return Handle(ds, H5Dclose);
}

Handle open_group(hid_t loc, const std::string &name) {
  check_hard_link(loc, name);
  return Handle(
      check(H5Gopen2(loc, name.c_str(), H5P_DEFAULT), "cannot open group '" + name + "'"),
      H5Gclose);
}

std::uint64_t dataset_length(hid_t dataset) {
  Handle space(check(H5Dget_space(dataset), "H5Dget_space"), H5Sclose);
  if (H5Sget_simple_extent_ndims(space) != 1)
    throw H5Error("dataset is not one-dimensional");
  hsize_t dims[1] = {0};
  check(H5Sget_simple_extent_dims(space, dims, nullptr), "H5Sget_simple_extent_dims");
  return dims[0];
}

Handle create_dataset(hid_t loc, const std::string &name, hid_t type,
                      std::uint64_t length) {
  Handle space = simple_space(length);
  Handle dcpl = untimed(H5P_DATASET_CREATE);
  return Handle(
      check(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
            "cannot create dataset '" + name + "'"),
      H5Dclose);
}

Handle create_extendible(hid_t loc, const std::string &name, hid_t type,
                         std::uint64_t chunk) {
  hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunks[1] = {chunk};
  Handle space(check(H5Screate_simple(1, dims, maxdims), "H5Screate_simple"), H5Sclose);
  Handle dcpl = untimed(H5P_DATASET_CREATE);
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

void read_points(hid_t dataset, hid_t type, const std::vector<std::uint64_t> &indices,
                 void *data) {
  if (indices.empty())
    return;
  Handle file_space(check(H5Dget_space(dataset), "H5Dget_space"), H5Sclose);
  const std::vector<hsize_t> coords(indices.begin(), indices.end());
  check(H5Sselect_elements(file_space, H5S_SELECT_SET, coords.size(), coords.data()),
        "H5Sselect_elements");
  Handle mem_space = simple_space(indices.size());
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
