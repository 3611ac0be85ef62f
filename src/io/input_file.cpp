// src/io/input_file.cpp: see input_file.h.
#include "io/input_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace mr::io {

namespace fs = std::filesystem;

namespace {
constexpr std::uint64_t kChunk = 1 << 20;   // HDF5 chunk of /data
constexpr std::size_t kReadBlock = 8 << 20; // bytes read from a text file at once
} // namespace

std::string partial_name(const std::string &path) {
  return path + ".partial";
}

void commit_file(const std::string &from, const std::string &to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec)
    throw InputError("cannot rename '" + from + "' to '" + to + "': " + ec.message());
}

void check_output_path(const std::string &output, bool overwrite) {
  if (output.empty())
    throw InputError("the output path is empty");
  fs::path p(output);
  fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw InputError("output folder '" + dir.string() + "' does not exist");
  if (fs::is_directory(p, ec))
    throw InputError("output '" + output + "' is a folder");
  if (fs::exists(p, ec) && !overwrite)
    throw InputError("output '" + output + "' exists; pass --overwrite to replace it");
}

ImportStats import_lines(const std::vector<std::string> &files, const std::string &output,
                         bool overwrite) {
  if (files.empty())
    throw InputError("no input files to import");
  for (const auto &f : files) {
    std::error_code ec;
    if (!fs::exists(f, ec))
      throw InputError("input file '" + f + "' does not exist");
    if (fs::is_directory(f, ec))
      throw InputError("input '" + f + "' is a folder, not a file");
  }
  check_output_path(output, overwrite);

  const std::string tmp = partial_name(output);
  ImportStats stats;
  {
    Handle file = create_file(tmp);
    Handle data = create_extendible(file, "data", H5T_NATIVE_UINT8, kChunk);
    std::vector<std::uint64_t> offsets{0};
    std::vector<char> block(kReadBlock);
    for (const auto &f : files) {
      std::ifstream in(f, std::ios::binary);
      if (!in)
        throw InputError("cannot read '" + f + "': " + std::strerror(errno));
      char last = '\n';
      while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        const std::size_t got = static_cast<std::size_t>(in.gcount());
        if (got == 0)
          break;
        append(data, H5T_NATIVE_UINT8, block.data(), got);
        stats.bytes += got;
        last = block[got - 1];
      }
      if (in.bad())
        throw InputError("error while reading '" + f + "'");
      if (last != '\n') { // so words never join across files, as `awk 1` does
        append(data, H5T_NATIVE_UINT8, "\n", 1);
        ++stats.bytes;
      }
      offsets.push_back(stats.bytes);
    }
    stats.files = files.size();

    Handle group(check(H5Gcreate2(file, "files", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                       "H5Gcreate2"),
                 H5Gclose);
    std::size_t width = 1;
    for (const auto &f : files)
      width = std::max(width, f.size());
    std::vector<char> names(width * files.size(), '\0');
    for (std::size_t i = 0; i < files.size(); ++i)
      std::memcpy(names.data() + i * width, files[i].data(), files[i].size());
    Handle str(check(H5Tcopy(H5T_C_S1), "H5Tcopy"), H5Tclose);
    check(H5Tset_size(str, width), "H5Tset_size");
    Handle names_ds = create_dataset(group, "names", str, files.size());
    write_slab(names_ds, str, 0, files.size(), names.data(), false);
    Handle offsets_ds = create_dataset(group, "offsets", H5T_STD_U64LE, offsets.size());
    write_slab(offsets_ds, H5T_NATIVE_UINT64, 0, offsets.size(), offsets.data(), false);

    write_attribute(file, "mapreduce_input_version", std::uint64_t{1});
    write_attribute(file, "format", std::string("lines"));
    write_attribute(file, "files", stats.files);
    write_attribute(file, "bytes", stats.bytes);
  }
  commit_file(tmp, output);
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
  in.data_ = open_dataset(in.file_, "data");
  auto [cls, size] = dataset_type(in.data_);
  if (cls != H5T_INTEGER || size != 1)
    throw InputError("input '" + path + "': /data is not a dataset of bytes");
  try {
    in.size_ = dataset_length(in.data_);
  } catch (const H5Error &) {
    throw InputError("input '" + path + "': /data is not one-dimensional");
  }
  in.format_ = "lines";
  if (H5Aexists(in.file_, "format") > 0)
    in.format_ = read_string_attribute(in.file_, "format");
  if (in.format_ != "lines")
    throw InputError("input '" + path + "' has format '" + in.format_ +
                     "'; this version reads only 'lines'");
  return in;
}

void InputFile::read(std::uint64_t offset, std::uint64_t count, char *dst) const {
  if (offset + count > size_)
    throw InputError("read past the end of the input");
  read_slab(data_, H5T_NATIVE_UINT8, offset, count, dst);
}

} // namespace mr::io
