// What `mergelab path`, `plane` and `landscape` share: checkpoints loaded as flat vectors, the data and the
// scorer (the MLP classifier's, or the language model's mean NLL per token when the first checkpoint's
// config.json is a language model), progress on stderr, and the CSV/JSON forms of scored points.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cli.h"
#include "core/analysis/flat_models.h"
#include "core/analysis/run_control.h"
#include "core/analysis/scorer.h"

namespace mergelab::app {

struct ScoringSetup {
  analysis::FlatModels models;
  analysis::Scorer scorer;
  std::string data, split;
};

/// Adds --data DIR, --split NAME (default test), --tasks, --window, --max-docs (language models), --threads N
/// (default 0: one per core), --json, --csv.
void add_scoring_options(ArgParser& args);
/// Loads the checkpoints (the first one's config.json describes the model: a classifier, or a language model scored
/// by analysis::lm_scorer) and the --data folder's split.
/// Throws CliError for usage problems, library errors naming the file otherwise.
ScoringSetup load_scoring(const std::vector<std::string>& model_paths, const ArgParser& args);
/// --threads, progress lines on stderr ("WHAT: done/total points, S s": in place on a terminal, at most one a
/// second otherwise, and the last), and Ctrl-C as the cancel flag.
analysis::RunControl progress_control(const std::string& what, const ArgParser& args);
/// Ends the progress line on a terminal; says so when Ctrl-C stopped the run.
void finish_progress();

/// An integer option within [lo, hi]; throws CliError "--NAME must be between LO and HI" otherwise.
int int_option(const ArgParser& args, const std::string& name, long lo, long hi);
/// The JSON every command starts with: {"command", "data", "split", "scorer"}.
nlohmann::ordered_json json_header(const std::string& command, const ScoringSetup& s);
/// Prints a b-major grid of combined values (rows `y_name` from the top value down, columns `x_name`; "-" where a cell
/// was not evaluated) and returns the index of the best evaluated cell.
std::size_t print_grid(const analysis::Scorer& scorer, const std::vector<double>& xs, const std::vector<double>& ys,
                       const std::vector<analysis::PointScore>& cells, const std::vector<bool>& evaluated,
                       const char* x_name, const char* y_name);

/// Exactly representable text of a double for CSV (%.17g; "nan" for NaN).
std::string csv_number(double v);
/// The CSV header cells of a scorer: every metric name, then the combined value's name.
std::string csv_metric_header(const analysis::Scorer& scorer);
/// The CSV cells of one score (empty cells for a point that was not evaluated).
std::string csv_metric_cells(const analysis::Scorer& scorer, const analysis::PointScore& score, bool evaluated);
/// {"<metric>": value, ..., "<combined>": value} (null for a point that was not evaluated or NaN).
nlohmann::ordered_json json_metrics(const analysis::Scorer& scorer, const analysis::PointScore& score, bool evaluated);
/// The scorer's description: {"metrics": [...], "combined": name, "lower_is_better": bool}.
nlohmann::ordered_json json_scorer(const analysis::Scorer& scorer);
/// One of the scorer's metrics by name (NaN when absent).
double metric(const analysis::Scorer& scorer, const analysis::PointScore& score, const std::string& name);

}  // namespace mergelab::app
