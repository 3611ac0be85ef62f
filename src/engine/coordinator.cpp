// src/engine/coordinator.cpp: see coordinator.h.
#include "engine/coordinator.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <stdexcept>
#include <string>

#include "comm/comm.h"
#include "comm/control.h"

namespace mr::engine {

namespace {

using Clock = std::chrono::steady_clock;
using comm::Assignment;
using comm::MessageKind;
using comm::Outcome;
using comm::TaskKind;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

/// The deadline for work of `bytes`: the timeout for every 64 MiB begun.
Clock::duration allowance(double task_timeout, std::uint64_t bytes) {
  const double scale = std::max(1.0, static_cast<double>(bytes) / (64 << 20));
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(task_timeout * scale));
}

[[noreturn]] void abort_hung(const std::string &what) {
  std::fprintf(stderr,
               "mapreduce: error: %s; aborting the job so that it can be restarted "
               "(exit code %d)\n",
               what.c_str(), kExitHung);
  std::fflush(stderr);
  comm::Comm::world().abort(kExitHung);
}

std::string rank_name(const CoordinatorSetup &s, int rank) {
  std::string host = rank < static_cast<int>(s.hosts.size()) ? s.hosts[rank] : "?";
  return "rank " + std::to_string(rank) + " (host " + host + ")";
}

enum class State : std::uint8_t { pending, running, done };

/// One copy of a task running on a worker.
struct Copy {
  std::int64_t task = -1;
  bool load = false;
  bool backup = false;
  Clock::time_point started, deadline;
};

class Coordinator {
public:
  Coordinator(const std::vector<core::Split> &splits,
              const std::vector<std::optional<ckpt::Commit>> &committed,
              const CoordinatorSetup &setup, CoordinatorReport &report)
      : splits_(splits), committed_(committed), setup_(setup), report_(report),
        state_(splits.size(), State::pending), copies_(splits.size(), 0),
        running_(setup.workers + 1) {
    for (std::size_t t = 0; t < splits.size(); ++t)
      queue_.push_back(static_cast<std::int64_t>(t));
  }

  void run() {
    while (all_done_ < setup_.workers) {
      auto message = server_.wait(next_wakeup());
      if (message)
        handle(*message);
      check_deadlines();
      dispatch();
    }
  }

private:
  Clock::time_point next_wakeup() const {
    auto t = Clock::now() + std::chrono::seconds(5);
    for (int w = 1; w <= setup_.workers; ++w)
      if (told_none_[w] && !finished_all_[w])
        t = std::min(t, heard_[w] + rest_allowed_);
    for (const Copy &c : running_)
      if (c.task >= 0)
        t = std::min(t, c.deadline);
    if (!idle_.empty()) // idle workers may take a backup soon
      t = std::min(t, Clock::now() + std::chrono::milliseconds(50));
    return t;
  }

  void handle(const comm::WorkerMessage &m) {
    const int w = m.source;
    if (w < 1 || w > setup_.workers)
      throw std::runtime_error("a message from rank " + std::to_string(w) +
                               ", which is not a worker");
    heard_[w] = Clock::now();
    switch (static_cast<MessageKind>(m.kind)) {
    case MessageKind::request:
      break;
    case MessageKind::committed:
      if (setup_.manifest)
        setup_.manifest->append(m.text);
      ++report_.partitions_committed;
      return;
    case MessageKind::progress:
      doing_[w] = m.text;
      return;
    case MessageKind::finished:
      finished_all_[w] = true;
      ++all_done_;
      return;
    }
    if (told_none_[w])
      throw std::runtime_error(rank_name(setup_, w) +
                               " asked for a task after the map phase ended");
    Copy &copy = running_.at(w);
    bool accepted = true;
    if (m.task >= 0) {
      if (copy.task != m.task)
        throw std::runtime_error(rank_name(setup_, w) + " reported task " +
                                 std::to_string(m.task) + " that it was not running");
      accepted = finish(w, copy, static_cast<Outcome>(m.outcome), m.text);
      copy = Copy{};
    }
    idle_.push_back({w, accepted});
  }

