// jobs/inverted_index.cpp: for each word (as word count defines it), the
// names of the imported files it occurs in: de-duplicated, in byte order.
//
// Map emits (word, file index) once per word and file: a set of the words
// already emitted for the current file stands in for a combiner (merging
// growing sets of files would copy each set again at every occurrence).
// Reduce gets a word's file indices sorted, drops repeats, and joins the
// files' names, in byte order, with tabs.
#include <algorithm>
#include <cstring>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "mr/codec.h"
#include "mr/registry.h"
#include "mr/text.h"

namespace {

/// A set of words, cleared often and at no cost: open addressing over one
/// byte arena, slots of older generations count as empty. (It replaced an
/// std::unordered_set: map 35-45 s at 1 GiB; see bench/RESULTS.md.)
class WordSet {
public:
  /// Adds `w`; true if it was not there.
  bool insert(std::string_view w) {
    if ((size_ + 1) * 2 > slots_.size())
      grow();
    const std::uint64_t h = std::hash<std::string_view>{}(w);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      Slot &s = slots_[i];
      if (s.generation != generation_) {
        s = {h, arena_.size(), w.size(), generation_};
        arena_.append(w);
        ++size_;
        return true;
      }
      if (s.hash == h && s.size == w.size() &&
          std::memcmp(arena_.data() + s.offset, w.data(), w.size()) == 0)
        return false;
    }
  }
  void clear() {
    ++generation_;
    arena_.clear();
    size_ = 0;
  }
  std::size_t size() const { return size_; }

private:
  struct Slot {
    std::uint64_t hash = 0;
    std::size_t offset = 0, size = 0;
    std::uint64_t generation = 0;
  };
  void grow() {
    std::vector<Slot> old(std::max<std::size_t>(1024, 2 * slots_.size()));
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot &s : old)
      if (s.generation == generation_) {
        std::size_t i = s.hash & mask;
        while (slots_[i].generation == generation_)
          i = (i + 1) & mask;
        slots_[i] = s;
      }
  }
  std::vector<Slot> slots_;
  std::string arena_;
  std::uint64_t generation_ = 1; // slots start at 0: empty
  std::size_t size_ = 0;
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

  void start_task() override { // a task's output depends on the task alone
    seen_.clear();
    file_ = kNoFile;
  }

  void map(const mr::Record &r, mr::Emitter &out) override {
    if (r.file != file_ || seen_.size() > kMaxSeen) {
      // A new file (or a huge one: a word emitted twice is merged by reduce).
      file_ = r.file;
      seen_.clear();
    }
    const mr::SortableU64 file = mr::sortable_u64(r.file);
    mr::for_each_word(r.bytes, [&](std::string_view word) {
      if (seen_.insert(word))
        out.emit(word, file);
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
  static constexpr std::uint32_t kNoFile = ~0u;

  const mr::InputInfo *input_ = nullptr;
  std::vector<std::uint32_t> rank_to_file_, file_to_rank_, ranks_;
  std::uint32_t file_ = kNoFile;
  WordSet seen_;
  std::string names_;
};

} // namespace

MR_REGISTER_JOB("inverted-index", InvertedIndex,
                "for each word, the names of the files it occurs in");
