// src/core/temp_files.h: the temporary files this process is writing, so that
// SIGTERM or SIGINT (Slurm's time limit, a user's Ctrl-C) can remove them
// before the process exits: what is interrupted never looks complete.
#pragma once

#include <string>

namespace mr::core {

/// Registers `path` until the matching `forget_temp_file`. At most a few at
/// once (a checkpoint file and a partial output); beyond that, not tracked.
void track_temp_file(const std::string &path);
void forget_temp_file(const std::string &path);

/// Exit code of a run stopped by SIGTERM or SIGINT; the next `--resume`
/// continues from what was committed.
constexpr int kExitInterrupted = 75; // EX_TEMPFAIL

/// Installs handlers for SIGTERM and SIGINT that remove the tracked files and
/// end the process at once with kExitInterrupted. Committed work stands; an
/// append to the checkpoint manifest cut short is detected on resume by its
/// record checksum. Only a process with `announce` prints a message (rank
/// 0: mpirun and srun signal every rank).
void exit_cleanly_on_signals(bool announce);

} // namespace mr::core