  /// A copy ended; returns whether its output is the one kept.
  bool finish(int w, const Copy &copy, Outcome outcome, const std::string &text) {
    const auto t = static_cast<std::size_t>(copy.task);
    --copies_[t];
    if (outcome == Outcome::failed) {
      std::fprintf(stderr, "mapreduce: error: %s\n", text.c_str());
      std::fflush(stderr);
      comm::Comm::world().abort(1); // the input's fault: not worth a retry
    }
    if (outcome == Outcome::abandoned || state_[t] == State::done)
      return false;
    if (outcome == Outcome::load_failed) {
      if (!setup_.quiet)
        std::fprintf(stderr, "resume: task %zu: %s; mapping it again\n", t, text.c_str());
      ++report_.tasks_damaged;
      damaged_.push_back(copy.task);
      queue_.push_front(copy.task); // mapped now, not loaded
      if (copies_[t] == 0)
        state_[t] = State::pending;
      return false;
    }
    if (setup_.manifest && !copy.load) {
      if (text.empty())
        throw std::runtime_error(rank_name(setup_, w) + " finished task " +
                                 std::to_string(t) + " without committing it");
      setup_.manifest->append(text);
    }
    state_[t] = State::done;
    ++done_;
    if (!copy.load)
      durations_.push_back(since(copy.started));
    if (copy.load)
      ++report_.tasks_reused;
    else
      ++report_.tasks_mapped;
    if (copy.backup)
      ++report_.backups_won;
    for (int other = 1; other <= setup_.workers; ++other) // the losing copy stops
      if (other != w && running_[other].task == copy.task)
        server_.cancel(other, copy.task);
    progress();
    return true;
  }

  void progress() {
    const std::size_t total = splits_.size();
    if (!setup_.quiet && total >= 10 && done_ * 10 / total > reported_tenths_) {
      reported_tenths_ = done_ * 10 / total;
      std::fprintf(stderr, "map: %zu/%zu tasks done\n", done_, total);
    }
  }

  bool is_idle(int w) const {
    return std::any_of(idle_.begin(), idle_.end(),
                       [w](const Idle &i) { return i.worker == w; });
  }

  void check_deadlines() const {
    const auto now = Clock::now();
    std::string silent, others;
    for (int w = 1; w <= setup_.workers; ++w) {
      if (!told_none_[w] || finished_all_[w])
        continue;
      const std::string what = rank_name(setup_, w) + " in " + doing_[w];
      if (now > heard_[w] + rest_allowed_)
        silent += (silent.empty() ? "" : ", ") + what;
      else // silent for less: in a collective, it may be waiting for the hung one
        others += (others.empty() ? "" : ", ") + what + " (silent " +
                  std::to_string(static_cast<long>(
                      std::chrono::duration<double>(now - heard_[w]).count())) +
                  " s)";
    }
    if (!silent.empty())
      abort_hung("no word for " +
                 std::to_string(static_cast<long>(
                     std::chrono::duration<double>(rest_allowed_).count())) +
                 " s (--task-timeout) from " + silent +
                 (others.empty() ? "" : "; not finished either: " + others) +
                 " (a rank that stops answering holds up the others' shuffle and write: "
                 "the one not in the shuffle or the write is the likely cause)");
    for (int w = 1; w <= setup_.workers; ++w) {
      const Copy &c = running_[w];
      if (c.task < 0 && !told_none_[w] && !is_idle(w) &&
          now > phase_start_ + allowance(setup_.task_timeout, 0))
        abort_hung(rank_name(setup_, w) + " has not asked for a task within " +
                   std::to_string(static_cast<long>(since(phase_start_))) +
                   " s of the map phase's start (--task-timeout)");
      if (c.task >= 0 && now > c.deadline)
        abort_hung(rank_name(setup_, w) + " has not finished " +
                   (c.load ? "loading" : "mapping") + " task " + std::to_string(c.task) +
                   " (input bytes " + std::to_string(splits_[c.task].begin) + ".." +
                   std::to_string(splits_[c.task].end) + ") within " +
                   std::to_string(static_cast<long>(since(c.started))) +
                   " s (--task-timeout)");
    }
  }

  bool is_damaged(std::int64_t t) const {
    return std::find(damaged_.begin(), damaged_.end(), t) != damaged_.end();
  }

