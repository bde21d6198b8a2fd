// Multi-SLERP (mergekit's `multislerp`): a weighted mean of any number of models on the hypersphere,
// through the tangent space at their weighted mean direction (barycentric interpolation).
//
//   x_i = theta_i (or tau_i = theta_i - theta_0 with a base), flattened;  w_i = weight / sum(weight) if normalize_weights
//   u_i = x_i / (|x_i| + eps);  m = sum_i w_i u_i;  m^ = m / |m|
//   g = sum_i w_i (u_i - (u_i.m^) m^)                 (the tangent vectors at m^, weighted)
//   r = m^ cos(|g| + eps) + g sin(|g| + eps) / (|g| + eps)     (back onto the sphere)
//   result = (sum_i w_i |x_i|) r  (+ theta_0 with a base)
//
// One model: that model. |m| < eps (antipodal models whose weights cancel): two models fall back to
// w_0 x_0 + w_1 x_1, more are refused. Sums, norms and dot products in double.
#pragma once

#include "core/merge/types.h"

namespace mergelab::merge {

/// xs: N vectors of n values (models, or task vectors when a base is used); weights: N. Returns n values
/// (without the base). Throws std::invalid_argument when |m| < eps with N > 2, or when normalize_weights
/// is set and the weights sum to 0.
template <class T>
Vec<T> multislerp(const VecViews<T>& xs, const std::vector<double>& weights, bool normalize_weights, double eps);

}  // namespace mergelab::merge
