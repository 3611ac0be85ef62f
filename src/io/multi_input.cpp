// src/io/multi_input.cpp: see multi_input.h.
#include "io/multi_input.h"

#include <algorithm>

#include "core/checksum.h"
#include "io/input_error.h"

namespace mr::io {

namespace {

/// Each input's own format, over its own bytes.
class MultiFormat : public RecordFormat {
public:
  explicit MultiFormat(const MultiInput &in) : in_(in) {}

  /// A task may hold the end of one input and the start of the next (the
  /// planner cuts at split points only): each input's piece is cut by its
  /// own format.
  std::uint64_t for_each(const RecordBytes &bytes,
                         const std::function<void(const Record &)> &f) const override {
    std::uint64_t n = 0;
    const std::uint64_t end = bytes.offset + bytes.bytes.size();
    for (std::uint64_t at = bytes.offset; at < end;) {
      const std::size_t k = in_.part_at(at);
      const Input &part = in_.part(k);
      const std::uint64_t base = in_.begin(k);
      const std::uint64_t stop = std::min(end, base + part.size());
      const auto first_file = static_cast<std::uint32_t>(first_file_of(k));
      const RecordBytes local{bytes.bytes.substr(at - bytes.offset, stop - at), at - base,
                              &part.info()};
      n += part.format().for_each(local, [&](const Record &r) {
        Record out = r;
        out.offset += base;
        out.file += first_file;
        out.input = static_cast<std::uint32_t>(k);
        f(out);
      });
      at = stop;
    }
    return n;
  }

  std::uint64_t next_start(std::uint64_t pos, std::uint64_t size,
                           const core::ReadBytes &) const override {
    if (pos >= size)
      return size;
    const std::size_t k = in_.part_at(pos);
    const std::uint64_t base = in_.begin(k);
    if (pos == base)
      return pos;
    const Input &part = in_.part(k);
    auto read = [&](std::uint64_t at, std::uint64_t n, char *dst) {
      part.read(at, n, dst);
    };
    return base + part.format().next_start(pos - base, part.size(), read);
  }

  /// Each input's own sample, in proportion to its size.
  std::vector<ByteRange> sample(std::uint64_t size, std::uint64_t want,
                                const std::function<std::uint64_t()> &random,
                                const core::ReadBytes &) const override {
    std::vector<ByteRange> out;
    for (std::size_t k = 0; k < in_.parts(); ++k) {
      const Input &part = in_.part(k);
      if (part.size() == 0)
        continue;
      const auto share = static_cast<std::uint64_t>(static_cast<double>(want) *
                                                        static_cast<double>(part.size()) /
                                                        static_cast<double>(size) +
                                                    1);
      auto read = [&](std::uint64_t at, std::uint64_t n, char *dst) {
        part.read(at, n, dst);
      };
      for (const auto &[b, e] : part.format().sample(part.size(), share, random, read))
        out.emplace_back(in_.begin(k) + b, in_.begin(k) + e);
    }
    return out;
  }

  std::string_view after_file(const std::string &path, std::uint64_t,
                              char) const override {
    throw InputError("'" + path + "': several inputs are not imported together");
  }

private:
  std::size_t first_file_of(std::size_t k) const {
    std::size_t files = 0;
    for (std::size_t j = 0; j < k; ++j)
      files += in_.part(j).info().files();
    return files;
  }
  const MultiInput &in_;
};

} // namespace

MultiInput::MultiInput(std::vector<std::unique_ptr<Input>> parts)
    : parts_(std::move(parts)) {
  const InputInfo &first = parts_.front()->info();
  info_.format = first.format;
  info_.record_size = first.record_size;
  info_.value_type = first.value_type;
  info_.name_offsets = {0};
  info_.file_offsets = {0};
  for (const auto &p : parts_) {
    const InputInfo &pi = p->info();
    for (std::size_t f = 0; f < pi.files(); ++f) {
      const std::string_view name = pi.file_name(f);
      info_.name_bytes.insert(info_.name_bytes.end(), name.begin(), name.end());
      info_.name_offsets.push_back(info_.name_bytes.size());
      info_.file_offsets.push_back(begins_.back() + pi.file_offsets[f + 1]);
    }
    first_file_.push_back(first_file_.back() + pi.files());
    begins_.push_back(begins_.back() + p->size());
    info_.parts.push_back(pi);
  }
  format_ = std::make_unique<MultiFormat>(*this);
}

std::size_t MultiInput::part_at(std::uint64_t pos) const {
  const auto it = std::upper_bound(begins_.begin(), begins_.end() - 1, pos);
  return std::min<std::size_t>(static_cast<std::size_t>(it - begins_.begin()) - 1,
                               parts_.size() - 1);
}

template <class F>
void MultiInput::for_each_piece(std::uint64_t offset, std::uint64_t count, F &&f) const {
  if (offset > size() || count > size() - offset)
    throw InputError("read past the end of the input");
  for (std::uint64_t at = offset, end = offset + count; at < end;) {
    const std::size_t k = part_at(at);
    const std::uint64_t stop = std::min(end, begins_[k + 1]);
    f(*parts_[k], at - begins_[k], stop - at, at - offset);
    at = stop;
  }
}

void MultiInput::read(std::uint64_t offset, std::uint64_t count, char *dst) const {
  for_each_piece(offset, count,
                 [&](const Input &p, std::uint64_t at, std::uint64_t n,
                     std::uint64_t to) { p.read(at, n, dst + to); });
}

void MultiInput::read_verified(std::uint64_t offset, std::uint64_t count,
                               char *dst) const {
  for_each_piece(offset, count,
                 [&](const Input &p, std::uint64_t at, std::uint64_t n,
                     std::uint64_t to) { p.read_verified(at, n, dst + to); });
}

bool MultiInput::verifiable() const {
  return std::all_of(parts_.begin(), parts_.end(),
                     [](const auto &p) { return p->verifiable(); });
}

std::string MultiInput::files_between(std::uint64_t begin, std::uint64_t end) const {
  std::string names;
  for (std::size_t k = 0; k < parts_.size(); ++k) {
    const std::uint64_t b = std::max(begin, begins_[k]),
                        e = std::min(end, begins_[k + 1]);
    if (b < e || (begin == end && begin >= begins_[k] && begin < begins_[k + 1]))
      names += (names.empty() ? "" : ", ") +
               parts_[k]->files_between(b - begins_[k], std::max(b, e) - begins_[k]);
  }
  return names.empty() ? "no file" : names;
}

std::string MultiInput::content_digest() const {
  core::Hasher h;
  for (const auto &p : parts_)
    h.update(p->content_digest() + ";");
  return core::hex64(h.digest());
}

std::string MultiInput::kind() const {
  return std::to_string(parts_.size()) + " inputs";
}

} // namespace mr::io
