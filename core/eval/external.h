// External evaluator: any program that scores a checkpoint folder (transformers, llama.cpp, lm-eval, a script).
//
// The command template is a shell command line; every "{model_dir}" in it is replaced by the folder's path
// single-quoted for the shell ('...' with each ' written as '\''), so a path with spaces, quotes, $ or ;
// stays one argument and is never interpreted. The result runs as `/bin/sh -c COMMAND` (fork + execve),
// in its own process group, with stdin from /dev/null, the environment of this process plus
// MERGELAB_MODEL_DIR=<folder> (unquoted), and stdout/stderr captured through pipes (poll).
// Anything else in the template is the user's own shell code, run as written.
//
// Contract for the program: exit 0 and print, as the LAST non-empty line of stdout, a JSON object whose
// values are all numbers, e.g. {"accuracy": 0.91, "loss": 0.28}. Earlier stdout lines are free (logs).
//
// Failures (ExternalEvalResult::ok == false, `error` says which, in one line):
//   - the command cannot be started;
//   - timeout: the whole process group gets SIGTERM, then SIGKILL after a short grace period;
//   - cancel: when ExternalEvalOptions::cancel becomes true (checked at least every 100 ms), the group is ended
//     the same way and the result says "evaluator was cancelled" (cancelled == true);
//   - killed by a signal, or non-zero exit: the error carries the exit status and the tail of stderr;
//   - no non-empty stdout line, a last line that is not JSON, JSON that is not an object, or an object with
//     a value that is not a number (the key is named).
// The timeout also covers background children that keep the pipes open after the shell exits.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include "core/eval/mlp.h"  // MetricMap

namespace mergelab::eval {

struct ExternalEvalOptions {
  std::string command_template;           // e.g. "python3 eval.py {model_dir}"
  double timeout_seconds = 600.0;         // wall clock, > 0
  double kill_grace_seconds = 2.0;        // SIGTERM -> SIGKILL delay on timeout
  std::size_t max_output_bytes = 1 << 20; // stdout kept beyond this is dropped from the front (stderr too)
  std::size_t stderr_tail_lines = 20;     // lines of stderr quoted in an error
  const std::atomic<bool>* cancel = nullptr;  // when set and true: the program is stopped (see above)
};

struct ExternalEvalResult {
  bool ok = false;
  MetricMap metrics;         // when ok
  std::string error;         // when !ok: one line, then (for exit failures) the stderr tail
  std::string command;       // the command line as run by /bin/sh -c
  int exit_code = -1;        // exit status, or -1 when killed / not started
  int term_signal = 0;       // the signal that ended the shell, 0 when it exited
  bool timed_out = false;
  bool cancelled = false;    // stopped through ExternalEvalOptions::cancel
  double seconds = 0;        // wall time
  std::string stdout_text;   // captured (possibly truncated at the front)
  std::string stderr_text;
};

/// Quotes `text` for /bin/sh: 'text' with every ' written as '\''.
std::string shell_quote(const std::string& text);

/// The template with every "{model_dir}" replaced by shell_quote(model_dir).
std::string expand_command(const std::string& command_template, const std::string& model_dir);

/// Parses the last non-empty line of `stdout_text` as a JSON object of numbers.
/// Returns an empty string on success (metrics filled), else the error.
std::string parse_metrics_line(const std::string& stdout_text, MetricMap& metrics);

/// Runs the evaluator on `model_dir`. Never throws for failures of the program (see ok/error);
/// throws std::invalid_argument for an empty template or a non-positive timeout.
/// Safe to call from several threads at once.
ExternalEvalResult run_external_evaluator(const ExternalEvalOptions& options, const std::filesystem::path& model_dir);

}  // namespace mergelab::eval
