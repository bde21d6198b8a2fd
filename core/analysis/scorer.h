// The scoring callback every weight-space analysis evaluates its points with: flat merged weights in, named
// metrics and one combined value out.
//
// A Scorer is family-agnostic: the analyses (path, plane, landscape) build flat parameter vectors (tensors end
// to end in the layout's order, eval::TensorSlot) and hand them to `score`. The MLP classifiers plug in through
// classifier_scorer(); any other evaluator (a language model's mean NLL per token, an external command) plugs in
// by filling the same struct:
//
//   Scorer s = classifier_scorer(config, layout, eval::load_data_dir("data", "test"));
//   PointScore p = s.score(flat);   // p.metrics[k] is s.metric_names[k]; p.combined is s.combined_name
//
// `score` must be thread-safe (it is called from several threads at once) and deterministic.
// The combined value is what a path's barrier and its refinement, and every "best point", are computed on;
// lower_is_better says its direction (true for losses, false for accuracies).
#pragma once

#include <Eigen/Core>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/eval/dataset.h"
#include "core/eval/mlp.h"

namespace mergelab::analysis {

/// The score of one point: metrics in Scorer::metric_names order, and the combined value.
struct PointScore {
  std::vector<double> metrics;
  double combined = std::numeric_limits<double>::quiet_NaN();
};

struct Scorer {
  std::vector<std::string> metric_names;  ///< e.g. "task0.acc", "task0.loss", ..., "combined.acc"
  std::string combined_name;              ///< e.g. "combined.loss" (not repeated in metric_names)
  bool lower_is_better = true;            ///< direction of the combined value
  std::function<PointScore(const Eigen::VectorXf& flat)> score;  ///< thread-safe; flat in the layout's order

  /// True when combined value x is better than y (NaN is never better).
  bool better(double x, double y) const;
};

/// The built-in MLP classifier on `tasks`: per task "<task>.acc" (argmax accuracy) and "<task>.loss" (mean
/// cross-entropy, natural log), then "combined.acc" (mean over tasks); combined value "combined.loss" = mean over
/// tasks of the cross-entropy, lower is better. The pooled rows are not scored (the per-task numbers are those of
/// `mergelab eval`, which also reports them). Throws eval::DataError when the layout does not fit `config` or
/// the data's feature count differs from the model's input.
Scorer classifier_scorer(const eval::MlpConfig& config, const std::vector<eval::TensorSlot>& layout,
                         const eval::TaskSet& tasks);

}  // namespace mergelab::analysis
