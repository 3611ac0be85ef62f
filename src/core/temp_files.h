// src/core/temp_files.h: the temporary files this process is writing, so that
// SIGTERM or SIGINT (Slurm's time limit, a user's Ctrl-C) can remove them
// before the process exits: what is interrupted never looks complete. And
// the process groups of the commands it runs (a streaming job's), killed
// then too: in groups of their own, they would outlive the rank.
#pragma once

#include <string>

namespace mr::core {

/// Registers `path` until the matching `forget_temp_file`. At most a few at
/// once (a checkpoint file and a partial output); beyond that, not tracked.
void track_temp_file(const std::string &path);
void forget_temp_file(const std::string &path);

/// Registers the process group `leader` (a command we started) until the
/// matching `forget_child_group`; SIGTERM, SIGINT and a crash of the rank
/// (kill_child_groups) send it SIGKILL. At most 64 at once.
void track_child_group(int leader);
void forget_child_group(int leader);
/// SIGKILL to every registered group. Async-signal-safe.
void kill_child_groups();

/// Exit code of a run stopped by SIGTERM or SIGINT; the next `--resume`
/// continues from what was committed.
constexpr int kExitInterrupted = 75; // EX_TEMPFAIL

/// Installs handlers for SIGTERM and SIGINT that remove the tracked files and
/// end the process at once with kExitInterrupted. Committed work stands; an
/// append to the checkpoint manifest cut short is detected on resume by its
/// record checksum. Only a process with `announce` prints a message (rank
/// 0: mpirun and srun signal every rank).
void exit_cleanly_on_signals(bool announce);

/// For a run whose outcome is decided and said (a refusal every rank
/// reached, a failure reported): a SIGTERM or SIGINT from now on ends the
/// process with `code`, silently. mpirun signals the ranks still finishing
/// as soon as the first one exits non-zero; "stopped by SIGTERM ... continue
/// with --resume" after the refusal would be false.
void settle_exit_code(int code);

} // namespace mr::core
