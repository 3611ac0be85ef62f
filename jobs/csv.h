// jobs/csv.h: CSV as clean and join read and write it (docs/jobs.md,
// "clean"). Fields are separated by ','; a field may be enclosed in '"'
// (inside, ',' is literal and "" is one '"'); spaces and tabs around a
// field, outside quotes, are trimmed; a '"' inside an unquoted field, text
// after a closing quote, or an unclosed quote make a record invalid.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mr::csv {

inline bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

/// Splits `line` into `fields`; false when it is not valid CSV. Each
/// field is a view into `line`, or, for a quoted field with "" in it, into
/// `unescaped` (reserved to the line's size first, so it never moves while
/// fields are added). Most fields are then never copied: clean's map
/// spent a third of its time copying them into strings.
inline bool parse_csv(std::string_view line, std::vector<std::string_view> &fields,
                      std::string &unescaped) {
  fields.clear();
  unescaped.clear();
  unescaped.reserve(line.size());
  std::size_t i = 0;
  const std::size_t n = line.size();
  for (;;) {
    while (i < n && is_blank(line[i]))
      ++i;
    if (i < n && line[i] == '"') {
      ++i;
      std::size_t quote = line.find('"', i);
      if (quote == std::string_view::npos)
        return false;                                // unclosed quote
      if (quote + 1 < n && line[quote + 1] == '"') { // "" inside: unescaped
        const std::size_t start = unescaped.size();
        for (;;) { // copy up to each quote at once
          unescaped.append(line.substr(i, quote - i));
          i = quote + 1;
          if (i < n && line[i] == '"') {
            unescaped += '"'; // "" is one quote
            quote = line.find('"', ++i);
            if (quote == std::string_view::npos)
              return false;
          } else {
            break;
          }
        }
        fields.emplace_back(unescaped.data() + start, unescaped.size() - start);
      } else {
        fields.push_back(line.substr(i, quote - i));
        i = quote + 1;
      }
      while (i < n && is_blank(line[i]))
        ++i;
      if (i < n && line[i] != ',')
        return false; // text after the closing quote
    } else {
      const std::size_t start = i;
      while (i < n && line[i] != ',') {
        if (line[i] == '"')
          return false; // a quote inside an unquoted field
        ++i;
      }
      std::size_t end = i;
      while (end > start && is_blank(line[end - 1]))
        --end;
      fields.push_back(line.substr(start, end - start));
    }
    if (i == n)
      return true;
    ++i; // the ',' before the next field (perhaps an empty last one)
  }
}

/// Appends `s` as a canonical CSV field: quoted, with '"' doubled, exactly
/// when it holds ',' or '"' or starts or ends with a space or tab.
inline void append_field(std::string &out, std::string_view s) {
  bool quote = !s.empty() && (is_blank(s.front()) || is_blank(s.back()));
  for (std::size_t i = 0; i < s.size() && !quote; ++i)
    quote = s[i] == ',' || s[i] == '"';
  if (!quote) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"')
      out += '"';
    out += c;
  }
  out += '"';
}

/// Whether `field`, as parse_csv cut it from `line`, was quoted there: it
/// lies outside the line (unescaped) or just after a '"'. A field that was
/// not holds no ',' or '"' and no blank at either end (parse_csv refused or
/// trimmed them), so it is already canonical.
inline bool was_quoted(std::string_view line, std::string_view field) {
  const auto at = reinterpret_cast<std::uintptr_t>(field.data()),
             begin = reinterpret_cast<std::uintptr_t>(line.data());
  if (at < begin || at + field.size() > begin + line.size())
    return true; // (an unescaped field holds a '"': never empty)
  return at > begin && line[at - begin - 1] == '"';
}

/// Appends `fields`, parsed from `line` by parse_csv, as a canonical CSV
/// record. Only fields that were quoted need the check for quoting (it was
/// a third of clean's own time).
inline void append_canonical(std::string &out,
                             const std::vector<std::string_view> &fields,
                             std::string_view line) {
  for (std::size_t f = 0; f < fields.size(); ++f) {
    if (f > 0)
      out += ',';
    if (was_quoted(line, fields[f]))
      append_field(out, fields[f]);
    else
      out += fields[f];
  }
}

} // namespace mr::csv
