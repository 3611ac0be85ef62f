// src/engine/coordinator.cpp: see coordinator.h.
#include "engine/coordinator.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string_view>
#include <utility>

#include "comm/comm.h"

namespace mr::engine {

namespace {

using comm::Assignment;
using comm::MessageKind;
using comm::Outcome;
using comm::TaskKind;
using Time = comm::Time;

double seconds(Time::duration d) {
  return std::chrono::duration<double>(d).count();
}

/// The deadline for work of `bytes`: the timeout for every 64 MiB begun.
Time::duration allowance(double task_timeout, std::uint64_t bytes) {
  const double scale = std::max(1.0, static_cast<double>(bytes) / (64 << 20));
  return std::chrono::duration_cast<Time::duration>(
      std::chrono::duration<double>(task_timeout * scale));
}

/// The skipped records of a map commit (offset, where), as bytes for the
/// manifest: "OFFSET SIZE WHERE" for each, WHERE being SIZE bytes.
std::string
encode_skipped(const std::vector<std::pair<std::uint64_t, std::string>> &records) {
  std::string out;
  for (const auto &[offset, where] : records)
    out += std::to_string(offset) + " " + std::to_string(where.size()) + " " + where;
  return out;
}

/// The records of encode_skipped; what cannot be read ends the list (the
/// manifest's record checksum makes that a bug, not damage).
std::vector<std::pair<std::uint64_t, std::string>>
decode_skipped(std::string_view bytes) {
  std::vector<std::pair<std::uint64_t, std::string>> records;
  auto number = [&](std::uint64_t &n) {
    const auto space = bytes.find(' ');
    if (space == std::string_view::npos || space == 0 || space > 19)
      return false;
    n = 0;
    for (char c : bytes.substr(0, space)) {
      if (c < '0' || c > '9')
        return false;
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    bytes.remove_prefix(space + 1);
    return true;
  };
  std::uint64_t offset = 0, size = 0;
  while (!bytes.empty() && number(offset) && number(size) && size <= bytes.size()) {
    records.emplace_back(offset, std::string(bytes.substr(0, size)));
    bytes.remove_prefix(size);
  }
  return records;
}

} // namespace

Coordinator::Coordinator(const std::vector<core::Split> &splits,
                         const std::vector<std::optional<ckpt::Commit>> &committed,
                         const CoordinatorSetup &setup, CoordinatorReport &report,
                         comm::ControlChannel &channel, Time now)
    : splits_(splits), committed_(committed), setup_(setup), report_(report),
      channel_(channel), state_(splits.size(), State::pending), copies_(splits.size(), 0),
      running_(setup.workers + 1), damaged_(splits.size(), false),
      failed_on_(splits.size()), last_failure_(splits.size()), skip_(splits.size()),
      phase_start_(now),
      rest_allowed_(allowance(setup.task_timeout, setup.bytes_per_worker)),
      told_none_(setup.workers + 1, false), heard_(setup.workers + 1, now),
      doing_(setup.workers + 1, "the map phase"), finished_all_(setup.workers + 1, false),
      phase_(setup.workers + 1, 0), reached_(setup.workers + 1),
      progress_(setup.quiet ? nullptr : setup.progress_out, setup.progress_redraw,
                setup.progress_seconds, now) {
  for (std::size_t t = 0; t < splits.size(); ++t) {
    queue_.push_back(static_cast<std::int64_t>(t));
    bytes_ += splits[t].end - splits[t].begin;
  }
  take_committed_skips();
  take_crashes();
}

/// Records skipped by an earlier run in tasks it committed: with
/// --skip-bad-records they are skipped again (should the task be mapped
/// anew) and listed as this run's, counted against its limit; without it,
/// such a task is mapped again rather than reused (nothing is skipped then).
void Coordinator::take_committed_skips() {
  for (std::size_t t = 0; t < committed_.size(); ++t) {
    if (!committed_[t] || committed_[t]->skipped.empty())
      continue;
    const auto records = decode_skipped(committed_[t]->skipped);
    if (!setup_.skip_bad_records) {
      damaged_[t] = true; // mapped, not loaded
      if (!setup_.quiet)
        std::fprintf(stderr,
                     "resume: task %zu's committed output lacks %zu record(s) an earlier "
                     "run skipped (--skip-bad-records); without the flag it is mapped "
                     "again\n",
                     t, records.size());
      continue;
    }
    for (const auto &[offset, where] : records) {
      BadRecord &bad = bad_[offset];
      bad.failures = std::max<std::uint32_t>(bad.failures, 2);
      bad.where = where;
      skip_record(t, offset, ": the run resumed had skipped " + where + " and others");
    }
  }
}

bool Coordinator::skip_record(std::size_t t, std::uint64_t offset,
                              const std::string &last) {
  std::vector<std::uint64_t> &skip = skip_[t];
  const auto at = std::lower_bound(skip.begin(), skip.end(), offset);
  if (at != skip.end() && *at == offset)
    return false;
  skip.insert(at, offset);
  if (++skipped_total_ > *setup_.skip_bad_records) {
    const std::string max = std::to_string(*setup_.skip_bad_records);
    std::string text = "more than ";
    text.append(max).append(" bad record(s) to skip (--skip-bad-records ").append(max);
    throw TaskFailed(text.append(")").append(last));
  }
  return true;
}

/// Records that crashed ranks of earlier runs count as failures there: one
/// that crashed twice is skipped with --skip-bad-records, and named without.
void Coordinator::take_crashes() {
  std::map<std::uint64_t, std::uint64_t> task_of;
  for (const crash::Crash &c : setup_.crashes) {
    if (c.task >= splits_.size() || c.offset < splits_[c.task].begin ||
        c.offset >= splits_[c.task].end)
      continue; // not a record of this plan's tasks
    BadRecord &bad = bad_[c.offset];
    ++bad.failures;
    bad.where = c.where;
    task_of[c.offset] = c.task;
  }
  for (const auto &[offset, task] : task_of) {
    const BadRecord &bad = bad_[offset];
    if (bad.failures < 2)
      continue;
    if (!setup_.skip_bad_records) {
      std::fprintf(stderr,
                   "mapreduce: warning: the record at %s crashed a rank %u times in "
                   "earlier runs; --skip-bad-records MAX would skip it\n",
                   bad.where.c_str(), bad.failures);
      continue;
    }
    if (!skip_record(task, offset,
                     "; the last, " + bad.where + ", crashed a rank " +
                         std::to_string(bad.failures) + " times"))
      continue; // skipped already by the run resumed, in a task it committed
    if (!setup_.quiet)
      std::fprintf(stderr,
                   "resume: the record at %s crashed a rank %u times: skipping it (bad "
                   "record %llu of at most %llu)\n",
                   bad.where.c_str(), bad.failures,
                   static_cast<unsigned long long>(skipped_total_),
                   static_cast<unsigned long long>(*setup_.skip_bad_records));
  }
}

void Coordinator::step(const std::optional<comm::WorkerMessage> &message, Time now) {
  if (message)
    handle(*message, now);
  if (setup_.deadlines)
    check_deadlines(now);
  dispatch(now);
  progress(now);
}

Time Coordinator::next_wakeup(Time now) const {
  auto t = now + std::chrono::seconds(5);
  for (int w = 1; w <= setup_.workers; ++w)
    if (told_none_[w] && !finished_all_[w])
      t = std::min(t, heard_[w] + rest_allowed_);
  for (const Copy &c : running_)
    if (c.task >= 0)
      t = std::min(t, c.deadline);
  if (!idle_.empty()) // idle workers may take a backup soon
    t = std::min(t, now + std::chrono::milliseconds(50));
  return t;
}

std::string Coordinator::rank_name(int rank) const {
  if (setup_.hosts.size() == 1) // a single-rank run: rank 0 is its worker
    return "rank 0 (host " + setup_.hosts[0] + ")";
  const std::string host =
      rank < static_cast<int>(setup_.hosts.size()) ? setup_.hosts[rank] : "?";
  return "rank " + std::to_string(rank) + " (host " + host + ")";
}

void Coordinator::handle(const comm::WorkerMessage &m, Time now) {
  const int w = m.source;
  if (w < 1 || w > setup_.workers)
    throw std::runtime_error("a message from rank " + std::to_string(w) +
                             ", which is not a worker");
  heard_[w] = now;
  switch (m.kind) {
  case MessageKind::request:
    break;
  case MessageKind::committed:
    record("reduce", m, w);
    ++report_.partitions_committed;
    return;
  case MessageKind::progress:
    doing_[w] = m.text;
    if (m.task >= static_cast<int>(Phase::shuffle) &&
        m.task <= static_cast<int>(Phase::write)) {
      for (int p = phase_[w]; p < m.task; ++p) // the phases it left are complete
        reached_[w][p].amount = reached_[w][p].of;
      phase_[w] = static_cast<int>(m.task);
      reached_[w][phase_[w]] = {m.amount, m.of};
      return;
    }
    // Said during a map task only while the worker narrows a failed task
    // down to its record (--skip-bad-records): each probe may take as long
    // as the failure did, so each earns the task's allowance again.
    if (Copy &c = running_[w]; c.task >= 0) {
      const core::Split &s = splits_[c.task];
      c.deadline =
          std::max(c.deadline, now + allowance(setup_.task_timeout, s.end - s.begin));
    }
    return;
  case MessageKind::finished:
    for (int p = phase_[w]; p < 4; ++p)
      reached_[w][p].amount = reached_[w][p].of;
    phase_[w] = 4;
    finished_all_[w] = true;
    ++all_done_;
    return;
  default:
    throw std::runtime_error(rank_name(w) + " sent a message of unknown kind " +
                             std::to_string(static_cast<int>(m.kind)));
  }
  if (told_none_[w])
    throw std::runtime_error(rank_name(w) +
                             " asked for a task after the map phase ended");
  Copy &copy = running_.at(w);
  bool accepted = true;
  if (m.task >= 0) {
    if (copy.task != m.task)
      throw std::runtime_error(rank_name(w) + " reported task " + std::to_string(m.task) +
                               " that it was not running");
    accepted = finish(w, copy, m, now);
    copy = Copy{};
  }
  idle_.push_back({w, accepted});
}

/// Records a worker's commit in the manifest (when checkpointing); the
/// manifest formats the record and checks it names a file made for it.
void Coordinator::record(const std::string &kind, const comm::WorkerMessage &m, int w,
                         const std::vector<std::uint64_t> &skipped) {
  if (!setup_.manifest)
    return;
  if (!m.commit)
    throw std::runtime_error(rank_name(w) + " finished " + kind + " work without " +
                             "committing it");
  if (kind == "map" && m.commit->id != static_cast<std::uint64_t>(m.task))
    throw std::runtime_error(rank_name(w) + " committed task " +
                             std::to_string(m.commit->id) + " as task " +
                             std::to_string(m.task));
  if (skipped.empty()) {
    setup_.manifest->append(kind, *m.commit);
    return;
  }
  // The records its output lacks go with it: a resumed run lists them too.
  ckpt::Commit commit = *m.commit;
  std::vector<std::pair<std::uint64_t, std::string>> records;
  for (std::uint64_t offset : skipped)
    records.emplace_back(offset, bad_[offset].where);
  commit.skipped = encode_skipped(records);
  setup_.manifest->append(kind, commit);
}

/// A copy ended; returns whether its output is the one kept.
bool Coordinator::finish(int w, const Copy &copy, const comm::WorkerMessage &m,
                         Time now) {
  const auto t = static_cast<std::size_t>(copy.task);
  --copies_[t];
  if (m.outcome == Outcome::failed)
    throw TaskFailed(m.text); // the input's fault: not worth a retry
  if (m.outcome == Outcome::job_failed)
    return job_failed(w, t, m);
  if (m.outcome == Outcome::abandoned || state_[t] == State::done)
    return false;
  if (m.outcome == Outcome::load_failed) {
    say("resume: task " + std::to_string(t) + ": " + m.text + "; mapping it again");
    ++report_.tasks_damaged;
    damaged_[t] = true;
    queue_.push_front(copy.task); // mapped now, not loaded
    if (copies_[t] == 0)
      state_[t] = State::pending;
    return false;
  }
  if (!copy.load)
    record("map", m, w, copy.skip);
  state_[t] = State::done;
  ++done_;
  bytes_done_ += splits_[t].end - splits_[t].begin;
  if (copy.load) {
    ++report_.tasks_reused;
  } else {
    durations_.push_back(seconds(now - copy.started));
    ++report_.tasks_mapped;
    bytes_mapped_ += splits_[t].end - splits_[t].begin;
  }
  if (copy.backup)
    ++report_.backups_won;
  for (std::uint64_t offset : copy.skip)
    report_.skipped.push_back({t, offset, bad_[offset].where});
  for (int other = 1; other <= setup_.workers; ++other) // the losing copy stops
    if (other != w && running_[other].task == copy.task)
      channel_.cancel(other, copy.task);
  return true;
}

/// The job's code failed on task t on worker w: tried again (on another
/// worker first) until it has failed task_attempts times, then the job ends.
bool Coordinator::job_failed(int w, std::size_t t, const comm::WorkerMessage &m) {
  failed_on_[t].push_back(w);
  last_failure_[t] = m.text;
  if (state_[t] == State::done) // another copy won meanwhile
    return false;
  // --skip-bad-records: a record that failed twice is skipped from now on,
  // and the two failures it cost are not held against the task.
  bool skipping = false;
  if (setup_.skip_bad_records && m.bad_record != comm::kNoRecord) {
    BadRecord &bad = bad_[m.bad_record];
    bad.where = m.bad_where;
    skipping =
        ++bad.failures == 2 &&
        skip_record(t, m.bad_record,
                    "; the last, " + m.bad_where + ", failed twice, the last time on " +
                        rank_name(w) + ": " + m.text);
  }
  const std::size_t failures = failed_on_[t].size() - 2 * skip_[t].size();
  if (failures >= setup_.task_attempts)
    throw TaskFailed("map task " + std::to_string(t) + " failed " +
                     std::to_string(failures) + " time(s) (--task-attempts " +
                     std::to_string(setup_.task_attempts) + "), the last on " +
                     rank_name(w) + ": " + m.text);
  if (skipping)
    say("map: task " + std::to_string(t) + " failed on " + rank_name(w) +
        " on the same record again: skipping it (bad record " +
        std::to_string(skipped_total_) + " of at most " +
        std::to_string(*setup_.skip_bad_records) + "), trying the task again: " + m.text);
  else
    say("map: task " + std::to_string(t) + " failed on " + rank_name(w) + " (attempt " +
        std::to_string(failures) + " of " + std::to_string(setup_.task_attempts) +
        "), trying it again: " + m.text);
  if (copies_[t] == 0) {
    state_[t] = State::pending;
    queue_.push_back(static_cast<std::int64_t>(t));
  }
  return false;
}

bool Coordinator::tried_on(std::size_t t, int w) const {
  const std::vector<int> &f = failed_on_[t];
  return std::find(f.begin(), f.end(), w) != f.end();
}

/// The first queued task for worker w, skipping those that failed on it
/// while another worker has not tried them yet; -1: none for it now.
std::int64_t Coordinator::next_queued(int w) {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    const auto t = static_cast<std::size_t>(*it);
    bool elsewhere = false;
    if (tried_on(t, w))
      for (int other = 1; other <= setup_.workers && !elsewhere; ++other)
        elsewhere = other != w && !tried_on(t, other);
    if (!elsewhere) {
      const std::int64_t task = *it;
      queue_.erase(it);
      return task;
    }
  }
  return -1;
}

/// A message from rank 0 during the map phase, unless quiet: never in the
/// middle of a progress line being redrawn.
void Coordinator::say(const std::string &line) {
  if (setup_.quiet)
    return;
  progress_.interrupt();
  std::fprintf(stderr, "%s\n", line.c_str());
}

void Coordinator::progress(Time now) {
  const int current = current_phase();
  if (current > shown_phase_) { // the last line of the phase that ended
    if (progress_.due(now, true))
      progress_.show(progress_line(shown_phase_, now), now, true);
    shown_phase_ = current;
    progress_.restart(now);
  }
  // Called after every message: the line is built only when one is due.
  if (current < 4 && progress_.due(now, false))
    progress_.show(progress_line(current, now), now, false);
}

int Coordinator::current_phase() const {
  if (done_ < splits_.size())
    return 0;
  int earliest = 4;
  for (int w = 1; w <= setup_.workers; ++w)
    earliest = std::min(earliest, phase_[w]);
  return std::max(earliest, static_cast<int>(Phase::shuffle));
}

std::string Coordinator::progress_line(int phase, Time now) const {
  if (phase == 0)
    return describe_map_progress(map_state(now), progress_.seconds(now));
  return describe_phase_progress(phase_state(phase), progress_.seconds(now));
}

MapProgressState Coordinator::map_state(Time now) const {
  MapProgressState s;
  s.tasks_done = done_;
  s.tasks = splits_.size();
  s.bytes_done = bytes_done_;
  s.bytes = bytes_;
  s.bytes_mapped = bytes_mapped_;
  s.workers = setup_.workers;
  double oldest = 0;
  int lagging = 0;
  for (int w = 1; w <= setup_.workers; ++w) {
    const Copy &c = running_[w];
    if (c.task < 0)
      continue;
    ++s.busy;
    s.backups += c.backup ? 1 : 0;
    if (!c.load && seconds(now - c.started) > oldest) {
      oldest = seconds(now - c.started);
      lagging = w;
    }
  }
  // A worker lags when its task has run for over twice the median task.
  if (lagging && !durations_.empty()) {
    std::vector<double> d = durations_;
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    if (oldest > std::max(5.0, 2 * d[d.size() / 2]))
      s.lagging = rank_name(lagging) + " on task " +
                  std::to_string(running_[lagging].task) + " for " +
                  std::to_string(static_cast<long>(oldest)) + " s";
  }
  return s;
}

PhaseProgressState Coordinator::phase_state(int phase) const {
  PhaseProgressState s;
  s.phase = static_cast<Phase>(phase);
  s.workers = setup_.workers;
  bool one_past = false; // a worker waits for the others (in a later phase)
  int slowest = 0;
  double slowest_part = 2;
  for (int w = 1; w <= setup_.workers; ++w) {
    const Reached &r = reached_[w][phase];
    s.done += r.amount;
    s.total += r.of;
    one_past = one_past || phase_[w] > phase;
    if (phase_[w] != phase)
      continue;
    ++s.in_phase;
    const double part =
        r.of ? static_cast<double>(r.amount) / static_cast<double>(r.of) : 1;
    if (part < slowest_part) {
      slowest_part = part;
      slowest = w;
    }
  }
  // In the reduce a worker goes at its own pace: one still at it while
  // another is done holds up the write.
  if (s.phase == Phase::reduce && one_past && slowest) {
    const Reached &r = reached_[slowest][phase];
    s.lagging = rank_name(slowest) + " at " + std::to_string(r.amount) + "/" +
                std::to_string(r.of) + " partitions";
  }
  return s;
}

bool Coordinator::is_idle(int w) const {
  return std::any_of(idle_.begin(), idle_.end(),
                     [w](const Idle &i) { return i.worker == w; });
}

void Coordinator::check_deadlines(Time now) const {
  std::string silent, others;
  for (int w = 1; w <= setup_.workers; ++w) {
    if (!told_none_[w] || finished_all_[w])
      continue;
    const std::string what = rank_name(w) + " in " + doing_[w];
    if (now > heard_[w] + rest_allowed_)
      silent += (silent.empty() ? "" : ", ") + what;
    else // silent for less: in a collective, it may be waiting for the hung one
      others += (others.empty() ? "" : ", ") + what + " (silent " +
                std::to_string(static_cast<long>(seconds(now - heard_[w]))) + " s)";
  }
  if (!silent.empty())
    throw JobHung("no word for " +
                  std::to_string(static_cast<long>(seconds(rest_allowed_))) +
                  " s (--task-timeout) from " + silent +
                  (others.empty() ? "" : "; not finished either: " + others) +
                  " (a rank that stops answering holds up the others' shuffle and write: "
                  "the one not in the shuffle or the write is the likely cause)");
  for (int w = 1; w <= setup_.workers; ++w) {
    const Copy &c = running_[w];
    if (c.task < 0 && !told_none_[w] && !is_idle(w) &&
        now > phase_start_ + allowance(setup_.task_timeout, 0))
      throw JobHung(rank_name(w) + " has not asked for a task within " +
                    std::to_string(static_cast<long>(seconds(now - phase_start_))) +
                    " s of the map phase's start (--task-timeout)");
    if (c.task >= 0 && now > c.deadline)
      throw JobHung(rank_name(w) + " has not finished " +
                    (c.load ? "loading" : "mapping") + " task " + std::to_string(c.task) +
                    " (input bytes " + std::to_string(splits_[c.task].begin) + ".." +
                    std::to_string(splits_[c.task].end) + ") within " +
                    std::to_string(static_cast<long>(seconds(now - c.started))) +
                    " s (--task-timeout)");
  }
}

void Coordinator::start(int w, std::int64_t t, bool backup, bool accepted, Time now) {
  if (state_[t] == State::done)
    throw std::logic_error("coordinator: a copy of task " + std::to_string(t) +
                           ", which is done");
  const core::Split &s = splits_[t];
  Assignment a{t,
               TaskKind::map,
               s.begin,
               s.end,
               std::nullopt,
               accepted,
               skip_[t],
               setup_.skip_bad_records.has_value()};
  a.backup = backup;
  Copy c;
  c.task = t;
  c.backup = backup;
  c.skip = skip_[t];
  if (committed_[t] && !damaged_[t]) {
    a.kind = TaskKind::load;
    a.commit = committed_[t];
    c.load = true;
  }
  c.started = now;
  c.deadline = now + allowance(setup_.task_timeout, s.end - s.begin);
  channel_.assign(w, a);
  running_[w] = c;
  state_[t] = State::running;
  ++copies_[t];
  if (backup) {
    ++report_.backups_started;
    say("map: backup copy of task " + std::to_string(t) + " on rank " +
        std::to_string(w));
  }
}

/// A task worth a backup copy on worker `w`: mapped by one copy only, on
/// another worker, running for longer than 1.5 x the median task so far
/// (so that the last regular tasks are not all done twice).
std::int64_t Coordinator::backup_candidate(int w, Time now) const {
  if (!setup_.backups || durations_.empty())
    return -1;
  std::vector<double> d = durations_;
  std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
  const double threshold = std::max(0.05, 1.5 * d[d.size() / 2]);
  std::int64_t best = -1;
  double oldest = threshold;
  for (int o = 1; o <= setup_.workers; ++o) {
    const Copy &c = running_[o];
    // A done task's copy still running is one being cancelled: a backup of
    // it would set the task running again and count it done twice.
    if (o == w || c.task < 0 || c.load || copies_[c.task] > 1 ||
        state_[c.task] == State::done)
      continue;
    if (seconds(now - c.started) > oldest) {
      oldest = seconds(now - c.started);
      best = c.task;
    }
  }
  return best;
}

void Coordinator::dispatch(Time now) {
  for (auto it = idle_.begin(); it != idle_.end();) {
    const int w = it->worker;
    if (const std::int64_t t = next_queued(w); t >= 0) {
      start(w, t, false, it->accepted, now);
    } else if (!queue_.empty()) {
      ++it; // only tasks that failed here: left for a worker that has not tried them
      continue;
    } else if (done_ == splits_.size()) {
      Assignment none;
      none.accepted = it->accepted;
      channel_.assign(w, none);
      told_none_[w] = true;
      heard_[w] = now;
    } else if (std::int64_t t = backup_candidate(w, now); t >= 0) {
      start(w, t, true, it->accepted, now);
    } else {
      ++it; // waits: a running task may still need a backup, or fail
      continue;
    }
    it = idle_.erase(it);
  }
}

void coordinate(const std::vector<core::Split> &splits,
                const std::vector<std::optional<ckpt::Commit>> &committed,
                const CoordinatorSetup &setup, CoordinatorReport &report,
                comm::ControlChannel &channel, const std::function<comm::Time()> &clock) {
  Coordinator c(splits, committed, setup, report, channel, clock());
  while (!c.finished()) {
    auto message = channel.wait(c.next_wakeup(clock()));
    c.step(message, clock());
  }
}

void coordinate_ranks(const std::vector<core::Split> &splits,
                      const std::vector<std::optional<ckpt::Commit>> &committed,
                      const CoordinatorSetup &setup, CoordinatorReport &report) {
  comm::ControlServer server;
  try {
    coordinate(splits, committed, setup, report, server,
               [] { return std::chrono::steady_clock::now(); });
  } catch (const JobHung &e) {
    std::fprintf(stderr,
                 "mapreduce: error: %s; aborting the job so that it can be restarted "
                 "(exit code %d)\n",
                 e.what(), kExitHung);
    std::fflush(stderr);
    comm::Comm::world().abort(kExitHung);
  } catch (const TaskFailed &e) {
    std::fprintf(stderr, "mapreduce: error: %s\n", e.what());
    std::fflush(stderr);
    comm::Comm::world().abort(1);
  }
}

} // namespace mr::engine
