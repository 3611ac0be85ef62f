// src/engine/commits.cpp: see commits.h.
#include "engine/commits.h"

#include <array>
#include <cstring>
#include <filesystem>
#include <vector>

#include "ckpt/durable_file.h"
#include "core/checksum.h"

namespace mr::engine {

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

/// The file's bytes, once its size and checksum match its record.
std::string read_committed(const CommitNames &names, const ckpt::Commit &c) {
  const std::string path = names.dir + "/" + c.file;
  std::string bytes;
  try {
    bytes = ckpt::read_whole_file(path);
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

ckpt::Commit write_commit(const std::string &dir, const std::string &file,
                          std::uint32_t id, std::span<const std::string_view> pieces) {
  ckpt::Commit c;
  c.id = id;
  c.file = file;
  for (std::string_view p : pieces)
    c.bytes += p.size();
  c.xxh3 = ckpt::write_durably(dir + "/" + file, pieces);
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
std::uint64_t map_header(Reader &in, const CommitNames &names, const ckpt::Commit &c,
                         std::uint32_t R) {
  if (in.take(8) != std::string_view(kMapMagic, 8))
    throw DamagedCommit(c.file + ": not a map task file (of this version)");
  if (in.get<std::uint32_t>() != c.id || in.get<std::uint32_t>() != R)
    throw DamagedCommit(c.file + ": holds another task or partition count");
  if (in.get<std::uint64_t>() != names.fingerprint)
    throw DamagedCommit(c.file + ": belongs to another checkpoint (job, input or split)");
  return in.get<std::uint64_t>();
}

/// Reads and checks a partition file's header up to its row count.
void partition_header(Reader &in, const CommitNames &names, const ckpt::Commit &c) {
  if (in.take(8) != std::string_view(kPartMagic, 8))
    throw DamagedCommit(c.file + ": not a partition file (of this version)");
  if (in.get<std::uint32_t>() != c.id)
    throw DamagedCommit(c.file + ": holds another partition");
  in.get<std::uint32_t>();
  if (in.get<std::uint64_t>() != names.fingerprint)
    throw DamagedCommit(c.file + ": belongs to another checkpoint (job, input or split)");
}

} // namespace

void check_commit(const CommitNames &names, const ckpt::Commit &commit, std::uint32_t R) {
  const std::string bytes = read_committed(names, commit);
  Reader in(bytes, commit.file);
  if (commit.file.starts_with("map/"))
    map_header(in, names, commit, R);
  else
    partition_header(in, names, commit);
}

ckpt::Commit commit_map_task(const CommitNames &names, const MapTaskOutput &out,
                             const std::string &counters) {
  const std::string sub = "map/" + std::to_string(out.task_id / 1000);
  try {
    ckpt::make_subfolder(names.dir, sub);
  } catch (const ckpt::CheckpointRefused &e) {
    throw std::runtime_error(e.what());
  }
  std::string header(kMapMagic, 8);
  put(header, out.task_id);
  put(header, static_cast<std::uint32_t>(out.partitions.size()));
  put(header, names.fingerprint);
  put(header, static_cast<std::uint64_t>(counters.size()));
  for (const core::KvBuffer &run : out.partitions) {
    put(header, static_cast<std::uint64_t>(run.bytes().size()));
    put(header, run.pairs());
  }
  std::vector<std::string_view> pieces{header, counters};
  for (const core::KvBuffer &run : out.partitions)
    pieces.push_back(run.bytes());
  ckpt::Commit c = write_commit(
      names.dir, sub + "/t" + std::to_string(out.task_id) + "-" + names.writer,
      out.task_id, pieces);
  c.counters = counters;
  return c;
}

void load_map_task(const CommitNames &names, const ckpt::Commit &c, std::uint32_t R,
                   MapTaskOutput &out, std::string &counters) {
  const std::string bytes = read_committed(names, c);
  Reader in(bytes, c.file);
  const auto counter_bytes = map_header(in, names, c, R);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> runs(R);
  for (auto &[size, pairs] : runs) {
    size = in.get<std::uint64_t>();
    pairs = in.get<std::uint64_t>();
  }
  counters = std::string(in.take(counter_bytes));
  out.task_id = c.id;
  out.partitions.assign(R, core::KvBuffer{});
  for (std::uint32_t p = 0; p < R; ++p)
    out.partitions[p].assign(in.take(runs[p].first), runs[p].second);
  if (!in.done())
    throw DamagedCommit(c.file + ": longer than its contents");
}

ckpt::Commit commit_partition(const CommitNames &names, std::uint32_t p,
                              const io::RowSpool &rows, std::uint64_t first,
                              std::uint64_t end, const std::string &counters,
                              std::uint64_t chunk) {
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
  put(header, names.fingerprint);
  put(header, end - first);
  put(header, k1 - k0);
  put(header, v1 - v0);
  put(header, static_cast<std::uint64_t>(counters.size()));
  const std::uint64_t step = std::max<std::uint64_t>(chunk, 8);
  auto produce = [&](const ckpt::Sink &write) {
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
  ckpt::Commit c;
  c.id = p;
  c.counters = counters;
  c.file = "reduce/p" + std::to_string(p) + "-" + names.writer;
  c.bytes =
      header.size() + counters.size() + 2 * 8 * (end - first + 1) + (k1 - k0) + (v1 - v0);
  c.xxh3 = ckpt::write_durably(names.dir + "/" + c.file, produce);
  return c;
}

void load_partition(const CommitNames &names, const ckpt::Commit &c, io::RowSpool &rows,
                    std::string &counters) {
  const std::string bytes = read_committed(names, c);
  Reader in(bytes, c.file);
  partition_header(in, names, c);
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

TaskRuns map_task_runs(const MapTaskOutput &out, std::uint64_t counter_bytes) {
  TaskRuns runs;
  std::uint64_t at = kMapFixed + 16 * out.partitions.size() + counter_bytes;
  for (const core::KvBuffer &run : out.partitions) {
    runs.offset.push_back(at);
    runs.size.push_back(run.bytes().size());
    at += run.bytes().size();
  }
  return runs;
}

TaskRuns locate_map_task(const CommitNames &names, const ckpt::Commit &c, std::uint32_t R,
                         std::string &counters) {
  const std::string path = names.dir + "/" + c.file;
  std::uint64_t size = 0, hash = 0;
  try {
    hash = ckpt::hash_file(path, size);
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
  const std::string head = ckpt::read_file_range(path, 0, kMapFixed + 16ull * R);
  Reader in(head, c.file);
  const auto counter_bytes = map_header(in, names, c, R);
  if (counter_bytes > size - head.size())
    throw DamagedCommit(c.file + ": cut short");
  counters = ckpt::read_file_range(path, head.size(), counter_bytes);
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

} // namespace mr::engine
