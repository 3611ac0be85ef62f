// src/cli/validate_sort.cpp: see validate_sort.h.
#include "cli/validate_sort.h"

#include <zlib.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/verify.h"
#include "io/input_file.h"
#include "io/output_reader.h"

namespace mr::cli {

namespace {

__extension__ typedef unsigned __int128 u128; // GCC and Clang have it

/// Record count and the sum of their CRC-32s (128 bits: never overflows).
struct Tally {
  std::uint64_t records = 0;
  u128 checksum = 0;
  void add(std::string_view record) {
    ++records;
    checksum += crc32(0, reinterpret_cast<const Bytef *>(record.data()),
                      static_cast<uInt>(record.size()));
  }
  std::string hex() const {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    u128 v = checksum;
    do {
      s.insert(s.begin(), digits[static_cast<int>(v & 0xf)]);
      v >>= 4;
    } while (v != 0);
    return s;
  }
};

Tally tally_input(const std::string &path) {
  io::InputFile in = io::InputFile::open(path);
  const InputInfo &info = in.info();
  if (info.format != InputFormat::records)
    throw io::InputError("input '" + path + "' holds lines, not fixed-size records");
  const std::uint64_t size = info.record_size;
  const std::uint64_t per_read = std::max<std::uint64_t>(1, (8 << 20) / size) * size;
  std::vector<char> buf;
  Tally t;
  for (std::uint64_t at = 0; at < in.size(); at += buf.size()) {
    buf.resize(std::min(per_read, in.size() - at));
    in.read(at, buf.size(), buf.data());
    for (std::size_t r = 0; r < buf.size(); r += size)
      t.add({buf.data() + r, size});
  }
  return t;
}

} // namespace

int validate_sort(const std::string &output, const std::string &input, std::FILE *out) {
  io::OutputReader reader(output);
  verify_before_printing(reader, output);
  Tally t;
  std::string previous;
  std::uint64_t unordered = 0, first_unordered = 0;
  reader.for_each_stored_row([&](std::string_view key, std::string_view) {
    if (t.records > 0 && key < std::string_view(previous)) {
      if (unordered++ == 0)
        first_unordered = t.records;
    }
    previous.assign(key);
    t.add(key);
  });
  std::fprintf(out, "output: %llu records, checksum %s\n",
               static_cast<unsigned long long>(t.records), t.hex().c_str());
  int code = 0;
  if (unordered == 0) {
    std::fprintf(out, "order: ok (keys non-decreasing across %zu partitions)\n",
                 reader.partition_offsets().size() - 1);
  } else {
    std::fprintf(out,
                 "order: FAILED: %llu records are below the one before them "
                 "(the first is record %llu)\n",
                 static_cast<unsigned long long>(unordered),
                 static_cast<unsigned long long>(first_unordered));
    code = 1;
  }
  if (!input.empty()) {
    const Tally in = tally_input(input);
    const bool same = in.records == t.records && in.checksum == t.checksum;
    std::fprintf(out, "input: %llu records, checksum %s\n",
                 static_cast<unsigned long long>(in.records), in.hex().c_str());
    std::fprintf(out, "records: %s\n",
                 same ? "ok (same count and checksum as the input)"
                      : "FAILED: count or checksum differs from the input");
    if (!same)
      code = 1;
  }
  return code;
}

} // namespace mr::cli
