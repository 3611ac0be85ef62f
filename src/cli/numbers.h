// src/cli/numbers.h: the numbers on the command line, read exactly: sizes
// with units and seconds, each range-checked with a message that names the
// flag, the limits and what was given (never a wrapped or clipped value).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace mr::cli {

/// A size: whole digits and an optional unit, case-insensitive: b, k/kb/kib,
/// m/mb/mib, g/gb/gib, t/tb/tib, p/pb/pib (powers of 1024). nullopt when
/// malformed or beyond 2^64 - 1.
std::optional<std::uint64_t> parse_size(const std::string &text);

/// "" when `text` is a size within [min, max] (0 also allowed with
/// `zero_ok`), else why not; on success `text` becomes the byte count.
std::string check_size(std::string &text, std::uint64_t min, std::uint64_t max,
                       bool zero_ok = false);

/// "" when `text` is a finite number of seconds in (0, max], else why not.
std::string check_seconds(const std::string &text, double max);

/// 4MiB, 1.5GiB, 17B: a byte count as people read it.
std::string size_text(std::uint64_t bytes);

} // namespace mr::cli
