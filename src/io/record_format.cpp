// src/io/record_format.cpp: see record_format.h. The built-in formats, and
// the registry that finds them.
#include "io/record_format.h"

#include <algorithm>
#include <map>

#include "io/input_error.h"

namespace mr::io {

FileTracker::FileTracker(const RecordBytes &in)
    : in_(in), starts_(in.info->file_offsets), files_(in.info->files()) {
  // The file of the first record; for_each moves on as records cross starts.
  const std::size_t f = static_cast<std::size_t>(
      std::upper_bound(starts_.begin(), starts_.end(), in.offset) - starts_.begin());
  file_ = f == 0 ? 0 : std::min(f - 1, files_ == 0 ? 0 : files_ - 1);
}

namespace {

/// A record is a line, without its "\n" or "\r\n".
class LinesFormat : public RecordFormat {
public:
  std::uint64_t for_each(const RecordBytes &in,
                         const std::function<void(const Record &)> &f) const override {
    FileTracker files(in);
    return core::for_each_line(in.bytes,
                               [&](std::string_view line) { f(files.at(line)); });
  }
  std::uint64_t next_start(std::uint64_t pos, std::uint64_t size,
                           const core::ReadBytes &read) const override {
    return core::next_line_start(pos, size, read);
  }
  /// The line that starts first at or after each of `want` random positions
  /// (at most 64 KiB of it: enough for a sample key).
  std::vector<ByteRange> sample(std::uint64_t size, std::uint64_t want,
                                const std::function<std::uint64_t()> &random,
                                const core::ReadBytes &read) const override {
    std::vector<ByteRange> out;
    if (size == 0)
      return out;
    std::vector<std::uint64_t> positions;
    for (std::uint64_t i = 0; i < want; ++i)
      positions.push_back(random() % size);
    std::sort(positions.begin(), positions.end());
    std::vector<char> window;
    for (std::uint64_t pos : positions) {
      const std::uint64_t start = core::next_line_start(pos, size, read, 4096);
      if (start >= size)
        continue;
      window.resize(std::min<std::uint64_t>(64 * 1024, size - start));
      read(start, window.size(), window.data());
      auto nl = std::find(window.begin(), window.end(), '\n');
      const std::uint64_t len =
          static_cast<std::uint64_t>(nl - window.begin()) + (nl == window.end() ? 0 : 1);
      out.emplace_back(start, start + len);
    }
    return out;
  }
  std::string_view after_file(const std::string &, std::uint64_t,
                              char last) const override {
    return last == '\n' ? "" : "\n";
  }
};

/// A record is a line cut at its first TAB: the key before it, the value
/// after it (which may hold more TABs). A line without a TAB is all key,
/// with an empty value (as Hadoop's KeyValueTextInputFormat reads it).
class TsvFormat : public LinesFormat {
public:
  std::uint64_t for_each(const RecordBytes &in,
                         const std::function<void(const Record &)> &f) const override {
    FileTracker files(in);
    return core::for_each_line(in.bytes, [&](std::string_view line) {
      Record r = files.at(line);
      const std::size_t tab = line.find('\t');
      if (tab != std::string_view::npos) {
        r.bytes = line.substr(0, tab);
        r.value = line.substr(tab + 1);
      }
      f(r);
    });
  }
};

/// A record is `record_size` bytes, as they are.
class RecordsFormat : public RecordFormat {
public:
  explicit RecordsFormat(std::uint64_t size) : size_(size) {}
  std::uint64_t for_each(const RecordBytes &in,
                         const std::function<void(const Record &)> &f) const override {
    FileTracker files(in);
    std::uint64_t n = 0;
    for (std::size_t at = 0; at + size_ <= in.bytes.size(); at += size_, ++n)
      f(files.at(in.bytes.substr(at, size_)));
    return n;
  }
  std::uint64_t next_start(std::uint64_t pos, std::uint64_t size,
                           const core::ReadBytes &) const override {
    return std::min(pos + (size_ - pos % size_) % size_, size);
  }
  std::uint64_t task_size(std::uint64_t split) const override {
    return std::max(split / size_, std::uint64_t{1}) * size_;
  }
  /// `want` records drawn at random (every record when there are fewer).
  std::vector<ByteRange> sample(std::uint64_t size, std::uint64_t want,
                                const std::function<std::uint64_t()> &random,
                                const core::ReadBytes &) const override {
    const std::uint64_t n = size / size_;
    std::vector<std::uint64_t> picks;
    if (n <= want) {
      for (std::uint64_t i = 0; i < n; ++i)
        picks.push_back(i);
    } else {
      for (std::uint64_t i = 0; i < want; ++i)
        picks.push_back(random() % n);
      std::sort(picks.begin(), picks.end()); // read in input order
    }
    std::vector<ByteRange> out;
    for (std::uint64_t i : picks)
      out.emplace_back(i * size_, (i + 1) * size_);
    return out;
  }
  std::string_view after_file(const std::string &path, std::uint64_t size,
                              char) const override {
    if (size % size_ != 0)
      throw InputError("'" + path + "' has " + std::to_string(size) +
                       " bytes, not a multiple of the record size " +
                       std::to_string(size_));
    return "";
  }
  void check_input(const std::string &path, std::uint64_t size) const override {
    if (size_ == 0 || size % size_ != 0)
      throw InputError("input '" + path + "': record_size " + std::to_string(size_) +
                       " does not divide its " + std::to_string(size) + " bytes");
  }

private:
  std::uint64_t size_;
};

struct Entry {
  InputFormat format;
  std::string name;
  RecordFormatFactory make;
};

std::vector<Entry> &registry() {
  static std::vector<Entry> entries = [] {
    std::vector<Entry> e;
    e.push_back({InputFormat::lines, "lines",
                 [](const InputInfo &) { return std::make_unique<LinesFormat>(); }});
    e.push_back({InputFormat::records, "records", [](const InputInfo &info) {
                   return std::make_unique<RecordsFormat>(info.record_size);
                 }});
    e.push_back({InputFormat::pairs, "tsv",
                 [](const InputInfo &) { return std::make_unique<TsvFormat>(); }});
    return e;
  }();
  return entries;
}

const Entry *find(InputFormat f) {
  for (const Entry &e : registry())
    if (e.format == f)
      return &e;
  return nullptr;
}

} // namespace

bool register_record_format(InputFormat format, const std::string &name,
                            RecordFormatFactory make) {
  for (const Entry &e : registry())
    if (e.format == format || e.name == name)
      return false;
  registry().push_back({format, name, std::move(make)});
  return true;
}

std::unique_ptr<RecordFormat> make_record_format(const InputInfo &info) {
  const Entry *e = find(info.format);
  if (!e)
    throw InputError("unknown input format " +
                     std::to_string(static_cast<int>(info.format)));
  return e->make(info);
}

std::string describe_format(InputFormat f) {
  switch (f) {
  case InputFormat::lines:
    return "lines";
  case InputFormat::records:
    return "fixed-size records";
  case InputFormat::pairs:
    return "key/value pairs";
  }
  return format_name(f);
}

std::string format_name(InputFormat f) {
  const Entry *e = find(f);
  return e ? e->name : "format " + std::to_string(static_cast<int>(f));
}

std::vector<std::string> format_names() {
  std::vector<std::string> names;
  for (const Entry &e : registry())
    names.push_back(e.name);
  return names;
}

InputFormat format_named(const std::string &name) {
  std::string known;
  for (const Entry &e : registry()) {
    if (e.name == name)
      return e.format;
    known += (known.empty() ? "'" : ", '") + e.name + "'";
  }
  throw InputError("format '" + name + "' is not one this version reads (" + known + ")");
}

} // namespace mr::io
