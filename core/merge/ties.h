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

#include "core/merge/dare.h"
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

/// One model's contribution to a merge, described instead of stored. Entry j is
///   v_j = w * post( trim( pre( mask_j ? theta_j - theta0_j : 0 ) ) )
/// with, in this order and each in T exactly as the step-by-step functions compute it:
///   pre   DARE's rescale of the masked vector (dare_apply): InverseKeep divides by max(pre_keep, 1e-10),
///         L1 matches the unmasked vector's L1 norm (match_l1_norm);
///   trim  trim_by_magnitude(., k, rule) of the vector so far;
///   post  the rescale after a magnitude trim (TIES's `rescale`): InverseKeep divides by
///         max(post_keep, 1e-10), L1 matches the L1 norm of the untrimmed vector;
///   w     the model's weight, multiplied in when it is not 1 (consensus_merge_streamed).
/// The data-dependent constants (L1 factors, the top-k cut-off, the quantile threshold) are found by
/// streaming passes over the inputs; then one blocked pass produces the merged vector, so no full-size
/// intermediate vector is materialised.
template <class T>
struct SparseTaskVector {
  const T* model = nullptr;       ///< theta_i (n values)
  const T* base = nullptr;        ///< theta_0; nullptr: `model` already is the task vector
  const uint8_t* mask = nullptr;  ///< DARE keep-mask (nonzero = keep); nullptr: keep everything
  DareRescale pre = DareRescale::None;
  double pre_keep = 1.0;
  bool trim = false;
  double k = 1.0;
  TrimRule rule = TrimRule::TopK;
  DareRescale post = DareRescale::None;
  double post_keep = 1.0;
  double weight = 1.0;
};

struct ConsensusOptions {
  SignRule sign = SignRule::Sum;
  bool tie_elects_positive = true;
  bool normalize = false;
  double lambda = 1.0;
};

/// theta_0 + lambda * disjoint_merge(v, w, elect_sign(v)) for the described v_i, in cache-sized blocks;
/// the same numbers as materialising every step. `base` has n values.
template <class T>
Vec<T> consensus_merge_streamed(const T* base, Eigen::Index n, const std::vector<SparseTaskVector<T>>& tvs,
                                const ConsensusOptions& options);

/// theta_0 + lambda * sum_i w_i v_i [ / sum_i w_i when `normalize` and |sum_i w_i| >= 1e-8 ] for the
/// described v_i (their `weight` is the w_i here, always multiplied in), the same numbers as
/// linear_task_merge on the materialised vectors.
template <class T>
Vec<T> linear_merge_streamed(const T* base, Eigen::Index n, const std::vector<SparseTaskVector<T>>& tvs,
                             bool normalize, double lambda);

/// The shared tail of TIES-style methods (ties, dare_ties, ...): weight the sparsified task
/// vectors by `weight`, elect signs by `sign_rule`/`tie_positive`, disjoint-merge with
/// `normalize`, and return theta_0 + lambda * merged. Runs consensus_merge_streamed over `sparse`.
template <class T>
Vec<T> consensus_merge(const MergeInputs<T>& in, const Params& p, const std::vector<Vec<T>>& sparse);

/// The consensus options of a registry method's parameters (sign_rule, tie_positive, normalize, lambda).
ConsensusOptions consensus_options(const Params& p);

}  // namespace mergelab::merge
