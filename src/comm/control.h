// src/comm/control.h: the small messages between the coordinator (world rank
// 0) and the workers. Workers pull: "give me a task (and here is how the
// last one went)"; the coordinator answers with a task, or with nothing when
// the map phase is over. After the map phase, workers tell the coordinator
// what they commit and how far they got, so that it can name a rank that
// stops answering. The coordinator may cancel a task whose backup copy won.
// Both sides wait without spinning (test, then sleep with backoff): ranks
// often share cores with the workers that do the work.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "comm/comm.h"

namespace mr::comm {

enum class TaskKind : int {
  none = 0, // no more tasks: the map phase is over for this worker
  map = 1,  // map input bytes [begin, end)
  load = 2, // take the task's output from the checkpoint (`commit`)
};

struct Assignment {
  std::int64_t id = -1;
  int kind = 0; // TaskKind
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::string commit;   // load: the task's manifest record
  bool accepted = true; // was the output reported with the request kept?
};

enum class MessageKind : int {
  request = 0,   // task: the one finished (or -1); outcome; text: its commit
  committed = 1, // text: a manifest record ("reduce ...")
  progress = 2,  // text: what the worker starts now ("shuffle", "reduce 3", ...)
  finished = 3,  // the worker's part is done
};

enum class Outcome : int {
  none = 0,
  done = 1,        // the task's output is ready (and committed, when checkpointing)
  load_failed = 2, // its checkpoint was damaged; text says why
  abandoned = 3,   // cancelled: another copy won
  failed = 4,      // the task cannot be done (damaged input): text says why
};

struct WorkerMessage {
  int kind = 0; // MessageKind
  std::int64_t task = -1;
  int outcome = 0; // Outcome
  std::string text;
  int source = -1; // world rank of the sender (set on receipt)
};

/// Coordinator side, on world rank 0.
class ControlServer {
public:
  ControlServer();
  ~ControlServer();
  /// The next message from any worker, or nothing if none came by `until`.
  std::optional<WorkerMessage> wait(std::chrono::steady_clock::time_point until);
  void assign(int worker, const Assignment &task);
  /// Tells `worker` to drop task `id` (its backup copy won).
  void cancel(int worker, std::int64_t id);

private:
  struct Pending;
  Pending *pending_;
};

/// Worker side.
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
