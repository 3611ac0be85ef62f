// src/io/input_file.cpp: see input_file.h.
#include "io/input_file.h"
#include "io/output_path.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <zlib.h>

#include "core/checksum.h"

namespace mr::io {

namespace fs = std::filesystem;

namespace {
constexpr std::uint64_t kChunk = 1 << 20; // HDF5 chunk of /data
// What import writes; inputs of versions 1 to this one are read.
constexpr std::uint64_t kInputVersion = 3;
// Bytes of /data per checksum: the HDF5 chunk, so a verified read of a task
// reads at most one extra chunk at each end.
constexpr std::uint64_t kChecksumChunk = kChunk;
constexpr std::size_t kReadBlock = 8 << 20; // bytes gathered before an append

/// Appends bytes to /data in large blocks, however small the files are, and
/// checksums every kChecksumChunk of them.
class DataWriter {
public:
  explicit DataWriter(hid_t dataset) : dataset_(dataset) { block_.reserve(kReadBlock); }
  void write(const char *p, std::size_t n) {
    checksum(p, n);
    while (n > 0) {
      const std::size_t take = std::min(n, kReadBlock - block_.size());
      block_.insert(block_.end(), p, p + take);
      p += take;
      n -= take;
      if (block_.size() == kReadBlock)
        flush();
    }
  }
  void flush() {
    if (!block_.empty())
      append(dataset_, H5T_NATIVE_UINT8, block_.data(), block_.size());
    block_.clear();
  }
  /// The checksums of every chunk, the last (short) one included.
  std::vector<std::uint64_t> checksums() {
    if (in_chunk_ > 0)
      sums_.push_back(hash_.digest());
    in_chunk_ = 0;
    return sums_;
  }

private:
  void checksum(const char *p, std::size_t n) {
    while (n > 0) {
      const std::size_t take = std::min<std::uint64_t>(n, kChecksumChunk - in_chunk_);
      hash_.update({p, take});
      in_chunk_ += take;
      p += take;
      n -= take;
      if (in_chunk_ == kChecksumChunk) {
        sums_.push_back(hash_.digest());
        hash_ = core::Hasher();
        in_chunk_ = 0;
      }
    }
  }

  hid_t dataset_;
  std::vector<char> block_;
  core::Hasher hash_;
  std::uint64_t in_chunk_ = 0;
  std::vector<std::uint64_t> sums_;
};

void write_u64s(hid_t loc, const std::string &name, const std::vector<std::uint64_t> &v) {
  Handle ds = create_dataset(loc, name, H5T_STD_U64LE, v.size());
  write_slab(ds, H5T_NATIVE_UINT64, 0, v.size(), v.data(), false);
}

/// The whole of uint64 dataset `name`. (Named apart from output_reader.h's
/// read_u64s: the files of a folder are parsed as one unit by
/// tests/tools/clang_tidy_folders.py and by the sanitizer build, MR_UNITY_LIBS.)
std::vector<std::uint64_t> read_whole_u64s(hid_t loc, const std::string &name) {
  Handle ds = open_dataset(loc, name, Elem::u64);
  std::vector<std::uint64_t> v(dataset_length(ds));
  read_slab(ds, H5T_NATIVE_UINT64, 0, v.size(), v.data());
  return v;
}

/// One file's bytes for import: as they are, or decompressed if it is gzip
/// (its first two bytes 1f 8b) and decompressing was asked for; refused if
/// it is gzip and it was not.
class FileReader {
public:
  FileReader(const std::string &path, bool gunzip) : path_(path) {
    in_.open(path, std::ios::binary);
    if (!in_)
      throw InputError("cannot read '" + path + "': " + std::strerror(errno));
    unsigned char magic[2] = {0, 0};
    in_.read(reinterpret_cast<char *>(magic), 2);
    const bool is_gzip = in_.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    in_.clear();
    in_.seekg(0);
    if (is_gzip && !gunzip)
      throw InputError("'" + path +
                       "' is gzip-compressed: pass --gunzip to import its "
                       "decompressed bytes (its compressed bytes are no text)");
    if (!is_gzip)
      return;
    in_.close();
    gz_ = gzopen(path.c_str(), "rb");
    if (!gz_)
      throw InputError("cannot read '" + path + "': " + std::strerror(errno));
    gzbuffer(gz_, 1 << 20);
  }
  FileReader(const FileReader &) = delete;
  FileReader &operator=(const FileReader &) = delete;
  ~FileReader() {
    if (gz_)
      gzclose(gz_);
  }

