// src/io/output_writer.cpp: see output_writer.h.
#include "io/output_writer.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "core/checksum.h"
#include "io/h5.h"
#include "io/input_error.h"
#include "io/partition_hasher.h"

namespace mr::io {

namespace {

/// Writes elements [0, count) of this rank's `stream` (element size `size`
/// bytes) at element `at` of `dataset`, in pieces of about `chunk` bytes;
/// `shift` is added to every element (offsets made global). Collective:
/// every rank makes as many write calls as the rank with the most pieces.
void write_stream(const comm::Comm &comm, hid_t dataset, hid_t type, const RowSpool &rows,
                  RowSpool::Stream stream, std::uint64_t size, std::uint64_t at,
                  std::uint64_t count, std::uint64_t shift, std::uint64_t chunk,
                  const std::function<void(std::uint64_t bytes)> &wrote) {
  const std::uint64_t per_piece = std::max<std::uint64_t>(1, chunk / size);
  const std::uint64_t pieces = comm.max((count + per_piece - 1) / per_piece);
  std::vector<char> scratch;
  std::vector<std::uint64_t> shifted;
  for (std::uint64_t i = 0; i < pieces; ++i) {
    const std::uint64_t first = std::min(count, i * per_piece);
    const std::uint64_t n = std::min(count - first, per_piece);
    std::string_view bytes = rows.view(stream, first * size, (first + n) * size, scratch);
    const void *data = bytes.data();
    if (shift != 0 && n > 0) {
      shifted.resize(n);
      std::memcpy(shifted.data(), bytes.data(), n * 8);
      for (auto &v : shifted)
        v += shift;
      data = shifted.data();
    }
    write_slab(dataset, type, at + first, n, data, true);
    if (wrote)
      wrote(n * size);
  }
}

} // namespace

OutputRows rows_of(const RowSpool &spool) {
  OutputRows rows;
  std::vector<char> scratch;
  const std::uint64_t n = spool.rows();
  auto offsets = [&](RowSpool::Stream s) {
    std::vector<std::uint64_t> v(n + 1);
    std::memcpy(v.data(), spool.view(s, 0, 8 * (n + 1), scratch).data(), 8 * (n + 1));
    return v;
  };
  rows.key_offsets = offsets(RowSpool::kKeyOffsets);
  rows.value_offsets = offsets(RowSpool::kValueOffsets);
  const std::string_view k = spool.view(RowSpool::kKeys, 0, spool.key_bytes(), scratch);
  rows.keys.assign(k.begin(), k.end());
  const std::string_view v =
      spool.view(RowSpool::kValues, 0, spool.value_bytes(), scratch);
  rows.values.assign(v.begin(), v.end());
  rows.rows_per_partition = spool.rows_per_partition();
  return rows;
}

std::uint64_t write_output(const comm::Comm &comm, const std::string &path,
                           const OutputMeta &meta, const OutputRows &rows) {
  RowSpool spool;
  std::uint64_t r = 0;
  for (std::uint64_t count : rows.rows_per_partition) {
    for (std::uint64_t end = r + count; r < end; ++r)
      spool.add(rows.key(r), rows.value(r));
    spool.end_partition();
  }
  return write_output(comm, path, meta, spool);
}

namespace {

/// HDF5 reports a failed write as "file write failed", without the
/// system's reason: a full disk, the commonest, is told by the free space
/// left where the file is.
[[noreturn]] void rethrow_write_error(const std::string &path, const H5Error &e) {
  struct statvfs fs {};
  const auto parent = std::filesystem::path(path).parent_path();
  const std::string folder = parent.empty() ? "." : parent.string();
  if (::statvfs(folder.c_str(), &fs) == 0 &&
      static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize < (1u << 20))
    throw H5Error("cannot write '" + path +
                  "': No space left on device (its file system has less than 1 MiB "
                  "free; HDF5 said: " +
                  e.what() + ")");
  throw H5Error("cannot write '" + path + "': " + e.what());
}

std::uint64_t write_rows(const comm::Comm &comm, const std::string &path,
                         const OutputMeta &meta, const RowSpool &rows,
                         std::uint64_t chunk_bytes, const WriteProgress &progress);

} // namespace

std::uint64_t write_output(const comm::Comm &comm, const std::string &path,
                           const OutputMeta &meta, const RowSpool &rows,
                           std::uint64_t chunk_bytes, const WriteProgress &progress) {
  try {
    return write_rows(comm, path, meta, rows, chunk_bytes, progress);
  } catch (const H5Error &e) {
    rethrow_write_error(path, e);
  }
}

namespace {

std::uint64_t write_rows(const comm::Comm &comm, const std::string &path,
                         const OutputMeta &meta, const RowSpool &rows,
                         std::uint64_t chunk_bytes, const WriteProgress &progress) {
  const std::uint64_t n = rows.rows();
  const std::uint64_t row_start = comm.exclusive_prefix_sum(n);
  const std::uint64_t key_start = comm.exclusive_prefix_sum(rows.key_bytes());
  const std::uint64_t value_start = comm.exclusive_prefix_sum(rows.value_bytes());
  const std::uint64_t total_rows = comm.sum(n);
  const std::uint64_t total_keys = comm.sum(rows.key_bytes());
  const std::uint64_t total_values = comm.sum(rows.value_bytes());
  const std::uint64_t chunk = chunk_bytes ? chunk_bytes : ~std::uint64_t(0) / 2;

  // Partition index: ranks hold consecutive partitions in rank order.
  std::vector<std::uint64_t> per_partition = comm.all_gather(rows.rows_per_partition());
  std::vector<std::uint64_t> partition_offsets{0};
  for (std::uint64_t c : per_partition)
    partition_offsets.push_back(partition_offsets.back() + c);
  const std::vector<std::uint64_t> checksums =
      comm.all_gather(rows.partition_checksums());
  // Checksum blocks: each rank's are of its own partitions, in order.
  std::vector<std::uint64_t> block_rows{0};
  for (std::uint64_t c : comm.all_gather(rows.rows_per_block()))
    block_rows.push_back(block_rows.back() + c);
  const std::vector<std::uint64_t> block_checksums =
      comm.all_gather(rows.block_checksums());

  // Offsets: each rank writes its entries but the last, which is the next
  // rank's first; the last rank writes the final one too.
  const bool last = comm.rank() == comm.size() - 1;
  const std::uint64_t entries = n + (last ? 1 : 0);
  // What this rank writes: keys, values and their offsets.
  const std::uint64_t to_write =
      rows.key_bytes() + 8 * entries +
      (meta.uint64_values ? 8 * n : rows.value_bytes() + 8 * entries);
  std::uint64_t written = 0;
  const std::function<void(std::uint64_t)> wrote = [&](std::uint64_t bytes) {
    written += bytes;
    if (progress)
      progress(written, to_write);
  };
  Handle file = create_file(path, comm.native());
  {
    Handle keys = create_dataset(file, "keys", H5T_STD_U8LE, total_keys);
    write_stream(comm, keys, H5T_NATIVE_UINT8, rows, RowSpool::kKeys, 1, key_start,
                 rows.key_bytes(), 0, chunk, wrote);
    Handle offsets = create_dataset(file, "key_offsets", H5T_STD_U64LE, total_rows + 1);
    write_stream(comm, offsets, H5T_NATIVE_UINT64, rows, RowSpool::kKeyOffsets, 8,
                 row_start, entries, key_start, chunk, wrote);
  }
  if (meta.uint64_values) {
    // Values are 8 little-endian bytes each: store them as uint64 as they are.
    Handle values = create_dataset(file, "values", H5T_STD_U64LE, total_rows);
    write_stream(comm, values, H5T_STD_U64LE, rows, RowSpool::kValues, 8, row_start, n, 0,
                 chunk, wrote);
  } else {
    Handle values = create_dataset(file, "values", H5T_STD_U8LE, total_values);
    write_stream(comm, values, H5T_NATIVE_UINT8, rows, RowSpool::kValues, 1, value_start,
                 rows.value_bytes(), 0, chunk, wrote);
    Handle offsets = create_dataset(file, "value_offsets", H5T_STD_U64LE, total_rows + 1);
    write_stream(comm, offsets, H5T_NATIVE_UINT64, rows, RowSpool::kValueOffsets, 8,
                 row_start, entries, value_start, chunk, wrote);
  }
  {
    Handle index = create_dataset(file, "partition_offsets", H5T_STD_U64LE,
                                  partition_offsets.size());
    const bool root = comm.rank() == 0;
    write_slab(index, H5T_NATIVE_UINT64, 0, root ? partition_offsets.size() : 0,
               partition_offsets.data(), true);
    Handle sums =
        create_dataset(file, "partition_checksums", H5T_STD_U64LE, checksums.size());
    write_slab(sums, H5T_NATIVE_UINT64, 0, root ? checksums.size() : 0, checksums.data(),
               true);
    Handle blocks = create_dataset(file, "block_rows", H5T_STD_U64LE, block_rows.size());
    write_slab(blocks, H5T_NATIVE_UINT64, 0, root ? block_rows.size() : 0,
               block_rows.data(), true);
    Handle block_sums =
        create_dataset(file, "block_checksums", H5T_STD_U64LE, block_checksums.size());
    write_slab(block_sums, H5T_NATIVE_UINT64, 0, root ? block_checksums.size() : 0,
               block_checksums.data(), true);
  }
  write_attribute(file, "mapreduce_output_version", kOutputVersion);
  write_attribute(file, "checksum", std::string("xxh3-64"));
  write_attribute(file, "job", meta.job);
  write_attribute(file, "parameters", meta.parameters);
  write_attribute(file, "input", meta.input);
  write_attribute(file, "reducers", meta.reducers);
  write_attribute(file, "records", total_rows);
  write_attribute(file, "value_type",
                  std::string(meta.uint64_values ? "uint64" : "bytes"));
  write_attribute(file, "export_format", meta.export_format);
  write_attribute(file, "partitioning", meta.partitioning);
  if (!meta.fingerprint.empty())
    write_attribute(file, "fingerprint", meta.fingerprint);
  if (meta.split_size)
    write_attribute(file, "split_size", meta.split_size);
  return total_rows;
}

} // namespace

void record_counters(const std::string &path,
                     const std::map<std::string, std::uint64_t> &counters) {
  std::string text;
  for (const auto &[name, value] : counters)
    text.append(name).append(" ").append(std::to_string(value)).append("\n");
  Handle file = open_file_for_update(path);
  write_attribute(file, "counters", text);
}

void record_skipped_records(const std::string &path, const std::string &lines) {
  Handle file = open_file_for_update(path);
  Handle set = create_dataset(file, "skipped_records", H5T_NATIVE_UINT8, lines.size());
  write_slab(set, H5T_NATIVE_UINT8, 0, lines.size(), lines.data(), false);
}

} // namespace mr::io
