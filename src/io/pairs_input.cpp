// src/io/pairs_input.cpp: see pairs_input.h.
#include "io/pairs_input.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "core/checksum.h"
#include "io/input_error.h"
#include "io/output_reader.h"
#include "io/partition_hasher.h"

namespace mr::io {

namespace {

void put_u64(char *dst, std::uint64_t v) {
  for (int i = 0; i < 8; ++i)
    dst[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

std::uint64_t get_u64(const char *src) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(src[i]);
  return v;
}

/// Cuts the pairs byte sequence (pairs_input.h) into records; tasks begin
/// at block starts.
class PairsFormat : public RecordFormat {
public:
  PairsFormat(const std::vector<std::uint64_t> &block_starts, std::uint64_t rows)
      : starts_(block_starts), rows_(rows) {}

  std::uint64_t for_each(const RecordBytes &in,
                         const std::function<void(const Record &)> &f) const override {
    const std::string_view b = in.bytes;
    std::uint64_t n = 0;
    for (std::size_t at = 0; at < b.size(); ++n) {
      if (b.size() - at < kPairHeaderBytes)
        throw InputError("a pairs input's bytes end inside a row header");
      const std::uint64_t k = get_u64(b.data() + at), v = get_u64(b.data() + at + 8);
      const std::uint64_t left = b.size() - at - kPairHeaderBytes;
      if (k > left || v > left - k)
        throw InputError("a pairs input's row is longer than its bytes");
      const char *key = b.data() + at + kPairHeaderBytes;
      f(Record{{key, k}, in.offset + at, 0, {key + k, v}});
      at += kPairHeaderBytes + k + v;
    }
    return n;
  }

  std::uint64_t next_start(std::uint64_t pos, std::uint64_t size,
                           const core::ReadBytes &) const override {
    const auto it = std::lower_bound(starts_.begin(), starts_.end(), pos);
    return it == starts_.end() ? size : std::min(*it, size);
  }

  /// Whole blocks drawn at random: about `want` rows in all.
  std::vector<ByteRange> sample(std::uint64_t, std::uint64_t want,
                                const std::function<std::uint64_t()> &random,
                                const core::ReadBytes &) const override {
    const std::uint64_t blocks = starts_.size() - 1;
    std::vector<ByteRange> out;
    if (blocks == 0)
      return out;
    const std::uint64_t per_block = std::max<std::uint64_t>(1, rows_ / blocks);
    const std::uint64_t k = std::min(blocks, (want + per_block - 1) / per_block);
    std::set<std::uint64_t> picks;
    if (k == blocks)
      for (std::uint64_t b = 0; b < blocks; ++b)
        picks.insert(b);
    for (std::uint64_t tries = 0; picks.size() < k && tries < 16 * k; ++tries)
      picks.insert(random() % blocks);
    for (std::uint64_t b : picks)
      out.emplace_back(starts_[b], starts_[b + 1]);
    return out;
  }

  std::string_view after_file(const std::string &path, std::uint64_t,
                              char) const override {
    throw InputError("'" + path +
                     "': pairs are not imported (give a run's output to -i " +
                     "as it is, or import key TAB value lines with --format tsv)");
  }

private:
  const std::vector<std::uint64_t> &starts_;
  std::uint64_t rows_;
};

} // namespace

std::unique_ptr<PairsInput> PairsInput::open(const std::string &path, MPI_Comm comm) {
  std::unique_ptr<PairsInput> in(new PairsInput);
  in->path_ = path;
  try {
    in->file_ = open_output(path, in->meta_, comm);
  } catch (const InputError &e) {
    throw InputError("input " + std::string(e.what()));
  }
  auto fail = [&](const std::string &what) {
    throw InputError("input '" + path + "' is inconsistent: " + what);
  };
  const bool u64 = in->meta_.uint64_values;
  in->keys_ = open_dataset(in->file_, "keys", Elem::u8);
  in->key_offsets_ = open_dataset(in->file_, "key_offsets", Elem::u64);
  in->values_ = open_dataset(in->file_, "values", u64 ? Elem::u64 : Elem::u8);
  in->key_bytes_ = dataset_length(in->keys_);
  const std::uint64_t entries = dataset_length(in->key_offsets_);
  if (entries == 0)
    fail("/key_offsets is empty");
  const std::uint64_t rows = entries - 1;
  if (u64) {
    if (dataset_length(in->values_) != rows)
      fail("/values does not hold one value per row");
    in->value_bytes_ = 8 * rows;
  } else {
    if (!has_link(in->file_, "value_offsets"))
      fail("it has no /value_offsets");
    in->value_offsets_ = open_dataset(in->file_, "value_offsets", Elem::u64);
    if (dataset_length(in->value_offsets_) != entries)
      fail("/value_offsets does not match /key_offsets");
    in->value_bytes_ = dataset_length(in->values_);
  }
  const std::vector<std::uint64_t> partitions = read_u64s(in->file_, "partition_offsets");
  if (partitions.empty() || partitions.front() != 0 || partitions.back() != rows ||
      !std::is_sorted(partitions.begin(), partitions.end()))
    fail("/partition_offsets does not cover the rows");

  // Blocks: the file's own, or else its non-empty partitions.
  std::vector<std::uint64_t> &br = in->block_rows_;
  if (has_link(in->file_, "block_rows")) {
    br = read_u64s(in->file_, "block_rows");
    in->checksums_ = read_u64s(in->file_, "block_checksums");
    if (br.empty() || br.front() != 0 || br.back() != rows ||
        std::adjacent_find(br.begin(), br.end(), std::greater_equal<>()) != br.end() ||
        in->checksums_.size() != br.size() - 1)
      fail("/block_rows does not cut the rows into blocks, one checksum each");
  } else {
    std::vector<std::uint64_t> sums;
    if (has_link(in->file_, "partition_checksums")) {
      sums = read_u64s(in->file_, "partition_checksums");
      if (sums.size() != partitions.size() - 1)
        fail("/partition_checksums does not have one checksum per partition");
    }
    br.push_back(0);
    for (std::size_t p = 0; p + 1 < partitions.size(); ++p)
      if (partitions[p + 1] > partitions[p]) {
        br.push_back(partitions[p + 1]);
        if (!sums.empty())
          in->checksums_.push_back(sums[p]);
      }
  }
  in->verifiable_ = in->checksums_.size() == br.size() - 1 &&
                    (has_link(in->file_, "block_checksums") ||
                     has_link(in->file_, "partition_checksums"));

  // Where each block starts in the pairs byte sequence.
  std::vector<std::uint64_t> ko(br.size()), vo(br.size());
  read_points(in->key_offsets_, H5T_NATIVE_UINT64, br, ko.data());
  if (u64)
    for (std::size_t b = 0; b < br.size(); ++b)
      vo[b] = 8 * br[b];
  else
    read_points(in->value_offsets_, H5T_NATIVE_UINT64, br, vo.data());
  if (ko.front() != 0 || vo.front() != 0 || ko.back() != in->key_bytes_ ||
      vo.back() != in->value_bytes_ || !std::is_sorted(ko.begin(), ko.end()) ||
      !std::is_sorted(vo.begin(), vo.end()))
    fail("its offsets do not match its key and value bytes");
  for (std::size_t b = 0; b < br.size(); ++b)
    in->block_pos_.push_back(ko[b] + vo[b] + kPairHeaderBytes * br[b]);

  InputInfo &info = in->info_;
  info.format = InputFormat::pairs;
  info.value_type = u64 ? ValueType::uint64 : ValueType::bytes;
  info.name_bytes.assign(path.begin(), path.end());
  info.name_offsets = {0, path.size()};
  info.file_offsets = {0, in->size()};
  in->format_ = std::make_unique<PairsFormat>(in->block_pos_, rows);
  return in;
}

std::size_t PairsInput::block_at(std::uint64_t pos) const {
  const auto it = std::lower_bound(block_pos_.begin(), block_pos_.end(), pos);
  if (it == block_pos_.end() || *it != pos)
    throw InputError("input '" + path_ + "': byte " + std::to_string(pos) +
                     " is not where a block of rows starts");
  return static_cast<std::size_t>(it - block_pos_.begin());
}

std::string PairsInput::rows_text(std::size_t b) const {
  return "rows " + std::to_string(block_rows_[b]) + ".." +
         std::to_string(block_rows_[b + 1]);
}

void PairsInput::read_block(std::size_t b, char *dst, bool verify) const {
  const std::uint64_t r0 = block_rows_[b], n = block_rows_[b + 1] - r0;
  auto fail = [&](const std::string &what) {
    throw InputError("input '" + path_ + "' is damaged: " + rows_text(b) + " " + what +
                     " (run the job that wrote it again)");
  };
  auto offsets = [&](hid_t ds, std::uint64_t limit) {
    std::vector<std::uint64_t> o(n + 1);
    read_slab(ds, H5T_NATIVE_UINT64, r0, n + 1, o.data());
    for (std::size_t i = 0; i <= n; ++i)
      if ((i > 0 && o[i] < o[i - 1]) || o[i] > limit)
        fail("have offsets that are not increasing within their data");
    return o;
  };
  const bool u64 = meta_.uint64_values;
  const std::vector<std::uint64_t> ko = offsets(key_offsets_, key_bytes_);
  std::vector<std::uint64_t> vo(n + 1);
  if (u64)
    for (std::size_t i = 0; i <= n; ++i)
      vo[i] = 8 * (r0 + i);
  else
    vo = offsets(value_offsets_, value_bytes_);
  const std::uint64_t kb = ko[n] - ko[0], vb = vo[n] - vo[0];
  if (kPairHeaderBytes * n + kb + vb != block_pos_[b + 1] - block_pos_[b])
    fail("do not take the bytes the block index says");
  std::vector<char> keys(kb), values(vb);
  read_slab(keys_, H5T_NATIVE_UINT8, ko[0], kb, keys.data());
  if (u64) {
    std::vector<std::uint64_t> raw(n);
    read_slab(values_, H5T_NATIVE_UINT64, r0, n, raw.data());
    for (std::size_t i = 0; i < n; ++i)
      put_u64(values.data() + 8 * i, raw[i]);
  } else {
    read_slab(values_, H5T_NATIVE_UINT8, vo[0], vb, values.data());
  }
  if (verify && verifiable_) {
    PartitionHasher h;
    h.keys({keys.data(), keys.size()});
    h.values({values.data(), values.size()});
    h.key_offsets(ko.data(), n + 1, ko[0]);
    h.value_offsets(vo.data(), n + 1, vo[0]);
    if (h.digest() != checksums_[b])
      fail("do not match their checksum");
  }
  char *at = dst;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t k = ko[i + 1] - ko[i], v = vo[i + 1] - vo[i];
    put_u64(at, k);
    put_u64(at + 8, v);
    if (k > 0) // an empty key or value may sit in an empty vector (no data())
      std::memcpy(at + kPairHeaderBytes, keys.data() + (ko[i] - ko[0]), k);
    if (v > 0)
      std::memcpy(at + kPairHeaderBytes + k, values.data() + (vo[i] - vo[0]), v);
    at += kPairHeaderBytes + k + v;
  }
}

void PairsInput::read_blocks(std::uint64_t offset, std::uint64_t count, char *dst,
                             bool verify) const {
  if (count == 0)
    return;
  const std::size_t b0 = block_at(offset), b1 = block_at(offset + count);
  for (std::size_t b = b0; b < b1; ++b)
    read_block(b, dst + (block_pos_[b] - offset), verify);
}

void PairsInput::read(std::uint64_t offset, std::uint64_t count, char *dst) const {
  read_blocks(offset, count, dst, false);
}

void PairsInput::read_verified(std::uint64_t offset, std::uint64_t count,
                               char *dst) const {
  read_blocks(offset, count, dst, true);
}

std::string PairsInput::files_between(std::uint64_t begin, std::uint64_t end) const {
  const auto first = std::upper_bound(block_pos_.begin(), block_pos_.end(), begin);
  const auto last = std::lower_bound(block_pos_.begin(), block_pos_.end(), end);
  const std::size_t b0 = first == block_pos_.begin() ? 0 : first - block_pos_.begin() - 1;
  const std::size_t b1 =
      std::min<std::size_t>(last - block_pos_.begin(), block_rows_.size() - 1);
  return "'" + path_ + "' rows " + std::to_string(block_rows_[b0]) + ".." +
         std::to_string(block_rows_[b1]);
}

std::string PairsInput::content_digest() const {
  core::Hasher h;
  h.update(meta_.fingerprint);
  h.update({reinterpret_cast<const char *>(block_rows_.data()), block_rows_.size() * 8});
  h.update({reinterpret_cast<const char *>(checksums_.data()), checksums_.size() * 8});
  return core::hex64(h.digest());
}

} // namespace mr::io
