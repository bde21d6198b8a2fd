// TIES-Merging (Yadav et al. 2023): TRIM, ELECT SIGN, DISJOINT MERGE.
//
//   1. trim:   tau_i' = trim_by_magnitude(tau_i, k)                          (core/merge/trim.h)
//   2. elect:  gamma_j = sign( sum_i s(w_i tau_ij') ),  s = sign (Count) or identity (Sum)
//   3. merge:  tau_j  = sum_{i: sign(w_i tau_ij') = gamma_j} w_i tau_ij'  [ / sum of those w_i ]
//
// The article: Count, a tied vote elects 0 (that parameter stays 0), plain mean (w_i = 1).
// mergekit:    Sum (default) or Count on the weighted trimmed deltas; a tie (sum 0) elects +1;
//              weighted mean when `normalize`, weighted sum otherwise.
// The result is the merged task vector; the caller adds base + lambda * tau.
#pragma once

#include "core/merge/registry.h"
#include "core/merge/trim.h"
#include "core/merge/types.h"

namespace mergelab::merge {

enum class SignRule { Count, Sum };

struct TiesOptions {
  double k = 0.2;                      ///< kept fraction per task vector (density); 1 = no trim
  TrimRule trim = TrimRule::Quantile;  ///< article: Quantile; mergekit: TopK
  SignRule sign = SignRule::Count;     ///< article: Count; mergekit default: Sum
  bool tie_elects_positive = false;    ///< article: false (a tie elects 0); mergekit: true
  bool normalize = true;               ///< divide by the summed weights of the agreeing models
};

/// Elected sign per parameter (-1, 0, +1) from already trimmed and weighted task vectors.
template <class T>
Eigen::VectorXi elect_sign(const VecViews<T>& weighted, SignRule rule, bool tie_elects_positive);

/// Disjoint merge: sum (or weighted mean) of the weighted entries agreeing with `elected`.
/// `weighted[i]` = w_i * trimmed tau_i; weights are the w_i (used for the divisor).
template <class T>
Vec<T> disjoint_merge(const VecViews<T>& weighted, const std::vector<double>& weights,
                      const Eigen::VectorXi& elected, bool normalize);

/// Full TIES on task vectors (trim, elect, merge). weights: one per task vector (1 for the article).
template <class T>
Vec<T> ties_merge(const VecViews<T>& task_vectors, const std::vector<double>& weights, const TiesOptions& options);

/// The shared tail of TIES-style methods (ties, dare_ties, ...): weight the sparsified task
/// vectors by `weight`, elect signs by `sign_rule`/`tie_positive`, disjoint-merge with
/// `normalize`, and return theta_0 + lambda * merged.
template <class T>
Vec<T> consensus_merge(const MergeInputs<T>& in, const Params& p, std::vector<Vec<T>> sparse);

}  // namespace mergelab::merge
