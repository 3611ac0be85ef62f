// src/core/combine_table.cpp: growth and sorted extraction of CombineTable.
#include "core/combine_table.h"

#include <algorithm>
#include <string>

namespace mr::core {

void CombineTable::grow() {
  std::vector<Slot, BigAllocator<Slot>> old(slots_.size() * 2);
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (const Slot &s : old) {
    if (s.offset == kEmpty)
      continue;
    std::size_t i = s.hash & mask;
    while (slots_[i].offset != kEmpty)
      i = (i + 1) & mask;
    slots_[i] = s;
  }
}

std::string CombineTable::too_long(std::string_view key) {
  return "the values of one key (of " + std::to_string(key.size()) +
         " bytes) grew past 4 GiB in a combine table";
}

std::vector<std::pair<std::string_view, std::string_view>>
CombineTable::sorted_entries() const {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  out.reserve(size_);
  for_each([&](std::string_view k, std::string_view v) { out.emplace_back(k, v); });
  std::sort(out.begin(), out.end(),
            [](const auto &a, const auto &b) { return a.first < b.first; });
  return out;
}

} // namespace mr::core
