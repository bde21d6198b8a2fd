// TIES-Merging taken apart for display: every intermediate result of trim -> elect -> merge,
// computed with the core's own steps (core/merge/trim.h, ties.h, stats.h), never a second TIES.
//
//   1. trim:   tau_i' = trim_k(tau_i)                      keep the top k of |tau_i|
//   2. elect:  gamma_j = sign(sum_i sign(tau_ij'))         (count, the article) or sign(sum_i tau_ij') (sum)
//   3. merge:  tau_j = mean_{i: sign(tau_ij') = gamma_j} tau_ij'
//
// Shapes: N task vectors of n parameters; matrices are N x n (row i = task i).
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "core/merge/ties.h"

namespace mergelab::toy {

struct TiesAnatomyOptions {
  double k = 0.2;                                 ///< kept fraction (the article's trim_pct 0.8)
  merge::TrimRule trim = merge::TrimRule::Quantile;  ///< article: quantile
  merge::SignRule sign = merge::SignRule::Count;     ///< article: count
  bool tie_elects_positive = false;               ///< article: a tied vote elects 0
};

struct TiesAnatomy {
  Eigen::MatrixXd task_vectors;     ///< N x n, the inputs
  Eigen::MatrixXd trimmed;          ///< N x n, after step 1 (zeros where trimmed)
  std::vector<double> thresholds;   ///< N, |tau| below which the quantile rule trims (NaN for top-k)
  Eigen::VectorXi elected;          ///< n, step 2: -1, 0, +1
  Eigen::MatrixXi contributes;      ///< N x n, 1 where a kept entry agrees with the elected sign (step 3 uses it)
  Eigen::VectorXd merged;           ///< n, step 3: the merged task vector (no scaling)
  Eigen::VectorXd average;          ///< n, the simple average of the task vectors, for comparison
  long conflicts = 0;               ///< parameters whose task vectors disagree in sign (article's count)
  long kept = 0;                    ///< non-zero entries after trimming, all tasks
  long outvoted = 0;                ///< kept entries discarded because they disagree with the elected sign
  long tied_votes = 0;              ///< parameters whose vote elects 0 (they stay 0)
  double average_agreement = 0.0;   ///< sign(average) == dominant sign, fraction (article)
  double ties_agreement = 0.0;      ///< sign(merged + 1e-10) == dominant sign, fraction (article)
  double sparsity = 0.0;            ///< fraction of merged entries exactly 0
};

/// Runs the three steps on `task_vectors` (all the same length, at least one). Throws
/// std::invalid_argument on empty or mismatched input.
TiesAnatomy ties_anatomy(const std::vector<Eigen::VectorXd>& task_vectors, const TiesAnatomyOptions& options = {});

}  // namespace mergelab::toy
