// The Merge Lab on the article's 4-D toys: every registry method applied to the specialists
// with the article's evaluate_merge conventions, scored on every task.
//
// Mapping of the lab's controls onto registry parameters (the "article" preset of each method):
//   alpha -> lambda (task-vector methods); for "linear" the article's lerp is
//            theta_0 + alpha * mean_i tau_i, i.e. a soup of the base (weight 1 - alpha) and the
//            N specialists (alpha / N each);
//   k     -> density of TIES (kept fraction) and the trim k of DARE-TIES;
//   p     -> DARE drop rate: density = 1 - p;
//   seed  -> DARE masks: specialist i uses RandomState(seed + i) (the article: seed 0);
//   slerp -> SLERP between two chosen specialists' full weights at t (no alpha, as the article);
//            nuslerp interpolates the same pair's task vectors (weights 1 - t, t) from the pretrained vector.
// The other registry methods run at their defaults (lambda = alpha where they have one) on the chosen
// specialists; a method whose model count does not fit (nearswap and arcee_fusion take exactly one,
// model_stock at least two) throws std::invalid_argument with the reason.
#pragma once

#include <string>
#include <vector>

#include "core/toy/article.h"

namespace mergelab::toy {

struct LabSettings {
  double alpha = 0.7;            ///< scaling of the merged task vector
  double k = 0.2;                ///< TIES kept fraction (article trim 0.8)
  double p = 0.9;                ///< DARE drop rate
  uint32_t seed = 0;             ///< DARE seed of the first specialist
  int sign_rule = 0;             ///< 0 count (article), 1 sum (mergekit)
  std::vector<int> tasks{0, 1, 2};  ///< which specialists take part
  int slerp_a = 0, slerp_b = 1;  ///< the two specialists SLERP interpolates
  double slerp_t = 0.5;
};

struct LabRow {
  std::string method;              ///< registry name
  std::string label;               ///< display name
  std::vector<double> accuracy;    ///< one per task (all tasks, taking part or not)
  double combined = 0.0;           ///< mean of accuracy
  Eigen::VectorXd weights;         ///< the merged model
};

/// Every lab method name, in the order the article's table prints them plus DARE.
const std::vector<std::string>& lab_methods();

/// lab_methods() followed by every other registry method, in registry order.
std::vector<std::string> lab_all_methods();

/// Merged weights of one registry method under the lab's mapping (throws on an unknown method).
Eigen::VectorXd lab_merge(const LabToy& toy, const std::string& method, const LabSettings& settings);

/// Accuracy on each task for a weight vector.
std::vector<double> lab_scores(const LabToy& toy, const Eigen::VectorXd& w);

LabRow evaluate_lab_method(const LabToy& toy, const std::string& method, const LabSettings& settings);
std::vector<LabRow> evaluate_lab(const LabToy& toy, const std::vector<std::string>& methods, const LabSettings& settings);

/// Index of the row with the highest combined accuracy (the first on a tie).
size_t lab_winner(const std::vector<LabRow>& rows);

}  // namespace mergelab::toy
