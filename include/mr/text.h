// include/mr/text.h: splitting text into words, as word count defines them.
#pragma once

#include <array>
#include <string_view>

namespace mr {

/// ASCII whitespace: space, \t, \n, \v, \f, \r.
inline bool is_space(unsigned char c) {
  static constexpr std::array<bool, 256> table = [] {
    std::array<bool, 256> t{};
    for (unsigned char s : {' ', '\t', '\n', '\v', '\f', '\r'})
      t[s] = true;
    return t;
  }();
  return table[c];
}

/// Calls f(word) for each maximal run of non-whitespace bytes in `text`.
template <class F> void for_each_word(std::string_view text, F &&f) {
  const char *p = text.data();
  const char *end = p + text.size();
  while (p < end) {
    while (p < end && is_space(static_cast<unsigned char>(*p)))
      ++p;
    const char *word = p;
    while (p < end && !is_space(static_cast<unsigned char>(*p)))
      ++p;
    if (p > word)
      f(std::string_view(word, static_cast<std::size_t>(p - word)));
  }
}

} // namespace mr
