// src/core/fixed_text.h: text built in a fixed buffer, without allocating:
// usable in a signal handler (a crash report) as well as anywhere else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mr::core {

/// Appends to a caller's buffer of N bytes; what does not fit is dropped.
class FixedText {
public:
  FixedText(char *buffer, std::size_t capacity) : buf_(buffer), cap_(capacity) {}

  FixedText &str(std::string_view s) {
    for (char c : s)
      put(c);
    return *this;
  }
  FixedText &num(std::uint64_t v) {
    char digits[20];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v);
    while (n)
      put(digits[--n]);
    return *this;
  }
  /// User data on one line: printable ASCII as it is; \\, \" and every
  /// other byte (TAB, newline, control, non-ASCII) as \\, \" and \xNN; at
  /// most `max` bytes of it, then "...".
  FixedText &bytes(std::string_view s, std::size_t max) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < s.size() && i < max; ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c == '\\' || c == '"') {
        put('\\');
        put(static_cast<char>(c));
      } else if (c >= 0x20 && c < 0x7f) {
        put(static_cast<char>(c));
      } else {
        str("\\x");
        put(kHex[c >> 4]);
        put(kHex[c & 15]);
      }
    }
    if (s.size() > max)
      str("...");
    return *this;
  }

  std::string_view view() const { return {buf_, size_}; }

private:
  void put(char c) {
    if (size_ < cap_)
      buf_[size_++] = c;
  }
  char *buf_;
  std::size_t cap_;
  std::size_t size_ = 0;
};

} // namespace mr::core
