// src/ckpt/checkpoint.cpp: see checkpoint.h.
#include "ckpt/checkpoint.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <vector>

#include "ckpt/durable_file.h"
#include "core/checksum.h"

namespace mr::ckpt {

namespace {

constexpr char kMapMagic[8] = {'M', 'R', 'M', 'A', 'P', 'T', '0', '2'};
constexpr char kPartMagic[8] = {'M', 'R', 'P', 'A', 'R', 'T', '0', '2'};
/// Bytes before a map task's R run sizes: magic, task, R, run, counter bytes.
constexpr std::uint64_t kMapFixed = 8 + 4 + 4 + 8 + 8;

template <class T> void put(std::string &out, T v) {
  out.append(reinterpret_cast<const char *>(&v), sizeof v);
}

std::string_view bytes_of(const std::vector<std::uint64_t> &v) {
  return {reinterpret_cast<const char *>(v.data()), v.size() * 8};
}

/// Reads fixed-size fields from a file's bytes, refusing to pass its end.
class Reader {
public:
  Reader(std::string_view bytes, const std::string &file) : rest_(bytes), file_(file) {}
  template <class T> T get() {
    T v;
    std::memcpy(&v, take(sizeof v).data(), sizeof v);
    return v;
  }
  std::string_view take(std::uint64_t n) {
    if (n > rest_.size())
      throw DamagedCommit(file_ + ": cut short");
    std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return out;
  }
  bool done() const { return rest_.empty(); }

private:
  std::string_view rest_;
  const std::string &file_;
};

Commit write_commit(const std::string &dir, const std::string &file, std::uint32_t id,
                    std::span<const std::string_view> pieces) {
  Commit c;
  c.id = id;
  c.file = file;
  for (std::string_view p : pieces)
    c.bytes += p.size();
  c.xxh3 = write_durably(dir + "/" + file, pieces);
  return c;
}

void check_offsets(const std::vector<std::uint64_t> &offsets, std::uint64_t total,
                   const std::string &file) {
  if (offsets.front() != 0 || offsets.back() != total)
    throw DamagedCommit(file + ": offsets do not match the data");
  for (std::size_t i = 1; i < offsets.size(); ++i)
    if (offsets[i] < offsets[i - 1])
      throw DamagedCommit(file + ": offsets go backwards");
}

/// Reads and checks a map task file's header up to its counter bytes.
std::uint64_t map_header(Reader &in, std::uint64_t fingerprint, const Commit &c,
                         std::uint32_t R) {
  if (in.take(8) != std::string_view(kMapMagic, 8))
    throw DamagedCommit(c.file + ": not a map task file (of this version)");
  if (in.get<std::uint32_t>() != c.id || in.get<std::uint32_t>() != R)
    throw DamagedCommit(c.file + ": holds another task or partition count");
  if (in.get<std::uint64_t>() != fingerprint)
    throw DamagedCommit(c.file + ": belongs to another checkpoint (job, input or split)");
  return in.get<std::uint64_t>();
}

/// Reads and checks a partition file's header up to its row count.
void partition_header(Reader &in, std::uint64_t fingerprint, const Commit &c) {
  if (in.take(8) != std::string_view(kPartMagic, 8))
    throw DamagedCommit(c.file + ": not a partition file (of this version)");
  if (in.get<std::uint32_t>() != c.id)
    throw DamagedCommit(c.file + ": holds another partition");
  in.get<std::uint32_t>();
  if (in.get<std::uint64_t>() != fingerprint)
    throw DamagedCommit(c.file + ": belongs to another checkpoint (job, input or split)");
}

} // namespace

/// The file's bytes, once its size and checksum match its record.
std::string Checkpoint::read_committed(const Commit &c) const {
  std::string bytes;
  try {
    bytes = read_whole_file(path(c));
  } catch (const std::exception &e) {
    throw DamagedCommit(e.what());
  }
  if (bytes.size() != c.bytes)
    throw DamagedCommit(c.file + ": " + std::to_string(bytes.size()) +
                        " bytes, the manifest says " + std::to_string(c.bytes));
  if (core::xxh3(bytes) != c.xxh3)
    throw DamagedCommit(c.file + ": checksum does not match the manifest");
  return bytes;
}

void Checkpoint::check(const Commit &commit, std::uint32_t R) const {
  const std::string bytes = read_committed(commit);
  Reader in(bytes, commit.file);
  if (commit.file.starts_with("map/"))
    map_header(in, fingerprint_, commit, R);
  else
    partition_header(in, fingerprint_, commit);
}

Commit Checkpoint::commit_map_task(std::uint32_t task,
                                   std::span<const core::KvBuffer> runs,
                                   const std::string &counters) const {
  const std::string sub = "map/" + std::to_string(task / 1000);
  try {
    make_subfolder(dir_, sub);
  } catch (const CheckpointRefused &e) {
    throw std::runtime_error(e.what());
  }
  std::string header(kMapMagic, 8);
  put(header, task);
  put(header, static_cast<std::uint32_t>(runs.size()));
  put(header, fingerprint_);
  put(header, static_cast<std::uint64_t>(counters.size()));
  for (const core::KvBuffer &run : runs) {
    put(header, static_cast<std::uint64_t>(run.bytes().size()));
    put(header, run.pairs());
  }
  std::vector<std::string_view> pieces{header, counters};
  for (const core::KvBuffer &run : runs)
    pieces.push_back(run.bytes());
  Commit c =
      write_commit(dir_, sub + "/t" + std::to_string(task) + "-" + writer_, task, pieces);
  c.counters = counters;
  return c;
}

Commit Checkpoint::commit_partition(std::uint32_t p, const io::RowSpool &rows,
                                    std::uint64_t first, std::uint64_t end,
                                    const std::string &counters,
                                    std::uint64_t chunk) const {
  using io::RowSpool;
  std::vector<char> scratch;
  auto entry = [&](RowSpool::Stream s, std::uint64_t i) {
    std::uint64_t v;
    std::memcpy(&v, rows.view(s, i * 8, i * 8 + 8, scratch).data(), 8);
    return v;
  };
  const std::uint64_t k0 = entry(RowSpool::kKeyOffsets, first);
  const std::uint64_t k1 = entry(RowSpool::kKeyOffsets, end);
  const std::uint64_t v0 = entry(RowSpool::kValueOffsets, first);
  const std::uint64_t v1 = entry(RowSpool::kValueOffsets, end);
  std::string header(kPartMagic, 8);
  put(header, p);
  put(header, std::uint32_t{0});
  put(header, fingerprint_);
  put(header, end - first);
  put(header, k1 - k0);
  put(header, v1 - v0);
  put(header, static_cast<std::uint64_t>(counters.size()));
  const std::uint64_t step = std::max<std::uint64_t>(chunk, 8);
  auto produce = [&](const Sink &write) {
    write(header);
    write(counters);
    std::vector<std::uint64_t> rebased;
    auto offsets = [&](RowSpool::Stream s, std::uint64_t base) {
      rows.read(s, first * 8, (end + 1) * 8, step, [&](std::string_view b) {
        rebased.resize(b.size() / 8);
        std::memcpy(rebased.data(), b.data(), b.size());
        for (auto &o : rebased)
          o -= base;
        write(bytes_of(rebased));
      });
    };
    offsets(RowSpool::kKeyOffsets, k0);
    rows.read(RowSpool::kKeys, k0, k1, step, write);
    offsets(RowSpool::kValueOffsets, v0);
    rows.read(RowSpool::kValues, v0, v1, step, write);
  };
  Commit c;
  c.id = p;
  c.counters = counters;
  c.file = "reduce/p" + std::to_string(p) + "-" + writer_;
  c.bytes =
      header.size() + counters.size() + 2 * 8 * (end - first + 1) + (k1 - k0) + (v1 - v0);
  c.xxh3 = write_durably(path(c), produce);
  return c;
}

void Checkpoint::load_partition(const Commit &c, io::RowSpool &rows,
                                std::string &counters) const {
  const std::string bytes = read_committed(c);
  Reader in(bytes, c.file);
  partition_header(in, fingerprint_, c);
  const auto n = in.get<std::uint64_t>();
  const auto key_bytes = in.get<std::uint64_t>();
  const auto value_bytes = in.get<std::uint64_t>();
  const auto counter_bytes = in.get<std::uint64_t>();
  counters = std::string(in.take(counter_bytes));
  if (n > bytes.size() / 16)
    throw DamagedCommit(c.file + ": row count larger than the file");
  auto offsets = [&](std::uint64_t total) {
    std::vector<std::uint64_t> v(n + 1);
    std::memcpy(v.data(), in.take((n + 1) * 8).data(), (n + 1) * 8);
    check_offsets(v, total, c.file);
    return v;
  };
  const std::vector<std::uint64_t> koff = offsets(key_bytes);
  const std::string_view keys = in.take(key_bytes);
  const std::vector<std::uint64_t> voff = offsets(value_bytes);
  const std::string_view values = in.take(value_bytes);
  if (!in.done())
    throw DamagedCommit(c.file + ": longer than its contents");
  for (std::uint64_t i = 0; i < n; ++i)
    rows.add(keys.substr(koff[i], koff[i + 1] - koff[i]),
             values.substr(voff[i], voff[i + 1] - voff[i]));
}

TaskRuns Checkpoint::map_task_runs(std::span<const core::KvBuffer> runs,
                                   std::uint64_t counter_bytes) {
  TaskRuns out;
  std::uint64_t at = kMapFixed + 16 * runs.size() + counter_bytes;
  for (const core::KvBuffer &run : runs) {
    out.offset.push_back(at);
    out.size.push_back(run.bytes().size());
    at += run.bytes().size();
  }
  return out;
}

TaskRuns Checkpoint::locate_map_task(const Commit &c, std::uint32_t R,
                                     std::string &counters) const {
  const std::string path = this->path(c);
  std::uint64_t size = 0, hash = 0;
  try {
    hash = hash_file(path, size);
  } catch (const std::exception &e) {
    throw DamagedCommit(e.what());
  }
  if (size != c.bytes)
    throw DamagedCommit(c.file + ": " + std::to_string(size) +
                        " bytes, the manifest says " + std::to_string(c.bytes));
  if (hash != c.xxh3)
    throw DamagedCommit(c.file + ": checksum does not match the manifest");
  if (size < kMapFixed + 16ull * R)
    throw DamagedCommit(c.file + ": cut short");
  const std::string head = read_file_range(path, 0, kMapFixed + 16ull * R);
  Reader in(head, c.file);
  const auto counter_bytes = map_header(in, fingerprint_, c, R);
  if (counter_bytes > size - head.size())
    throw DamagedCommit(c.file + ": cut short");
  counters = read_file_range(path, head.size(), counter_bytes);
  TaskRuns runs;
  std::uint64_t at = head.size() + counter_bytes;
  for (std::uint32_t p = 0; p < R; ++p) {
    const auto bytes = in.get<std::uint64_t>();
    in.get<std::uint64_t>(); // pairs
    if (bytes > size - at)
      throw DamagedCommit(c.file + ": cut short");
    runs.offset.push_back(at);
    runs.size.push_back(bytes);
    at += bytes;
  }
  if (at != size)
    throw DamagedCommit(c.file + ": longer than its contents");
  return runs;
}

} // namespace mr::ckpt
