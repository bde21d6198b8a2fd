// From named metrics to the one number a search optimises, and the glue between "params -> metrics"
// callables and the two searchers.
//
// A sweep consumes PointObjective (params -> MetricMap) directly and keeps every metric; CMA-ES minimises a
// scalar, obtained with to_cmaes_objective(): the metrics reduced by an ObjectiveSpec and negated when the
// spec maximises. For example, the built-in evaluator on a merge family (core/eval/merge_eval.h):
//
//   auto metrics = [&](const std::vector<double>& p) {            // p = {lambda, density}
//     merge::Params params = merge::make_params(*ties);
//     params.set("lambda", p[0]); params.set("density", p[1]);
//     return family.evaluate(*ties, params, val_tasks).flat();    // "task0.acc", ..., "combined.acc"
//   };
//   run_sweep(grid, metrics, {.threads = 2});
//   ObjectiveSpec spec{ObjectiveSpec::Reduce::Mean, {"task0.acc", "task1.acc", "task2.acc"}};
//   minimize(to_cmaes_objective(metrics, spec), x0, cmaes_options);
// Per layer group (mergekit gradients), write the point into a recipe and merge per tensor as the engine does
// (core/search/recipe_space.h, MergeFamily::evaluate(recipe, ...)):
//
//   auto space = {parse_recipe_param("weight@0:g2", *ta, 3), ...};      // point_size(space) values
//   auto metrics = [&](const std::vector<double>& p) {
//     recipe::Recipe r = base_recipe;
//     apply_point(r, layout, space, p);                                  // weight@0 -> [p0, p1]
//     return family.evaluate(r, layout, val_tasks, seed).flat();
//   };
// An external evaluator plugs in the same way: its MetricMap is ExternalEvalResult::metrics.
#pragma once

#include <Eigen/Core>
#include <functional>
#include <string>
#include <vector>

#include "core/eval/mlp.h"  // MetricMap
#include "core/search/cmaes.h"
#include "core/search/sweep.h"

namespace mergelab::search {

struct ObjectiveSpec {
  enum class Reduce {
    Mean,         // mean of the metrics named in `keys`
    Min,          // the smallest of them (the worst task when higher is better)
    Max,          // the largest of them (the worst task when lower is better: perplexities)
    WeightedSum,  // sum of weights[i] * metric keys[i]
  };
  Reduce reduce = Reduce::Mean;
  std::vector<std::string> keys{"combined.acc"};
  std::vector<double> weights;  // WeightedSum: one per key
  bool maximize = true;         // accuracies: true; losses: false
};

/// Parses "mean:k1,k2", "min:k1,k2", "max:k1,k2", "weighted:k1=0.5,k2=0.5" or a bare metric name (one key). The direction
/// is given separately. Throws std::invalid_argument quoting the text.
ObjectiveSpec parse_objective(const std::string& text, bool maximize = true);

/// The reduced value (not negated). Throws std::invalid_argument naming a missing key.
double reduce_metrics(const eval::MetricMap& metrics, const ObjectiveSpec& spec);

/// Whether the best point a search found takes the place of the best kept so far (from an earlier search of the
/// same problem). A search that ran to its end always replaces it: its best is the best of its own settings. A
/// cancelled one saw only part of its space, so it replaces a kept best only when it beats it in the direction
/// given; a non-finite score never does.
bool replaces_kept_best(bool cancelled, const double* kept, double found, bool maximize);

/// The keys "<task>.<metric>" of every task of a report (not "combined", not "all").
std::vector<std::string> task_metric_keys(const eval::EvalReport& report, const std::string& metric = "acc");

/// A CMA-ES objective over x = the parameter vector: reduce_metrics(metrics(x)), negated when maximising.
/// An exception from `metrics` (a failed evaluation) scores +inf, so CMA-ES ranks it last instead of stopping;
/// a metric missing from the map throws (a wrong objective would otherwise burn the whole budget).
ScalarObjective to_cmaes_objective(std::function<eval::MetricMap(const std::vector<double>&)> metrics,
                                   ObjectiveSpec spec);

}  // namespace mergelab::search
