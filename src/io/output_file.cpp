// src/io/output_file.cpp: see output_file.h.
#include "io/output_file.h"

#include <filesystem>

#include "io/h5.h"
#include "io/input_file.h"

namespace mr::io {

namespace {

/// Writes this rank's `local` offsets (relative, n+1 entries) shifted by
/// `shift` at row `row_start`; the last rank also writes the final entry.
void write_offsets(const comm::Comm &comm, hid_t file, const std::string &name,
                   const std::vector<std::uint64_t> &local, std::uint64_t shift,
                   std::uint64_t row_start, std::uint64_t total_rows) {
  const bool last = comm.rank() == comm.size() - 1;
  const std::uint64_t n = local.size() - 1 + (last ? 1 : 0);
  std::vector<std::uint64_t> global(n);
  for (std::uint64_t i = 0; i < n; ++i)
    global[i] = local[i] + shift;
  Handle ds = create_dataset(file, name, H5T_STD_U64LE, total_rows + 1);
  write_slab(ds, H5T_NATIVE_UINT64, row_start, n, global.data(), true);
}

} // namespace

std::uint64_t write_output(const comm::Comm &comm, const std::string &path,
                           const OutputMeta &meta, const OutputRows &rows) {
  const std::uint64_t n = rows.rows();
  const std::uint64_t row_start = comm.exclusive_prefix_sum(n);
  const std::uint64_t key_start = comm.exclusive_prefix_sum(rows.keys.size());
  const std::uint64_t value_start = comm.exclusive_prefix_sum(rows.values.size());
  const std::uint64_t total_rows = comm.sum(n);
  const std::uint64_t total_keys = comm.sum(rows.keys.size());
  const std::uint64_t total_values = comm.sum(rows.values.size());

  // Partition index: ranks hold consecutive partitions in rank order.
  std::vector<std::uint64_t> per_partition = comm.all_gather(rows.rows_per_partition);
  std::vector<std::uint64_t> partition_offsets{0};
  for (std::uint64_t c : per_partition)
    partition_offsets.push_back(partition_offsets.back() + c);

  Handle file = create_file(path, comm.native());
  {
    Handle keys = create_dataset(file, "keys", H5T_STD_U8LE, total_keys);
    write_slab(keys, H5T_NATIVE_UINT8, key_start, rows.keys.size(), rows.keys.data(),
               true);
  }
  write_offsets(comm, file, "key_offsets", rows.key_offsets, key_start, row_start,
                total_rows);
  if (meta.uint64_values) {
    // Values are 8 little-endian bytes each: store them as uint64 as they are.
    Handle values = create_dataset(file, "values", H5T_STD_U64LE, total_rows);
    write_slab(values, H5T_STD_U64LE, row_start, n, rows.values.data(), true);
  } else {
    Handle values = create_dataset(file, "values", H5T_STD_U8LE, total_values);
    write_slab(values, H5T_NATIVE_UINT8, value_start, rows.values.size(),
               rows.values.data(), true);
    write_offsets(comm, file, "value_offsets", rows.value_offsets, value_start, row_start,
                  total_rows);
  }
  {
    Handle index = create_dataset(file, "partition_offsets", H5T_STD_U64LE,
                                  partition_offsets.size());
    const bool root = comm.rank() == 0;
    write_slab(index, H5T_NATIVE_UINT64, 0, root ? partition_offsets.size() : 0,
               partition_offsets.data(), true);
  }
  write_attribute(file, "mapreduce_output_version", std::uint64_t{1});
  write_attribute(file, "job", meta.job);
  write_attribute(file, "parameters", meta.parameters);
  write_attribute(file, "input", meta.input);
  write_attribute(file, "reducers", meta.reducers);
  write_attribute(file, "records", total_rows);
  write_attribute(file, "value_type",
                  std::string(meta.uint64_values ? "uint64" : "bytes"));
  return total_rows;
}

namespace {
std::vector<std::uint64_t> read_u64s(hid_t file, const std::string &name) {
  Handle ds = open_dataset(file, name);
  std::vector<std::uint64_t> v(dataset_length(ds));
  read_slab(ds, H5T_NATIVE_UINT64, 0, v.size(), v.data());
  return v;
}
std::vector<char> read_bytes(hid_t file, const std::string &name) {
  Handle ds = open_dataset(file, name);
  std::vector<char> v(dataset_length(ds));
  read_slab(ds, H5T_NATIVE_UINT8, 0, v.size(), v.data());
  return v;
}
} // namespace

OutputFile read_output(const std::string &path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw InputError("'" + path + "' does not exist");
  if (!is_hdf5(path))
    throw InputError("'" + path + "' is not an HDF5 file");
  Handle file = open_file(path);
  for (const char *name : {"keys", "key_offsets", "values", "partition_offsets"})
    if (!has_link(file, name))
      throw InputError("'" + path + "' has no dataset /" + name +
                       ": it is not a mapreduce output");
  OutputFile out;
  out.meta.job = read_string_attribute(file, "job");
  out.meta.parameters = read_string_attribute(file, "parameters");
  out.meta.input = read_string_attribute(file, "input");
  out.meta.reducers = read_u64_attribute(file, "reducers");
  out.meta.uint64_values = read_string_attribute(file, "value_type") == "uint64";
  out.rows.keys = read_bytes(file, "keys");
  out.rows.key_offsets = read_u64s(file, "key_offsets");
  if (out.meta.uint64_values) {
    std::vector<std::uint64_t> v = read_u64s(file, "values");
    out.rows.values.resize(v.size() * 8);
    for (std::size_t i = 0; i < v.size(); ++i)
      for (int b = 0; b < 8; ++b)
        out.rows.values[i * 8 + b] = static_cast<char>((v[i] >> (8 * b)) & 0xff);
    out.rows.value_offsets.resize(v.size() + 1);
    for (std::size_t i = 0; i <= v.size(); ++i)
      out.rows.value_offsets[i] = 8 * i;
  } else {
    out.rows.values = read_bytes(file, "values");
    out.rows.value_offsets = read_u64s(file, "value_offsets");
  }
  out.partition_offsets = read_u64s(file, "partition_offsets");
  const std::uint64_t n =
      out.rows.key_offsets.empty() ? 0 : out.rows.key_offsets.size() - 1;
  if (out.rows.key_offsets.empty() || out.rows.value_offsets.size() != n + 1 ||
      out.rows.key_offsets.back() != out.rows.keys.size() ||
      out.rows.value_offsets.back() != out.rows.values.size())
    throw InputError("'" + path + "' is inconsistent: offsets do not match data");
  return out;
}

} // namespace mr::io
