// tests/engine/join_values_job.h: a job without a combiner whose output shows
// the values reduce got and their order: map turns "key value" lines into
// pairs; reduce joins a key's values as "v1;v2;...;".
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "mr/job.h"

namespace mr::testing {

struct JoinValues : Job {
  void map(const Record &r, Emitter &out) override {
    std::string_view line = r.bytes;
    auto sp = line.find(' ');
    if (sp != std::string_view::npos)
      out.emit(line.substr(0, sp), line.substr(sp + 1));
  }
  void reduce(std::string_view key, std::span<const std::string_view> values,
              Emitter &out) override {
    std::string joined;
    for (auto v : values)
      joined += std::string(v) + ";";
    out.emit(key, joined);
  }
};

} // namespace mr::testing