  bool gzip() const { return gz_ != nullptr; }
  /// Bytes of the file (as on disk) read so far.
  std::uint64_t consumed() const {
    return gz_ ? static_cast<std::uint64_t>(std::max<z_off_t>(0, gzoffset(gz_))) : read_;
  }

  /// Up to n bytes into dst; 0 at the end. Throws InputError on a read
  /// error, or a gzip stream that is damaged or cut short.
  std::size_t read(char *dst, std::size_t n) {
    if (!gz_) {
      in_.read(dst, static_cast<std::streamsize>(n));
      if (in_.bad())
        throw InputError("error while reading '" + path_ + "'");
      read_ += static_cast<std::uint64_t>(in_.gcount());
      return static_cast<std::size_t>(in_.gcount());
    }
    const int got =
        gzread(gz_, dst, static_cast<unsigned>(std::min<std::size_t>(n, 1 << 30)));
    int code = Z_OK;
    const char *why = gzerror(gz_, &code);
    if (got < 0 || (code != Z_OK && code != Z_BUF_ERROR))
      throw InputError("'" + path_ + "' is not valid gzip: " + why);
    if (got == 0 && code == Z_BUF_ERROR) // zlib: the input ended inside a stream
      throw InputError("'" + path_ +
                       "' is gzip cut short (it ends inside a compressed "
                       "stream)");
    return static_cast<std::size_t>(got);
  }

private:
  std::string path_;
  std::ifstream in_;
  std::uint64_t read_ = 0;
  gzFile gz_ = nullptr;
};

/// Writes the whole input file at `path`.
ImportStats write_input(const std::vector<std::string> &files, const ImportOptions &o,
                        const std::string &path) {
  ImportStats stats;
  Handle file = create_file(path);
  Handle data = create_extendible(file, "data", H5T_NATIVE_UINT8, kChunk);
  DataWriter writer(data);
  InputInfo shape;
  shape.format = o.format;
  shape.record_size = o.record_size;
  const std::unique_ptr<RecordFormat> format = make_record_format(shape);
  std::vector<std::uint64_t> offsets{0};
  std::vector<char> block(1 << 20);
  std::uint64_t on_disk = 0, read_before = 0; // of all files; of the files done
  if (o.progress)
    for (const auto &f : files) {
      std::error_code ec;
      const auto n = fs::file_size(f, ec);
      on_disk += ec ? 0 : n;
    }
  for (const auto &f : files) {
    FileReader in(f, o.gunzip);
    stats.gunzipped += in.gzip() ? 1 : 0;
    char last = '\n';
    std::uint64_t size = 0;
    while (const std::size_t got = in.read(block.data(), block.size())) {
      writer.write(block.data(), got);
      size += got;
      last = block[got - 1];
      if (o.progress)
        o.progress(read_before + in.consumed(), on_disk);
    }
    read_before += in.consumed();
    const std::string_view tail = format->after_file(f, size, last);
    writer.write(tail.data(), tail.size());
    size += tail.size();
    stats.bytes += size;
    offsets.push_back(stats.bytes);
  }
  writer.flush();
  stats.files = files.size();
  write_u64s(file, "checksums", writer.checksums());

  Handle group = create_group(file, "files");
  std::vector<char> names;
  std::vector<std::uint64_t> name_offsets{0};
  for (const auto &f : files) {
    names.insert(names.end(), f.begin(), f.end());
    name_offsets.push_back(names.size());
  }
  Handle names_ds = create_dataset(group, "name_bytes", H5T_STD_U8LE, names.size());
  write_slab(names_ds, H5T_NATIVE_UINT8, 0, names.size(), names.data(), false);
  write_u64s(group, "name_offsets", name_offsets);
  write_u64s(group, "offsets", offsets);

  write_attribute(file, "mapreduce_input_version", kInputVersion);
  write_attribute(file, "checksum", std::string("xxh3-64"));
  write_attribute(file, "checksum_chunk_bytes", kChecksumChunk);
  write_attribute(file, "format", format_name(o.format));
  if (o.record_size != 0) // the format's parameter
    write_attribute(file, "record_size", o.record_size);
  write_attribute(file, "files", stats.files);
  write_attribute(file, "bytes", stats.bytes);
  return stats;
}

/// The file table of a version 1 input: fixed-length strings.
void read_fixed_names(hid_t group, InputInfo &info) {
  Handle ds = open_dataset(group, "names", Elem::fixed_string);
  Handle type(check(H5Dget_type(ds), "H5Dget_type"), H5Tclose);
  const std::size_t width = H5Tget_size(type);
  const std::uint64_t n = dataset_length(ds);
  std::vector<char> raw(width * n);
  if (n > 0)
    check(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), "H5Dread");
  for (std::uint64_t i = 0; i < n; ++i) {
    const char *s = raw.data() + i * width;
    const std::size_t len = strnlen(s, width);
    info.name_bytes.insert(info.name_bytes.end(), s, s + len);
    info.name_offsets.push_back(info.name_bytes.size());
  }
}

} // namespace

