#include "app/commands/interrupt.h"

#include <csignal>

namespace mergelab::app {

namespace {
std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt_signal(int) { g_interrupted = true; }
}  // namespace

const std::atomic<bool>* interrupt_flag() { return &g_interrupted; }

void install_interrupt_handlers() {
  g_interrupted = false;
  std::signal(SIGINT, on_interrupt_signal);
  std::signal(SIGTERM, on_interrupt_signal);
}

void restore_interrupt_handlers() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

}  // namespace mergelab::app
