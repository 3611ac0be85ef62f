// src/core/console.h: stderr is shared by the progress line rank 0 redraws
// in place on a terminal and by the messages of the rest of the process (a
// streaming command's stderr, a retried partition). A message must not land
// in the middle of that line: whoever prints one ends the line first.
#pragma once

namespace mr::core {

/// A line is now open on stderr (redrawn in place); `end` ends it (prints
/// the newline). Replaces any line registered before.
void open_stderr_line(void (*end)(void *), void *context);
/// The open line ended (or its owner is gone): nothing to end any more.
void close_stderr_line(void *context);
/// Before printing a message on stderr: ends the open line, if any.
void end_stderr_line();

} // namespace mr::core