ImportStats import_files(const std::vector<std::string> &files, const ImportOptions &o) {
  if (files.empty())
    throw InputError("no input files to import");
  if (o.format == InputFormat::records && o.record_size == 0)
    throw InputError("--format records needs --record-size N (bytes per record)");
  for (const auto &f : files) {
    std::error_code ec;
    if (!fs::exists(f, ec))
      throw InputError("input file '" + f + "' does not exist");
    if (fs::is_directory(f, ec))
      throw InputError("input '" + f + "' is a folder, not a file");
  }
  check_output_path(o.output, o.overwrite);

  const std::string tmp = partial_name(o.output);
  ImportStats stats;
  try {
    stats = write_input(files, o, tmp);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec); // never leave a half-written input behind
    throw;
  }
  commit_file(tmp, o.output);
  return stats;
}

InputFile InputFile::open(const std::string &path, MPI_Comm comm) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw InputError("input '" + path + "' does not exist");
  if (!is_hdf5(path))
    throw InputError("input '" + path +
                     "' is not an HDF5 file (make one with 'mapreduce import')");
  InputFile in;
  in.file_ = open_file(path, comm);
  if (!has_link(in.file_, "data"))
    throw InputError("input '" + path +
                     "' has no dataset /data: it is not a mapreduce input "
                     "(make one with 'mapreduce import')");
  const std::uint64_t version =
      H5Aexists(in.file_, "mapreduce_input_version") > 0
          ? read_u64_attribute(in.file_, "mapreduce_input_version")
          : 0;
  if (version < 1 || version > kInputVersion)
    throw InputError("input '" + path + "' is of version " + std::to_string(version) +
                     "; this version of mapreduce reads inputs of versions 1 to " +
                     std::to_string(kInputVersion) + " (import the files again)");
  in.data_ = open_dataset(in.file_, "data", Elem::u8);
  in.size_ = dataset_length(in.data_);
  InputInfo &info = in.info_;
  const std::string format = H5Aexists(in.file_, "format") > 0
                                 ? read_string_attribute(in.file_, "format")
                                 : std::string("lines");
  try {
    info.format = format_named(format);
  } catch (const InputError &e) {
    throw InputError("input '" + path + "': " + e.what());
  }
  if (H5Aexists(in.file_, "record_size") > 0)
    info.record_size = read_u64_attribute(in.file_, "record_size");
  in.format_ = make_record_format(info);
  in.format_->check_input(path, in.size_);
  if (!has_link(in.file_, "files"))
    throw InputError("input '" + path + "' has no /files table");
  Handle group = open_group(in.file_, "files");
  if (has_link(group, "name_bytes")) {
    Handle ds = open_dataset(group, "name_bytes", Elem::u8);
    info.name_bytes.resize(dataset_length(ds));
    read_slab(ds, H5T_NATIVE_UINT8, 0, info.name_bytes.size(), info.name_bytes.data());
    info.name_offsets = read_whole_u64s(group, "name_offsets");
  } else {
    read_fixed_names(group, info);
  }
  info.file_offsets = read_whole_u64s(group, "offsets");
  const auto &fo = info.file_offsets, &no = info.name_offsets;
  if (fo.empty() || fo.front() != 0 || fo.back() != in.size_ ||
      !std::is_sorted(fo.begin(), fo.end()) || no.size() != fo.size() ||
      no.front() != 0 || no.back() != info.name_bytes.size() ||
      !std::is_sorted(no.begin(), no.end()))
    throw InputError("input '" + path + "': its file table is inconsistent with /data");
  in.path_ = path;
  if (has_link(in.file_, "checksums")) {
    const std::uint64_t chunk = H5Aexists(in.file_, "checksum_chunk_bytes") > 0
                                    ? read_u64_attribute(in.file_, "checksum_chunk_bytes")
                                    : 0;
    if (chunk == 0 || chunk > (1ull << 30))
      throw InputError("input '" + path + "': its checksum chunk size (" +
                       std::to_string(chunk) + ") is not valid");
    Handle ds = open_dataset(in.file_, "checksums", Elem::u64);
    if (dataset_length(ds) != (in.size_ + chunk - 1) / chunk)
      throw InputError("input '" + path + "': its checksum table does not match /data");
    in.checksum_chunk_ = chunk;
    in.checksums_ = read_whole_u64s(in.file_, "checksums");
  }
  return in;
}

