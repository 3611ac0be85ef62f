// tests/io/record_format_test.cpp: a new input format is one class and one
// registration. A test-only format (records ended by a NUL byte) is added
// here and nowhere else, and goes through import, open, task cutting,
// sampling and the map task's record loop without any other change.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <tuple>
#include <unistd.h>
#include <vector>

#include "core/splitter.h"
#include "engine/map_task.h"
#include "io/input_file.h"
#include "io/record_format.h"

namespace {

using namespace mr;
namespace fs = std::filesystem;

/// A record is the bytes before a NUL; an input ends with one.
class NulFormat : public io::RecordFormat {
public:
  std::uint64_t for_each(const io::RecordBytes &in,
                         const std::function<void(const Record &)> &f) const override {
    io::FileTracker files(in);
    std::uint64_t n = 0;
    for (std::size_t at = 0; at < in.bytes.size(); ++n) {
      const std::size_t end = std::min(in.bytes.find('\0', at), in.bytes.size());
      f(files.at(in.bytes.substr(at, end - at)));
      at = end + 1;
    }
    return n;
  }
  std::uint64_t next_start(std::uint64_t pos, std::uint64_t size,
                           const core::ReadBytes &read) const override {
    char c = 0;
    for (; pos > 0 && pos < size; ++pos) { // the byte before pos ends a record
      read(pos - 1, 1, &c);
      if (c == '\0')
        break;
    }
    return std::min(pos, size);
  }
  std::vector<io::ByteRange> sample(std::uint64_t size, std::uint64_t,
                                    const std::function<std::uint64_t()> &,
                                    const core::ReadBytes &) const override {
    return size ? std::vector<io::ByteRange>{{0, size}} : std::vector<io::ByteRange>{};
  }
  std::string_view after_file(const std::string &, std::uint64_t size,
                              char last) const override {
    return size == 0 || last == '\0' ? std::string_view() : std::string_view("\0", 1);
  }
};

// The one registration (an InputFormat value the built-in formats leave free).
constexpr auto kNul = static_cast<InputFormat>(100);
const bool registered = io::register_record_format(
    kNul, "nul", [](const InputInfo &) { return std::make_unique<NulFormat>(); });

TEST(RecordFormat, ANewFormatIsOneClassAndOneRegistration) {
  ASSERT_TRUE(registered);
  EXPECT_FALSE(io::register_record_format(kNul, "again", nullptr)); // taken
  EXPECT_EQ(io::format_named("nul"), kNul);
  EXPECT_EQ(io::format_name(kNul), "nul");
  EXPECT_THROW(io::format_named("csv"), io::InputError);

  // Import: two files, the second without its final NUL.
  const fs::path dir =
      fs::temp_directory_path() / ("mr_format_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.bin", std::ios::binary) << std::string("one\0two\0", 8);
  std::ofstream(dir / "b.bin", std::ios::binary) << std::string("three\0four", 10);
  io::ImportOptions o;
  o.format = io::format_named("nul");
  o.output = (dir / "in.h5").string();
  io::import_files({(dir / "a.bin").string(), (dir / "b.bin").string()}, o);

  // Open: the file says "nul", and the input's format is ours.
  const io::InputFile input = io::InputFile::open(o.output);
  EXPECT_EQ(input.info().format, kNul);
  EXPECT_EQ(input.size(), 19u); // a NUL was added after "four"
  std::string bytes(input.size(), '\0');
  input.read(0, bytes.size(), bytes.data());

  // Tasks begin where the format says records begin.
  const auto read = [&](std::uint64_t at, std::uint64_t n, char *dst) {
    input.read(at, n, dst);
  };
  const auto splits = core::split_input(input.size(), 5, [&](std::uint64_t pos) {
    return input.format().next_start(pos, input.size(), read);
  });
  std::vector<std::tuple<std::string, std::uint64_t, std::uint32_t>> got;
  for (const core::Split &s : splits)
    engine::for_each_record(
        {std::string_view(bytes).substr(s.begin, s.size()), s.begin, &input.info(),
         &input.format()},
        [&](const Record &r) { got.emplace_back(r.bytes, r.offset, r.file); });
  EXPECT_EQ(got, (decltype(got){
                     {"one", 0, 0}, {"two", 4, 0}, {"three", 8, 1}, {"four", 14, 1}}));
  EXPECT_EQ(input.format().sample(input.size(), 10, nullptr, read).size(), 1u);
  fs::remove_all(dir);
}

TEST(RecordFormat, BuiltInFormatsByName) {
  EXPECT_EQ(io::format_named("lines"), InputFormat::lines);
  EXPECT_EQ(io::format_named("records"), InputFormat::records);
  InputInfo info;
  info.format = InputFormat::records;
  info.record_size = 4;
  const auto records = io::make_record_format(info);
  EXPECT_EQ(records->task_size(10), 8u);
  EXPECT_EQ(records->task_size(3), 4u);
  EXPECT_EQ(records->next_start(5, 20, nullptr), 8u);
  EXPECT_EQ(records->next_start(18, 20, nullptr), 20u);
  EXPECT_THROW(records->check_input("x.h5", 10), io::InputError);
  EXPECT_THROW(records->after_file("x.bin", 10, 'a'), io::InputError);
  const auto lines = io::make_record_format(InputInfo{});
  EXPECT_EQ(lines->after_file("x.txt", 3, 'a'), "\n");
  EXPECT_EQ(lines->after_file("x.txt", 3, '\n'), "");
}

} // namespace
