// Ctrl-C and SIGTERM for the sub-commands: one process-wide flag that long work polls (engine runs, searches,
// LM evaluations, weight-space computations), so an interrupted command reports what it finished and exits.
#pragma once

#include <atomic>

namespace mergelab::app {

/// The flag the handlers set; hand it to the work as its cancel pointer (it lives as long as the process).
const std::atomic<bool>* interrupt_flag();

/// Clears the flag and installs the handlers for SIGINT and SIGTERM (until restore_interrupt_handlers()).
void install_interrupt_handlers();
/// The default handlers again: a second Ctrl-C ends the process at once.
void restore_interrupt_handlers();

/// install_interrupt_handlers() while this lives.
class InterruptFlag {
 public:
  InterruptFlag() { install_interrupt_handlers(); }
  ~InterruptFlag() { restore_interrupt_handlers(); }
  InterruptFlag(const InterruptFlag&) = delete;
  InterruptFlag& operator=(const InterruptFlag&) = delete;
  const std::atomic<bool>* flag() const { return interrupt_flag(); }
  bool raised() const { return flag()->load(); }
};

}  // namespace mergelab::app
