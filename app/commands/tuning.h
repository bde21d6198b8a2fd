// What `mergelab sweep` and `mergelab evolve` share: the options of a tuning problem (core/search/tuning.h),
// Ctrl-C, progress lines and the results folder.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/commands/interrupt.h"
#include "core/search/tuning.h"

namespace mergelab::app {

/// Adds --data, --tune-split, --test-split, --objective, --scope, --seed, --eval-command, --eval-timeout, the LM
/// options (--tasks, --window, --max-docs, --metric, --lm-threads), --out, --force.
void add_tuning_options(ArgParser& args);
/// The problem the options describe, loaded; option errors throw CliError, file errors name the file.
search::TuningProblem load_tuning_problem(const std::string& config_path, const ArgParser& args);
/// Creates --out DIR (refusing existing files unless --force) and returns it ("" when no --out).
std::string prepare_out_dir(const ArgParser& args, const std::vector<std::string>& files);


/// "sweep: 4/11 candidates, 12000 tokens/s, 3.1 s, ETA 5.2 s, best 27.93 (lower is better)": on a terminal
/// rewritten in place, otherwise every tenth of the work.
std::function<void(const search::TuningProgress&)> progress_printer(const std::string& what, const search::TuningProblem& p);

}  // namespace mergelab::app
