// jobs/inverted_index.cpp: for each word (as word count defines it), the
// names of the imported files it occurs in: de-duplicated, in byte order.
//
// Map emits (word, file index) once per word and file: a set of the words
// already emitted for the current file drops the repeats. The value is the
// index as 4 little-endian bytes, and combine appends (combine_appends): a
// word's indices from many files become one list, merged in place by the
// engine in each task, across a worker's tasks and before reduce, so a word
// crosses the shuffle about once per worker rather than once per file.
// Reduce sorts a word's indices by file name, drops repeats, and joins the
// files' names with tabs.
#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "mr/registry.h"
#include "mr/text.h"

namespace {

/// A hash for words, most of them a few bytes long: the halves of a 64x64-bit
/// product folded (as wyhash does), over at most two loads for a word of up
/// to 16 bytes. (std::hash, a byte loop, was 6% of a one-rank run's samples.)
__extension__ typedef unsigned __int128 U128; // GCC and Clang have it

std::uint64_t word_hash(std::string_view w) {
  const char *p = w.data();
  const std::size_t n = w.size();
  auto load64 = [](const char *at) {
    std::uint64_t v;
    std::memcpy(&v, at, 8);
    return v;
  };
  auto load32 = [](const char *at) {
    std::uint32_t v;
    std::memcpy(&v, at, 4);
    return std::uint64_t(v);
  };
  auto mix = [](std::uint64_t a, std::uint64_t b) {
    const U128 r = static_cast<U128>(a) * b;
    return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
  };
  constexpr std::uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull;
  std::uint64_t a = 0, b = n;
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8)
      b = mix(load64(p + i) ^ k0, b ^ k1);
    a = load64(p + n - 8);
  } else if (n >= 4) {
    a = load32(p) << 32 | load32(p + n - 4);
  } else if (n > 0) {
    a = std::uint64_t(static_cast<unsigned char>(p[0])) << 16 |
        std::uint64_t(static_cast<unsigned char>(p[n / 2])) << 8 |
        static_cast<unsigned char>(p[n - 1]);
  }
  return mix(a ^ k0, b ^ k1);
}

/// A set of words, cleared often and at no cost: open addressing over one
/// byte arena, slots of older generations count as empty. (It replaced an
/// std::unordered_set: map 35-45 s at 1 GiB; see bench/RESULTS.md.) Slots
/// are 16 bytes, and words are looked up in batches that fetch their slots
/// first: a file's ~100 k distinct words outgrow the CPU's caches.
class WordSet {
public:
  /// Words a batch holds (see insert_batch).
  static constexpr std::size_t kBatch = 16;

  /// For each of words[0, n): calls f(word) if it was not in the set, and
  /// adds it.
  template <class F>
  void insert_batch(const std::string_view *words, std::size_t n, F &&f) {
    if ((size_ + n) * 2 > slots_.size())
      grow(size_ + n);
    std::uint64_t hashes[kBatch];
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = 0; i < n; ++i) {
      hashes[i] = word_hash(words[i]);
      __builtin_prefetch(&slots_[hashes[i] & mask]);
    }
    for (std::size_t i = 0; i < n; ++i)
      if (insert(words[i], hashes[i]))
        f(words[i]);
  }

  void clear() {
    arena_.clear();
    size_ = 0;
    if (++generation_ == 0) { // wrapped: old slots would look current
      std::fill(slots_.begin(), slots_.end(), Slot{});
      generation_ = 1;
    }
  }
  std::size_t size() const { return size_; }
  std::size_t bytes() const { return arena_.size(); }

