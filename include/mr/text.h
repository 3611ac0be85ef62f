// include/mr/text.h: splitting text into words, as word count defines them.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

namespace detail {

#if defined(__SSE2__)
/// Bit i set when p[i] is not whitespace, for the 16 bytes at p.
inline unsigned word_bytes16(const char *p) {
  const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
  // \t \n \v \f \r are 9..13: c - 9 <= 4 as unsigned bytes.
  const __m128i from_tab = _mm_sub_epi8(c, _mm_set1_epi8(9));
  const __m128i control =
      _mm_cmpeq_epi8(_mm_min_epu8(from_tab, _mm_set1_epi8(4)), from_tab);
  const __m128i space = _mm_cmpeq_epi8(c, _mm_set1_epi8(' '));
  return ~static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(control, space))) &
         0xffffu;
}
#endif

} // namespace detail

/// Calls f(word) for each maximal run of non-whitespace bytes in `text`, in
/// order. Classifies 16 bytes at a time where SSE2 is there (x86-64 always):
/// a byte-by-byte scan was 12% of word count's map profile.
template <class F> void for_each_word(std::string_view text, F &&f) {
  const char *const p = text.data();
  const std::size_t n = text.size();
  std::size_t i = 0, start = 0;
  bool in_word = false;
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16) {
    const unsigned word = detail::word_bytes16(p + i);
    // Bit j of `before`: byte j - 1 is a word byte (for j = 0, the last
    // byte of the previous block). A word starts where a word byte follows
    // another byte, and ends where whitespace follows a word byte.
    const unsigned before = ((word << 1) | (in_word ? 1u : 0u)) & 0xffffu;
    unsigned starts = word & ~before, ends = ~word & before & 0xffffu;
    while (starts | ends) {
      const unsigned s = starts ? static_cast<unsigned>(__builtin_ctz(starts)) : 32;
      const unsigned e = ends ? static_cast<unsigned>(__builtin_ctz(ends)) : 32;
      if (e < s) {
        f(std::string_view(p + start, i + e - start));
        ends &= ends - 1;
      } else {
        start = i + s;
        starts &= starts - 1;
      }
    }
    in_word = (word >> 15) & 1u;
  }
#endif
  for (; i < n; ++i) {
    const bool w = !is_space(static_cast<unsigned char>(p[i]));
    if (w && !in_word)
      start = i;
    else if (!w && in_word)
      f(std::string_view(p + start, i - start));
    in_word = w;
  }
  if (in_word)
    f(std::string_view(p + start, n - start));
}

/// An edge-list line `source<whitespace>target` (as reverse-links and
/// pagerank read them): true with the two names, false for any other line
/// (empty, one name, three or more).
inline bool split_edge(std::string_view line, std::string_view &source,
                       std::string_view &target) {
  std::string_view names[2];
  int n = 0;
  for_each_word(line, [&](std::string_view w) {
    if (n < 2)
      names[n] = w;
    ++n;
  });
  source = names[0];
  target = names[1];
  return n == 2;
}

} // namespace mr
