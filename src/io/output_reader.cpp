// src/io/output_reader.cpp: see output_reader.h.
#include "io/output_reader.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "core/checksum.h"
#include "io/h5.h"
#include "io/input_error.h"
#include "io/partition_hasher.h"

namespace mr::io {

std::vector<std::uint64_t> read_u64s(hid_t file, const std::string &name,
                                     std::uint64_t at, std::uint64_t n) {
  Handle ds = open_dataset(file, name, Elem::u64);
  const std::uint64_t len = dataset_length(ds);
  if (n == ~0ull)
    n = len - std::min(at, len);
  if (at > len || n > len - at)
    throw InputError("/" + name + " is shorter than its index says");
  std::vector<std::uint64_t> v(n);
  read_slab(ds, H5T_NATIVE_UINT64, at, n, v.data());
  return v;
}

namespace {

std::vector<char> read_bytes(hid_t file, const std::string &name) {
  Handle ds = open_dataset(file, name, Elem::u8);
  std::vector<char> v(dataset_length(ds));
  read_slab(ds, H5T_NATIVE_UINT8, 0, v.size(), v.data());
  return v;
}

std::string string_attribute_or(hid_t file, const char *name, const char *fallback) {
  return H5Aexists(file, name) > 0 ? read_string_attribute(file, name)
                                   : std::string(fallback);
}

} // namespace

Handle open_output(const std::string &path, OutputMeta &meta, MPI_Comm comm) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw InputError("'" + path + "' does not exist");
  if (!is_hdf5(path))
    throw InputError("'" + path + "' is not an HDF5 file");
  Handle file = open_file(path, comm);
  for (const char *name : {"keys", "key_offsets", "values", "partition_offsets"})
    if (!has_link(file, name))
      throw InputError("'" + path + "' has no dataset /" + name +
                       ": it is not a mapreduce output");
  const std::uint64_t version = H5Aexists(file, "mapreduce_output_version") > 0
                                    ? read_u64_attribute(file, "mapreduce_output_version")
                                    : 0;
  if (version < 1 || version > kOutputVersion)
    throw InputError("'" + path + "' is an output of version " + std::to_string(version) +
                     "; this version of mapreduce reads outputs of versions 1 to " +
                     std::to_string(kOutputVersion));
  meta.job = read_string_attribute(file, "job");
  meta.parameters = read_string_attribute(file, "parameters");
  meta.input = read_string_attribute(file, "input");
  meta.reducers = read_u64_attribute(file, "reducers");
  const std::string value_type = read_string_attribute(file, "value_type");
  if (value_type != "uint64" && value_type != "bytes")
    throw InputError("'" + path + "' has values of type '" + value_type +
                     "', which this version does not know");
  meta.uint64_values = value_type == "uint64";
  meta.export_format = string_attribute_or(file, "export_format", "key_tab_value");
  meta.partitioning = string_attribute_or(file, "partitioning", "hash");
  meta.fingerprint = string_attribute_or(file, "fingerprint", "");
  meta.split_size =
      H5Aexists(file, "split_size") > 0 ? read_u64_attribute(file, "split_size") : 0;
  meta.counters_recorded = H5Aexists(file, "counters") > 0;
  if (meta.counters_recorded) {
    std::istringstream lines(read_string_attribute(file, "counters"));
    std::string name;
    std::uint64_t value = 0;
    while (lines >> name >> value)
      meta.counters[name] = value;
  }
  meta.version = version;
  return file;
}

