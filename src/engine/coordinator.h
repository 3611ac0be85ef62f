// src/engine/coordinator.h: rank 0's part of a run. In the map phase it hands
// tasks to the workers that ask (mapping, or taking a task's committed output
// from the checkpoint), runs backup copies of the last tasks on idle workers,
// records every commit in the manifest, and stops the job, naming the rank,
// when a worker stops answering. After the map phase it records the workers'
// committed partitions and watches them until all have written their rows.
//
// The policy (Coordinator) knows neither MPI nor the time: messages come
// and go through a comm::ControlChannel, and every step is given the time
// it happens at, so that tests drive it in process with a fake clock.
// A single-rank run goes through the same policy (engine/worker.h).
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ckpt/manifest.h"
#include "comm/control.h"
#include "core/splitter.h"
#include "engine/crash_record.h"
#include "engine/progress.h"

namespace mr::engine {

/// Exit code of a run that a rank stopped answering (see --task-timeout).
constexpr int kExitHung = 4;

struct CoordinatorSetup {
  int workers = 0;                    // world ranks 1..workers
  std::vector<std::string> hosts;     // by world rank, for messages
  double task_timeout = 600;          // seconds, for a task of up to 64 MiB
  std::uint64_t bytes_per_worker = 0; // scales the deadline after the map phase
  bool backups = true;
  /// A map task whose job code fails is tried again (on another worker
  /// where there is one) until it has failed this many times.
  std::uint32_t task_attempts = 4;
  /// --skip-bad-records: a record map failed on twice is skipped, up to
  /// this many in all (more fail the job); nothing: never skip.
  std::optional<std::uint64_t> skip_bad_records;
  /// Records that crashed ranks of earlier runs (one entry a crash).
  std::vector<crash::Crash> crashes;
  bool deadlines = true; // off in a single-rank run: no other rank to watch
  bool quiet = false;
  ckpt::Manifest *manifest = nullptr; // when checkpointing
  /// Map progress (engine/progress.h) on this stream, unless quiet:
  /// redrawn in place on a terminal, else a line every progress_seconds.
  std::FILE *progress_out = nullptr;
  bool progress_redraw = false;
  double progress_seconds = 10;
};

struct CoordinatorReport {
  std::uint64_t tasks_mapped = 0;  // map copies accepted
  std::uint64_t tasks_reused = 0;  // taken from the checkpoint
  std::uint64_t tasks_damaged = 0; // checkpointed but unusable: mapped again
  std::uint64_t backups_started = 0;
  std::uint64_t backups_won = 0;
  std::uint64_t partitions_committed = 0;
  struct SkippedRecord {
    std::uint64_t task = 0;
    std::uint64_t offset = 0; // in the input
    std::string where;        // "FILE at byte N: \"its first bytes\""
  };
  std::vector<SkippedRecord> skipped; // in the accepted map outputs
};

/// A worker stopped answering, or did not finish a task in time: the job
/// ends with kExitHung so that it can be restarted.
struct JobHung : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A task cannot be done (its input is damaged): the job ends with exit 1,
/// once, whichever worker found it.
struct TaskFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Coordinator {
public:
  using Time = comm::Time;

  /// `committed[t]` is task t's commit when its output can be taken from
  /// the checkpoint. Sends through `channel`; `now` starts the map phase.
  Coordinator(const std::vector<core::Split> &splits,
              const std::vector<std::optional<ckpt::Commit>> &committed,
              const CoordinatorSetup &setup, CoordinatorReport &report,
              comm::ControlChannel &channel, Time now);

  /// Takes a message that came (if any), checks deadlines, hands out work.
  /// Throws JobHung or TaskFailed when the job must end.
  void step(const std::optional<comm::WorkerMessage> &message, Time now);
  /// When the next step is due if no message comes.
  Time next_wakeup(Time now) const;
  /// Every worker has said its part is done.
  bool finished() const { return all_done_ == setup_.workers; }

private:
  enum class State : std::uint8_t { pending, running, done };
  struct Copy { // one copy of a task running on a worker
    std::int64_t task = -1;
    bool load = false;
    bool backup = false;
    Time started, deadline;
    std::vector<std::uint64_t> skip; // records it was told to skip
  };
  struct BadRecord {
    std::uint32_t failures = 0;
    std::string where;
  };
  void take_crashes();
  struct Idle {
    int worker;
    bool accepted; // the answer owed for the copy it reported
  };