std::string InputFile::files_between(std::uint64_t begin, std::uint64_t end) const {
  const auto &fo = info_.file_offsets;
  std::string names;
  int listed = 0;
  for (std::size_t i = 0; i + 1 < fo.size(); ++i)
    if (fo[i] < end && fo[i + 1] > begin) {
      if (listed++ == 3) {
        names += ", ...";
        break;
      }
      names += (names.empty() ? "'" : ", '") + std::string(info_.file_name(i)) + "'";
    }
  return names.empty() ? "no file" : names;
}

void InputFile::verify_chunk(std::uint64_t k, const char *bytes, std::uint64_t n) const {
  check_chunk(k, core::xxh3({bytes, n}), n);
}

void InputFile::check_chunk(std::uint64_t k, std::uint64_t hash, std::uint64_t n) const {
  if (hash == checksums_[k])
    return;
  const std::uint64_t begin = k * checksum_chunk_;
  throw InputError(
      "input '" + path_ + "' is damaged: bytes " + std::to_string(begin) + ".." +
      std::to_string(begin + n) + " do not match their checksum; they hold " +
      files_between(begin, begin + n) + " (import the original files again)");
}

void InputFile::read_verified(std::uint64_t offset, std::uint64_t count,
                              char *dst) const {
  if (!verifiable() || count == 0) {
    read(offset, count, dst);
    return;
  }
  if (offset > size_ || count > size_ - offset)
    throw InputError("read past the end of the input");
  // Whole chunks inside the range are read into dst and checked there; the
  // chunks at its edges are read whole into scratch space to be checked.
  const std::uint64_t C = checksum_chunk_, end = offset + count;
  std::uint64_t k = offset / C;
  const std::uint64_t last = (end - 1) / C;
  std::vector<char> edge;
  while (k <= last) {
    const std::uint64_t cb = k * C, ce = std::min(cb + C, size_);
    if (cb >= offset && ce <= end) {
      std::uint64_t k2 = k;
      while (k2 + 1 <= last && std::min((k2 + 2) * C, size_) <= end)
        ++k2;
      const std::uint64_t re = std::min((k2 + 1) * C, size_);
      read_slab(data_, H5T_NATIVE_UINT8, cb, re - cb, dst + (cb - offset));
      for (std::uint64_t j = k; j <= k2; ++j)
        verify_chunk(j, dst + (j * C - offset), std::min(C, size_ - j * C));
      k = k2 + 1;
    } else {
      // An edge chunk: read and hashed in pieces (a task's memory need not
      // hold a whole chunk), its bytes inside the range copied out.
      constexpr std::uint64_t kPiece = 128 << 10;
      edge.resize(std::min(kPiece, ce - cb));
      core::Hasher hash;
      for (std::uint64_t pb = cb; pb < ce; pb += kPiece) {
        const std::uint64_t pe = std::min(pb + kPiece, ce);
        read_slab(data_, H5T_NATIVE_UINT8, pb, pe - pb, edge.data());
        hash.update({edge.data(), pe - pb});
        const std::uint64_t from = std::max(pb, offset), to = std::min(pe, end);
        if (from < to)
          std::memcpy(dst + (from - offset), edge.data() + (from - pb), to - from);
      }
      check_chunk(k, hash.digest(), ce - cb);
      ++k;
    }
  }
}

void InputFile::read(std::uint64_t offset, std::uint64_t count, char *dst) const {
  if (offset > size_ || count > size_ - offset)
    throw InputError("read past the end of the input");
  read_slab(data_, H5T_NATIVE_UINT8, offset, count, dst);
}

} // namespace mr::io