private:
  struct Slot {
    std::uint32_t tag = 0; // the hash's high half
    std::uint32_t generation = 0;
    std::uint32_t offset = 0, size = 0; // in arena_ (kept below 4 GiB)
  };

  bool insert(std::string_view w, std::uint64_t h) {
    const std::size_t mask = slots_.size() - 1;
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      Slot &s = slots_[i];
      if (s.generation != generation_) {
        s = {tag, generation_, static_cast<std::uint32_t>(arena_.size()),
             static_cast<std::uint32_t>(w.size())};
        arena_.append(w);
        ++size_;
        return true;
      }
      if (s.tag == tag && s.size == w.size() &&
          std::memcmp(arena_.data() + s.offset, w.data(), w.size()) == 0)
        return false;
    }
  }

  void grow(std::size_t entries) {
    std::size_t n = std::max<std::size_t>(1024, slots_.size());
    while (entries * 2 > n)
      n *= 2;
    std::vector<Slot> old(n);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot &s : old)
      if (s.generation == generation_) {
        const std::uint64_t h = word_hash({arena_.data() + s.offset, s.size});
        std::size_t i = h & mask;
        while (slots_[i].generation == generation_)
          i = (i + 1) & mask;
        slots_[i] = s;
      }
  }

  std::vector<Slot> slots_;
  std::string arena_;
  std::uint32_t generation_ = 1; // slots start at 0: empty
  std::size_t size_ = 0;
};

/// A file's index as a value: 4 bytes, little-endian.
using FileBytes = std::array<char, 4>;
FileBytes file_bytes(std::uint32_t file) {
  FileBytes b;
  for (std::size_t i = 0; i < 4; ++i)
    b[i] = static_cast<char>(file >> (8 * i));
  return b;
}

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
    if (r.file != file_) {
      file_ = r.file;
      seen_.clear();
    }
    if (r.bytes.size() >= kMaxSeenBytes) { // a word as long could not be held
      emit_all(r, out);
      return;
    }
    const FileBytes file = file_bytes(r.file);
    auto emit = [&](std::string_view word) {
      out.emit(word, std::string_view(file.data(), 4));
    };
    std::string_view batch[WordSet::kBatch];
    std::size_t n = 0;
    auto insert = [&] {
      // A huge file (or line) starts the set again, even within a record:
      // a word emitted twice is dropped by reduce.
      if (seen_.size() > kMaxSeen || seen_.bytes() > kMaxSeenBytes)
        seen_.clear();
      seen_.insert_batch(batch, n, emit);
      n = 0;
    };
    mr::for_each_word(r.bytes, [&](std::string_view word) {
      batch[n++] = word;
      if (n == WordSet::kBatch)
        insert();
    });
    insert();
  }

  void combine(std::string_view, std::string_view a, std::string_view b,
               std::string &merged) override {
    merged.assign(a);
    merged.append(b);
  }
  bool combine_appends() const override { return true; }

  void reduce(std::string_view word, std::span<const std::string_view> lists,
              mr::Emitter &out) override {
    ranks_.clear();
    for (std::string_view list : lists) {
      if (list.size() % 4 != 0)
        throw std::runtime_error("a list of file indices of " +
                                 std::to_string(list.size()) +
                                 " bytes (not a multiple of 4)");
      for (std::size_t at = 0; at < list.size(); at += 4) {
        const auto *b = reinterpret_cast<const unsigned char *>(list.data() + at);
        const std::uint32_t file =
            b[0] | b[1] << 8 | b[2] << 16 | std::uint32_t(b[3]) << 24;
        ranks_.push_back(file_to_rank_.at(file));
      }
    }
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
  static constexpr std::size_t kMaxSeen = 1 << 17;
  static constexpr std::size_t kMaxSeenBytes = std::size_t(1) << 30; // < 4 GiB

  /// Every word of `r` with its file, repeats and all (for a record too
  /// long for the set's 32-bit offsets: reduce drops the repeats).
  void emit_all(const mr::Record &r, mr::Emitter &out) {
    const FileBytes file = file_bytes(r.file);
    mr::for_each_word(r.bytes, [&](std::string_view word) {
      out.emit(word, std::string_view(file.data(), 4));
    });
  }
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