  void handle(const comm::WorkerMessage &m, Time now);
  bool finish(int w, const Copy &copy, const comm::WorkerMessage &m, Time now);
  /// Appends a commit to the manifest, with the records its output lacks.
  void record(const std::string &kind, const comm::WorkerMessage &m, int w,
              const std::vector<std::uint64_t> &skipped = {});
  void take_committed_skips();
  /// Adds `offset` to task t's records to skip and counts it against
  /// --skip-bad-records MAX; false if t skips it already. Over MAX: throws
  /// TaskFailed, its text ending with `last` (which record, and why).
  bool skip_record(std::size_t t, std::uint64_t offset, const std::string &last);
  /// Prints the progress line of the phase the run is in, if one is due,
  /// after the last line of a phase that just ended.
  void progress(Time now);
  /// The phase the run waits on: 0 while tasks are left to map, else the
  /// earliest phase (engine::Phase) a worker is in; 4 when all are done.
  int current_phase() const;
  std::string progress_line(int phase, Time now) const;
  MapProgressState map_state(Time now) const;
  PhaseProgressState phase_state(int phase) const;
  void say(const std::string &line);
  bool is_idle(int w) const;
  void check_deadlines(Time now) const;
  void start(int w, std::int64_t t, bool backup, bool accepted, Time now);
  std::int64_t backup_candidate(int w, Time now) const;
  void dispatch(Time now);
  bool job_failed(int w, std::size_t t, const comm::WorkerMessage &m);
  bool tried_on(std::size_t t, int w) const;
  std::int64_t next_queued(int w);
  std::string rank_name(int rank) const;

  const std::vector<core::Split> &splits_;
  const std::vector<std::optional<ckpt::Commit>> &committed_;
  const CoordinatorSetup &setup_;
  CoordinatorReport &report_;
  comm::ControlChannel &channel_;
  std::vector<State> state_;
  std::vector<int> copies_;   // copies of each task running now
  std::vector<Copy> running_; // by world rank
  std::deque<std::int64_t> queue_;
  std::vector<bool> damaged_; // by task: its checkpoint could not be loaded
  // By task: the workers on which the job's code failed on it, in order
  // (one entry an attempt), and what the last failure said.
  std::vector<std::vector<int>> failed_on_;
  std::vector<std::string> last_failure_;
  // --skip-bad-records: records map failed on, by input offset; by task, the
  // records its next copies skip (ascending); records skipped in all.
  std::map<std::uint64_t, BadRecord> bad_;
  std::vector<std::vector<std::uint64_t>> skip_;
  std::uint64_t skipped_total_ = 0;
  std::vector<Idle> idle_;
  std::vector<double> durations_; // seconds, of the map copies accepted
  std::size_t done_ = 0;
  std::uint64_t bytes_ = 0, bytes_done_ = 0, bytes_mapped_ = 0; // input bytes of tasks
  Time phase_start_;
  Time::duration rest_allowed_; // silence allowed after the map phase
  // By world rank: told the map phase is over; when last heard of (after
  // that); what it said it was doing; whether its part is done.
  std::vector<bool> told_none_;
  std::vector<Time> heard_;
  std::vector<std::string> doing_;
  std::vector<bool> finished_all_;
  int all_done_ = 0;
  // By world rank: the phase after the map it said it is in (0: none yet),
  // and how far it is in each phase (amount of `of`; engine::Phase index).
  struct Reached {
    std::uint64_t amount = 0, of = 0;
  };
  std::vector<int> phase_;
  std::vector<std::array<Reached, 4>> reached_;
  int shown_phase_ = 0; // the phase the progress line is about
  ProgressLine progress_;
};

/// Serves the whole run over `channel` until every worker said it has
/// finished; `clock` tells the time. Throws as Coordinator::step does.
void coordinate(const std::vector<core::Split> &splits,
                const std::vector<std::optional<ckpt::Commit>> &committed,
                const CoordinatorSetup &setup, CoordinatorReport &report,
                comm::ControlChannel &channel, const std::function<comm::Time()> &clock);

/// The same over MPI on world rank 0; ends the job (MPI_Abort) with
/// kExitHung or exit 1 as the policy decides, after saying why.
void coordinate_ranks(const std::vector<core::Split> &splits,
                      const std::vector<std::optional<ckpt::Commit>> &committed,
                      const CoordinatorSetup &setup, CoordinatorReport &report);

} // namespace mr::engine