  void start(int w, std::int64_t t, bool backup) {
    const core::Split &s = splits_[t];
    Assignment a{t, static_cast<int>(TaskKind::map), s.begin, s.end, {}, true};
    Copy c;
    c.task = t;
    c.backup = backup;
    if (committed_[t] && !is_damaged(t)) {
      a.kind = static_cast<int>(TaskKind::load);
      a.commit = committed_[t]->record();
      c.load = true;
    }
    c.started = Clock::now();
    c.deadline = c.started + allowance(setup_.task_timeout, s.end - s.begin);
    a.accepted = pending_accept_;
    server_.assign(w, a);
    running_[w] = c;
    state_[t] = State::running;
    ++copies_[t];
    if (backup) {
      ++report_.backups_started;
      if (!setup_.quiet)
        std::fprintf(stderr, "map: backup copy of task %lld on rank %d\n",
                     static_cast<long long>(t), w);
    }
  }

  /// A task worth a backup copy on worker `w`: mapped by one copy only, on
  /// another worker, running for longer than 1.5 x the median task so far
  /// (so that the last regular tasks are not all done twice).
  std::int64_t backup_candidate(int w) const {
    if (!setup_.backups || durations_.empty())
      return -1;
    std::vector<double> d = durations_;
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    const double threshold = std::max(0.05, 1.5 * d[d.size() / 2]);
    std::int64_t best = -1;
    double oldest = threshold;
    for (int o = 1; o <= setup_.workers; ++o) {
      const Copy &c = running_[o];
      if (o == w || c.task < 0 || c.load || copies_[c.task] > 1)
        continue;
      if (since(c.started) > oldest) {
        oldest = since(c.started);
        best = c.task;
      }
    }
    return best;
  }

  void dispatch() {
    for (auto it = idle_.begin(); it != idle_.end();) {
      const int w = it->worker;
      pending_accept_ = it->accepted;
      if (!queue_.empty()) {
        const std::int64_t t = queue_.front();
        queue_.pop_front();
        start(w, t, false);
      } else if (done_ == splits_.size()) {
        Assignment none;
        none.accepted = pending_accept_;
        server_.assign(w, none);
        told_none_[w] = true;
        heard_[w] = Clock::now();
      } else if (std::int64_t t = backup_candidate(w); t >= 0) {
        start(w, t, true);
      } else {
        ++it; // waits: a running task may still need a backup, or fail
        continue;
      }
      it = idle_.erase(it);
    }
  }

  struct Idle {
    int worker;
    bool accepted; // the answer owed for the copy it reported
  };

  const std::vector<core::Split> &splits_;
  const std::vector<std::optional<ckpt::Commit>> &committed_;
  const CoordinatorSetup &setup_;
  CoordinatorReport &report_;
  comm::ControlServer server_;
  std::vector<State> state_;
  std::vector<int> copies_;   // copies of each task running now
  std::vector<Copy> running_; // by world rank
  std::deque<std::int64_t> queue_;
  std::vector<std::int64_t> damaged_;
  std::vector<Idle> idle_;
  std::vector<double> durations_;
  bool pending_accept_ = true;
  std::size_t done_ = 0, reported_tenths_ = 0;
  Clock::time_point phase_start_ = Clock::now();
  std::vector<bool> told_none_ = std::vector<bool>(setup_.workers + 1, false);
  // After the map phase: when each worker was last heard of, what it said it
  // was doing, whether it has finished its part.
  std::vector<Clock::time_point> heard_ =
      std::vector<Clock::time_point>(setup_.workers + 1, Clock::now());
  std::vector<std::string> doing_ =
      std::vector<std::string>(setup_.workers + 1, "the map phase");
  std::vector<bool> finished_all_ = std::vector<bool>(setup_.workers + 1, false);
  int all_done_ = 0;
  Clock::duration rest_allowed_ = allowance(setup_.task_timeout, setup_.bytes_per_worker);
};

} // namespace

void coordinate(const std::vector<core::Split> &splits,
                const std::vector<std::optional<ckpt::Commit>> &committed,
                const CoordinatorSetup &setup, CoordinatorReport &report) {
  Coordinator(splits, committed, setup, report).run();
}

} // namespace mr::engine
