// jobs/reverse_links.cpp: the MapReduce paper's reverse web-link graph. The
// input is an edge list, a line `source<whitespace>target` (ASCII
// whitespace as word count's; node names are byte strings); any other line
// (empty, one name, three or more) is counted as `malformed_lines` and
// skipped. Output: for each target, the sources that link to it,
// de-duplicated, in byte order; export prints `target<TAB>source<TAB>...`.
//
// Map emits (target, source); the reduce gets a target's sources sorted by
// bytes and drops repeats (a duplicate edge counts once).
#include <string>

#include "mr/registry.h"
#include "mr/text.h"

namespace {

class ReverseLinks : public mr::Job {
public:
  void map(const mr::Record &r, mr::Emitter &out) override {
    std::string_view source, target;
    if (!mr::split_edge(r.bytes, source, target)) {
      ++malformed_;
      return;
    }
    out.emit(target, source);
  }

  void reduce(std::string_view target, std::span<const std::string_view> sources,
              mr::Emitter &out) override {
    list_.clear();
    for (std::size_t i = 0; i < sources.size(); ++i) {
      if (i > 0 && sources[i] == sources[i - 1])
        continue; // sorted: a repeat follows its first
      if (!list_.empty())
        list_ += '\t';
      list_.append(sources[i]);
    }
    out.emit(target, list_);
  }

private:
  std::string list_;
  std::uint64_t &malformed_ = counter("malformed_lines");
};

} // namespace

MR_REGISTER_JOB("reverse-links", ReverseLinks,
                "for each node of an edge list, the nodes that link to it");
