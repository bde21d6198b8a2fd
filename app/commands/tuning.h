// What `mergelab sweep` and `mergelab evolve` share: a recipe loaded as an in-memory merge family,
// the data splits, the objective and the search space.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/cli.h"
#include "core/eval/merge_eval.h"
#include "core/recipe/recipe.h"
#include "core/search/objective.h"
#include "core/search/recipe_space.h"

namespace mergelab::app {

struct TuningSetup {
  recipe::Recipe recipe;
  recipe::MergeLayout layout;
  const merge::MethodSpec* method = nullptr;
  std::unique_ptr<eval::MergeFamily> family;
  merge::Params base_params;  ///< the recipe's own values (first value of a gradient): the --scope global path
  std::uint32_t seed = 0;     ///< --seed: per-tensor seeds engine::tensor_seed(seed, name), as `mergelab merge`
  eval::TaskSet tune_tasks, test_tasks;
  std::string tune_split, test_split;
  search::ObjectiveSpec objective;
  eval::MergeScope scope = eval::MergeScope::PerTensor;

  /// With --scope tensor, a point is written into a copy of the recipe and merged per tensor as the engine
  /// would (gradients and filters of the recipe kept, the point's gradients applied per layer); with --scope
  /// global, into base_params (gradients refused: std::invalid_argument).
  /// The metrics of one point of `space` on the tuning split.
  eval::MetricMap tune_metrics(const std::vector<search::RecipeParam>& space, const std::vector<double>& values) const;
  /// The full report of one point on a task set.
  eval::EvalReport report(const std::vector<search::RecipeParam>& space, const std::vector<double>& values,
                          const eval::TaskSet& tasks) const;
  /// The recipe's own values as a point of `space` (search::point_of on the family's first tensor).
  std::vector<double> recipe_point(const std::vector<search::RecipeParam>& space) const;
};

/// Adds --data, --tune-split, --test-split, --objective, --scope, --seed, --out, --force.
void add_tuning_options(ArgParser& args);
/// Loads everything; throws CliError / library errors naming the file and problem.
TuningSetup load_tuning_setup(const std::string& config_path, const ArgParser& args);
/// Prints per-task accuracy of a report as one line, e.g. "task0 96.5%  task1 93.5%  combined 91.7%".
std::string summary_line(const eval::EvalReport& report);
/// Creates --out DIR (refusing existing files unless --force) and returns it ("" when no --out).
std::string prepare_out_dir(const ArgParser& args, const std::vector<std::string>& files);

}  // namespace mergelab::app
