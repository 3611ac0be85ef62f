// jobs/inverted_index.cpp: for each word (as word count defines it), the
// names of the imported files it occurs in: de-duplicated, in byte order.
//
// Map emits (word, file index) once per word and file: a set of the words
// already emitted for the current file stands in for a combiner (merging
// growing sets of files would copy each set again at every occurrence).
// Reduce gets a word's file indices sorted, drops repeats, and joins the
// files' names, in byte order, with tabs.
#include <algorithm>
#include <numeric>
#include <string>
#include <unordered_set>
#include <vector>

#include "mr/codec.h"
#include "mr/registry.h"
#include "mr/text.h"

namespace {

/// Hashes std::string and std::string_view alike, so that lookups by view
/// copy nothing.
struct ViewHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const {
    return std::hash<std::string_view>{}(s);
  }
};

class InvertedIndex : public mr::Job {
public:
  void start(const mr::InputInfo &input) override {
    input_ = &input;
    // Each file's place in byte order of names, to sort a word's files.
    rank_to_file_.resize(input.files());
    std::iota(rank_to_file_.begin(), rank_to_file_.end(), 0u);
    std::stable_sort(rank_to_file_.begin(), rank_to_file_.end(), [&](auto a, auto b) {
      return input.file_name(a) < input.file_name(b);
    });
    file_to_rank_.resize(rank_to_file_.size());
    for (std::uint32_t r = 0; r < rank_to_file_.size(); ++r)
      file_to_rank_[rank_to_file_[r]] = r;
  }

  void map(const mr::Record &r, mr::Emitter &out) override {
    if (r.file != file_ || seen_.size() > kMaxSeen) {
      // A new file (or a huge one: a word emitted twice is merged by reduce).
      file_ = r.file;
      seen_.clear();
    }
    const mr::SortableU64 file = mr::sortable_u64(r.file);
    mr::for_each_word(r.bytes, [&](std::string_view word) {
      if (seen_.find(word) == seen_.end()) {
        seen_.emplace(word);
        out.emit(word, file);
      }
    });
  }

  void reduce(std::string_view word, std::span<const std::string_view> files,
              mr::Emitter &out) override {
    ranks_.clear();
    for (std::string_view f : files) // sorted; equal ones are adjacent
      ranks_.push_back(file_to_rank_.at(mr::read_sortable_u64(f)));
    std::sort(ranks_.begin(), ranks_.end());
    names_.clear();
    std::string_view last;
    for (std::size_t i = 0; i < ranks_.size(); ++i) {
      std::string_view name = input_->file_name(rank_to_file_[ranks_[i]]);
      if (i > 0 && name == last)
        continue; // the same file, or one path imported twice
      if (!names_.empty())
        names_ += '\t';
      names_ += name;
      last = name;
    }
    out.emit(word, names_);
  }

private:
  static constexpr std::size_t kMaxSeen = 1 << 20;

  const mr::InputInfo *input_ = nullptr;
  std::vector<std::uint32_t> rank_to_file_, file_to_rank_, ranks_;
  std::uint32_t file_ = 0;
  std::unordered_set<std::string, ViewHash, std::equal_to<>> seen_;
  std::string names_;
};

} // namespace

MR_REGISTER_JOB("inverted-index", InvertedIndex,
                "for each word, the names of the files it occurs in");
