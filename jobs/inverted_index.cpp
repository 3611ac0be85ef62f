// jobs/inverted_index.cpp: for each word (as word count defines it), the
// names of the imported files it occurs in: de-duplicated, in byte order.
// Map values are sorted sets of file indices (4 bytes, big-endian), merged by
// combine; reduce turns them into names joined by tabs.
#include <algorithm>
#include <numeric>
#include <vector>

#include "mr/codec.h"
#include "mr/registry.h"
#include "mr/text.h"

namespace {

class InvertedIndex : public mr::Job {
public:
  void start(const mr::InputInfo &input) override {
    input_ = &input;
    // Each file's place in byte order of names, to sort a word's files.
    std::vector<std::uint32_t> by_name(input.files());
    std::iota(by_name.begin(), by_name.end(), 0u);
    std::stable_sort(by_name.begin(), by_name.end(), [&](auto a, auto b) {
      return input.file_name(a) < input.file_name(b);
    });
    name_rank_.resize(by_name.size());
    for (std::uint32_t r = 0; r < by_name.size(); ++r)
      name_rank_[by_name[r]] = r;
  }

  void map(const mr::Record &r, mr::Emitter &out) override {
    if (r.file != set_file_ || set_.empty()) {
      set_file_ = r.file;
      const char be[4] = {static_cast<char>(r.file >> 24),
                          static_cast<char>(r.file >> 16), static_cast<char>(r.file >> 8),
                          static_cast<char>(r.file)};
      set_.clear();
      mr::append_string(set_, std::string_view(be, 4));
    }
    mr::for_each_word(r.bytes, [&](std::string_view word) { out.emit(word, set_); });
  }

  void combine(std::string_view, std::string_view a, std::string_view b,
               std::string &merged) override {
    // Records of a file come together, so while mapping, `b` is mostly one
    // file that is `a`'s last (the word again) or after it: no merge needed.
    // Each item is 5 bytes: a length byte (4) and the file index.
    if (b.size() == 5 && a.size() >= 5) {
      const std::string_view last = a.substr(a.size() - 4), file = b.substr(1);
      if (last >= file) {
        if (last == file) {
          merged.assign(a);
          return;
        }
      } else {
        merged.assign(a);
        merged.append(b);
        return;
      }
    }
    mr::merge_sorted_sets(a, b, merged);
  }

  void reduce(std::string_view word, std::span<const std::string_view> sets,
              mr::Emitter &out) override {
    ranks_.clear();
    mr::for_each_string(sets[0], [&](std::string_view be) {
      const auto *u = reinterpret_cast<const unsigned char *>(be.data());
      const std::uint32_t file =
          (std::uint32_t(u[0]) << 24) | (u[1] << 16) | (u[2] << 8) | u[3];
      ranks_.push_back(name_rank_.at(file));
    });
    std::sort(ranks_.begin(), ranks_.end());
    names_.clear();
    std::string_view last;
    for (std::size_t i = 0; i < ranks_.size(); ++i) {
      std::string_view name = input_->file_name(by_rank(ranks_[i]));
      if (i > 0 && name == last)
        continue; // one path imported twice
      if (!names_.empty())
        names_ += '\t';
      names_ += name;
      last = name;
    }
    out.emit(word, names_);
  }

private:
  std::uint32_t by_rank(std::uint32_t rank) {
    if (file_of_rank_.empty()) {
      file_of_rank_.resize(name_rank_.size());
      for (std::uint32_t f = 0; f < name_rank_.size(); ++f)
        file_of_rank_[name_rank_[f]] = f;
    }
    return file_of_rank_[rank];
  }

  const mr::InputInfo *input_ = nullptr;
  std::vector<std::uint32_t> name_rank_, file_of_rank_, ranks_;
  std::uint32_t set_file_ = 0;
  std::string set_, names_;
};

} // namespace

MR_REGISTER_JOB("inverted-index", InvertedIndex,
                "for each word, the names of the files it occurs in");
