// src/comm/control.h: the small messages between the coordinator (world rank
// 0) and the workers. Workers pull: "give me a task (and here is how the
// last one went)"; the coordinator answers with a task, or with nothing when
// the map phase is over. After the map phase, workers tell the coordinator
// what they commit and how far they got, so that it can name a rank that
// stops answering. The coordinator may cancel a task whose backup copy won.
//
// The coordinator's side is an interface, ControlChannel: over MPI
// (ControlServer) between ranks, in process (LocalChannel) for a
// single-rank run and for tests of the coordinator's policy.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ckpt/manifest.h"

namespace mr::comm {

using Time = std::chrono::steady_clock::time_point;

enum class TaskKind : int {
  none = 0, // no more tasks: the map phase is over for this worker
  map = 1,  // map input bytes [begin, end)
  load = 2, // take the task's output from the checkpoint (`commit`)
};

struct Assignment {
  std::int64_t id = -1;
  TaskKind kind = TaskKind::none;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::optional<ckpt::Commit> commit; // load: what the manifest says of the task
  bool accepted = true;               // was the output reported with the request kept?
  // --skip-bad-records: the records (input offsets, ascending) not to map,
  // and whether a failure that names no record is narrowed down to one.
  std::vector<std::uint64_t> skip;
  bool isolate = false;
  bool backup = false; // a backup copy of a task another worker runs (for the report)
};

/// No record: the job failed in finish_task, or the input, not in map.
constexpr std::uint64_t kNoRecord = ~std::uint64_t{0};

enum class MessageKind : int {
  request = 0,   // task: the one finished (or -1); outcome; commit: its output
  committed = 1, // commit: a reduce partition's committed file
  progress = 2,  // text: what the worker does now ("the shuffle", ...); task: the
                 // phase after the map it is in (a number the engine defines),
                 // or -1; amount, of: how far it is in that phase
  finished = 3,  // the worker's part is done
};

enum class Outcome : int {
  none = 0,
  done = 1,        // the task's output is ready (and committed, when checkpointing)
  load_failed = 2, // its checkpoint was damaged; text says why
  abandoned = 3,   // cancelled: another copy won
  failed = 4,      // the task cannot be done (damaged input): text says why
  job_failed = 5,  // the job's code failed on it (threw): text says why; tried again
};

struct WorkerMessage {
  MessageKind kind = MessageKind::request;
  std::int64_t task = -1;
  Outcome outcome = Outcome::none;
  std::string text;                   // failed, load_failed: why; progress: what
  std::uint64_t amount = 0, of = 0;   // progress: done, of all in its phase
  std::optional<ckpt::Commit> commit; // a mapped task's or a partition's commit
  int source = -1;                    // world rank of the sender (set on receipt)
  // job_failed: the record map failed on (its input offset), and where it
  // is for people ("FILE at byte N: \"its first bytes\"").
  std::uint64_t bad_record = kNoRecord;
  std::string bad_where;
};

/// The coordinator's side of the channel.
class ControlChannel {
public:
  virtual ~ControlChannel() = default;
  /// The next message from any worker, or nothing if none came by `until`.
  virtual std::optional<WorkerMessage> wait(Time until) = 0;
  virtual void assign(int worker, const Assignment &task) = 0;
  /// Tells `worker` to drop task `id` (its backup copy won).
  virtual void cancel(int worker, std::int64_t id) = 0;
};

/// Over MPI, on world rank 0. Waits without spinning (test, then sleep
/// with backoff): ranks often share cores with the workers that do the work.
class ControlServer : public ControlChannel {
public:
  ControlServer();
  ~ControlServer() override;
  std::optional<WorkerMessage> wait(Time until) override;
  void assign(int worker, const Assignment &task) override;
  void cancel(int worker, std::int64_t id) override;

private:
  struct Pending;
  Pending *pending_;
};

/// In process: messages wait in queues. `wait` never sleeps: it returns the
/// oldest message, or nothing at once.
class LocalChannel : public ControlChannel {
public:
  void send(WorkerMessage m) { inbox_.push_back(std::move(m)); }
  std::optional<WorkerMessage> wait(Time) override;
  void assign(int worker, const Assignment &task) override;
  void cancel(int worker, std::int64_t id) override;
  /// What the coordinator sent `worker` since the last call, oldest first.
  std::optional<Assignment> take_assignment(int worker);
  std::optional<std::int64_t> take_cancel(int worker);

private:
  std::deque<WorkerMessage> inbox_;
  std::map<int, std::deque<Assignment>> assigned_;
  std::map<int, std::deque<std::int64_t>> cancelled_;
};

/// Worker side, over MPI.
class ControlClient {
public:
  /// Sends a request (with how the last task went) and waits for the answer.
  Assignment request(const WorkerMessage &m);
  /// Sends a message that needs no answer.
  void tell(const WorkerMessage &m);
  /// A task the coordinator cancelled since the last call, if any.
  std::optional<std::int64_t> poll_cancel();
};

} // namespace mr::comm
