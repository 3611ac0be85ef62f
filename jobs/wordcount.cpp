// jobs/wordcount.cpp: counts how often each word occurs.
//
// A word is a maximal run of bytes that are not ASCII whitespace (space, \t,
// \n, \v, \f, \r); words are case-sensitive byte strings, counts are 64-bit.
#include <array>

#include "mr/codec.h"
#include "mr/registry.h"

namespace {

constexpr std::array<bool, 256> whitespace_table() {
  std::array<bool, 256> t{};
  for (unsigned char c : {' ', '\t', '\n', '\v', '\f', '\r'})
    t[c] = true;
  return t;
}
constexpr auto kWhitespace = whitespace_table();

class WordCount : public mr::Job {
public:
  void map(std::string_view line, mr::Emitter &out) override {
    const mr::U64Bytes one = mr::u64_bytes(1);
    const char *p = line.data();
    const char *end = p + line.size();
    while (p < end) {
      while (p < end && kWhitespace[static_cast<unsigned char>(*p)])
        ++p;
      const char *word = p;
      while (p < end && !kWhitespace[static_cast<unsigned char>(*p)])
        ++p;
      if (p > word)
        out.emit(std::string_view(word, p - word), one);
    }
  }

  bool combines() const override { return true; }

  void combine(std::string_view, std::string_view a, std::string_view b,
               std::string &merged) override {
    merged = mr::u64_bytes(mr::read_u64(a) + mr::read_u64(b));
  }

  void reduce(std::string_view word, std::span<const std::string_view> counts,
              mr::Emitter &out) override {
    std::uint64_t total = 0;
    for (std::string_view c : counts)
      total += mr::read_u64(c);
    out.emit(word, mr::u64_bytes(total));
  }

  mr::ValueType output_value_type() const override { return mr::ValueType::uint64; }
};

} // namespace

MR_REGISTER_JOB("wordcount", WordCount,
                "count each whitespace-separated word (byte strings, 64-bit "
                "counts)");