OutputFile read_output(const std::string &path) {
  OutputFile out;
  Handle file = open_output(path, out.meta);
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

// ---- OutputReader: one cursor per partition, each holding a chunk of rows.

struct OutputReader::Impl {
  Handle file, keys, key_offsets, values, value_offsets;
  std::uint64_t key_bytes = 0, value_bytes = 0;
  bool uint64_values = false;
  std::string path;
  bool verifiable = false;
  std::vector<std::uint64_t> checksums;

  /// Rows [row, end) of one partition, read a chunk at a time.
  struct Cursor {
    std::uint64_t row = 0, end = 0;    // next row to load, end of partition
    std::vector<std::uint64_t> ko, vo; // offsets of the loaded rows (n+1)
    std::vector<char> k, v;
    std::size_t at = 0, n = 0; // current row within the loaded chunk
    std::string_view key() const { return key_at(at); }
    std::string_view key_at(std::size_t i) const {
      return {k.data() + (ko[i] - ko[0]), ko[i + 1] - ko[i]};
    }
    std::string_view value() const {
      return {v.data() + (vo[at] - vo[0]), vo[at + 1] - vo[at]};
    }
  };

  void fail(const std::string &what) const {
    throw InputError("'" + path + "' is inconsistent: " + what);
  }

  std::vector<std::uint64_t> offsets(hid_t ds, std::uint64_t at, std::uint64_t n,
                                     std::uint64_t limit) const {
    std::vector<std::uint64_t> v(n);
    read_slab(ds, H5T_NATIVE_UINT64, at, n, v.data());
    for (std::size_t i = 0; i < n; ++i)
      if ((i > 0 && v[i] < v[i - 1]) || v[i] > limit)
        fail("offsets are not increasing within their data");
    return v;
  }

  /// Loads the next rows of `c`: as many as fit in `chunk_bytes` of keys
  /// and values (at least one), reading offsets for at most chunk_bytes / 16
  /// rows (4096 at most). False at the end.
  bool load(Cursor &c, std::uint64_t chunk_bytes) const {
    if (c.row >= c.end)
      return false;
    const std::uint64_t max_rows = std::clamp<std::uint64_t>(chunk_bytes / 16, 1, 4096);
    const std::uint64_t want = std::min<std::uint64_t>(c.end - c.row, max_rows);
    c.ko = offsets(key_offsets, c.row, want + 1, key_bytes);
    if (uint64_values) {
      c.vo.resize(want + 1);
      for (std::uint64_t i = 0; i <= want; ++i)
        c.vo[i] = 8 * (c.row + i);
    } else {
      c.vo = offsets(value_offsets, c.row, want + 1, value_bytes);
    }
    std::uint64_t n = 1;
    while (n < want && (c.ko[n + 1] - c.ko[0]) + (c.vo[n + 1] - c.vo[0]) <= chunk_bytes)
      ++n;
    c.ko.resize(n + 1);
    c.vo.resize(n + 1);
    c.k.resize(c.ko[n] - c.ko[0]);
    read_slab(keys, H5T_NATIVE_UINT8, c.ko[0], c.k.size(), c.k.data());
    if (uint64_values) {
      std::vector<std::uint64_t> raw(n);
      read_slab(values, H5T_NATIVE_UINT64, c.row, n, raw.data());
      c.v.resize(8 * n);
      for (std::uint64_t i = 0; i < n; ++i)
        for (int b = 0; b < 8; ++b)
          c.v[8 * i + b] = static_cast<char>((raw[i] >> (8 * b)) & 0xff);
    } else {
      c.v.resize(c.vo[n] - c.vo[0]);
      read_slab(values, H5T_NATIVE_UINT8, c.vo[0], c.v.size(), c.v.data());
    }
    c.row += n;
    c.at = 0;
    c.n = n;
    return true;
  }

  /// Moves `c` to its next row; false when the partition is done. With
  /// `in_order`, refuses rows out of key byte order (a run writes every
  /// partition sorted: a merge of unsorted ones would print them unsorted).
  bool advance(Cursor &c, std::uint64_t chunk_bytes, bool in_order = true) const {
    if (!in_order)
      return ++c.at < c.n || load(c, chunk_bytes);
    if (++c.at < c.n) {
      if (c.key() < c.key_at(c.at - 1))
        out_of_order(c.row - c.n + c.at);
      return true;
    }
    const std::string last(c.key_at(c.n - 1));
    if (!load(c, chunk_bytes))
      return false;
    if (c.key() < std::string_view(last))
      out_of_order(c.row - c.n);
    return true;
  }

  /// The first row of a loaded chunk out of order (the first compared with
  /// `last`, the key before the chunk, unless `first`), or ~0.
  std::uint64_t unordered_row(const Cursor &c, std::string &last, bool first) const {
    std::uint64_t bad = ~0ull;
    for (std::size_t i = 0; i < c.n && bad == ~0ull; ++i) {
      const std::string_view key = c.key_at(i);
      if ((i > 0 && key < c.key_at(i - 1)) || (i == 0 && !first && key < last))
        bad = c.row - c.n + i;
    }
    if (c.n > 0)
      last.assign(c.key_at(c.n - 1));
    return bad;
  }

  [[noreturn]] void out_of_order(std::uint64_t row) const {
    throw InputError("'" + path + "' is damaged: row " + std::to_string(row) +
                     " is out of order (its key sorts before the previous row's)");
  }
};

OutputReader::OutputReader(const std::string &path) : impl_(new Impl) {
  try {
    Impl &m = *impl_;
    m.path = path;
    m.file = open_output(path, meta_);
    m.uint64_values = meta_.uint64_values;
    m.keys = open_dataset(m.file, "keys", Elem::u8);
    m.key_offsets = open_dataset(m.file, "key_offsets", Elem::u64);
    m.values = open_dataset(m.file, "values", m.uint64_values ? Elem::u64 : Elem::u8);
    m.key_bytes = dataset_length(m.keys);
    const std::uint64_t offsets_len = dataset_length(m.key_offsets);
    if (offsets_len == 0)
      m.fail("/key_offsets is empty");
    rows_ = offsets_len - 1;
    if (m.uint64_values) {
      if (dataset_length(m.values) != rows_)
        m.fail("/values does not hold one value per row");
    } else {
      if (!has_link(m.file, "value_offsets"))
        throw InputError("'" + path + "' has no dataset /value_offsets");
      m.value_offsets = open_dataset(m.file, "value_offsets", Elem::u64);
      m.value_bytes = dataset_length(m.values);
      if (dataset_length(m.value_offsets) != rows_ + 1)
        m.fail("/value_offsets does not match /key_offsets");
    }
    partitions_ = read_u64s(m.file, "partition_offsets");
    if (partitions_.empty() || partitions_.front() != 0 || partitions_.back() != rows_ ||
        !std::is_sorted(partitions_.begin(), partitions_.end()))
      m.fail("/partition_offsets does not cover the rows");
    if (partitions_.size() - 1 > kMaxPartitions)
      m.fail(std::to_string(partitions_.size() - 1) +
             " partitions, more than a run ever writes (" +
             std::to_string(kMaxPartitions) + ")");
    if (has_link(m.file, "partition_checksums")) {
      m.checksums = read_u64s(m.file, "partition_checksums");
      if (m.checksums.size() != partitions_.size() - 1)
        m.fail("/partition_checksums does not have one checksum per partition");
      m.verifiable = true;
    }
  } catch (...) {
    delete impl_;
    throw;
  }
}

OutputReader::~OutputReader() {
  delete impl_;
}

bool OutputReader::verifiable() const {
  return impl_->verifiable;
}

void OutputReader::verify(
    std::uint64_t budget,
    const std::function<void(std::uint64_t done, std::uint64_t total)> &progress) const {
  const Impl &m = *impl_;
  if (!m.verifiable)
    return;
  // A chunk's key and value bytes and both offset arrays: about 4 x chunk.
  const std::uint64_t kChunkBytes =
      std::clamp<std::uint64_t>(budget / 4, 4096, std::uint64_t{8} << 20);
  for (std::size_t p = 0; p + 1 < partitions_.size(); ++p) {
    Impl::Cursor c;
    c.row = partitions_[p];
    c.end = partitions_[p + 1];
    PartitionHasher h;
    bool first = true;
    std::uint64_t k0 = 0, v0 = 0;
    std::string last;
    std::uint64_t unordered = ~0ull; // reported once the checksum matches
    while (m.load(c, kChunkBytes)) {
      unordered = std::min(unordered, m.unordered_row(c, last, first));
      if (first) {
        k0 = c.ko[0];
        v0 = c.vo[0];
      }
      const std::size_t skip = first ? 0 : 1; // the first offset ended the last chunk
      h.keys({c.k.data(), c.k.size()});
      h.values({c.v.data(), c.v.size()});
      h.key_offsets(c.ko.data() + skip, c.ko.size() - skip, k0);
      h.value_offsets(c.vo.data() + skip, c.vo.size() - skip, v0);
      first = false;
    }
    if (first) { // an empty partition: one offset, 0
      const std::uint64_t zero = 0;
      h.key_offsets(&zero, 1, 0);
      h.value_offsets(&zero, 1, 0);
    }
    if (h.digest() != m.checksums[p])
      throw InputError("'" + m.path + "' is damaged: partition " + std::to_string(p) +
                       " (rows " + std::to_string(partitions_[p]) + ".." +
                       std::to_string(partitions_[p + 1]) +
                       ") does not match its checksum");
    if (unordered != ~0ull)
      m.out_of_order(unordered);
    if (progress)
      progress(partitions_[p + 1], partitions_.back());
  }
}

void OutputReader::for_each_row_in_chunks(
    const std::function<void(std::string_view, std::string_view)> &f,
    std::uint64_t chunk_bytes) const {
  using Cursor = Impl::Cursor;
  const std::size_t P = partitions_.size() - 1;
  std::vector<Cursor> cursors(P);
  // A min-heap of partitions by current key (ties: lower partition first).
  std::vector<std::size_t> heap;
  auto after = [&](std::size_t a, std::size_t b) {
    const auto ka = cursors[a].key(), kb = cursors[b].key();
    return ka != kb ? ka > kb : a > b;
  };
  for (std::size_t p = 0; p < P; ++p) {
    cursors[p].row = partitions_[p];
    cursors[p].end = partitions_[p + 1];
    if (impl_->load(cursors[p], chunk_bytes))
      heap.push_back(p);
  }
  std::make_heap(heap.begin(), heap.end(), after);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), after);
    const std::size_t p = heap.back();
    f(cursors[p].key(), cursors[p].value());
    if (impl_->advance(cursors[p], chunk_bytes))
      std::push_heap(heap.begin(), heap.end(), after);
    else
      heap.pop_back();
  }
}

void OutputReader::for_each_row(
    const std::function<void(std::string_view, std::string_view)> &f,
    std::uint64_t budget) const {
  const std::uint64_t partitions = std::max<std::uint64_t>(1, partitions_.size() - 1);
  for_each_row_in_chunks(f, std::max<std::uint64_t>(4096, budget / 2 / partitions));
}

void OutputReader::for_each_stored_row(
    const std::function<void(std::string_view, std::string_view)> &f) const {
  Impl::Cursor c;
  c.row = 0;
  c.end = rows_;
  // Rows in stored order: across partitions (hash partitioning) keys may
  // go back.
  for (bool more = impl_->load(c, 1 << 20); more;
       more = impl_->advance(c, 1 << 20, false))
    f(c.key(), c.value());
}

} // namespace mr::io
