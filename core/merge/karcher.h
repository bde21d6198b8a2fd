// Karcher mean (mergekit's `karcher`): the Riemannian mean of the models' directions on the unit sphere,
// found by fixed-point iteration, scaled by the mean of their norms. Equal weights 1/N.
//
//   u_i = theta_i / |theta_i| for the models with |theta_i| > tol (the others take no part in the direction)
//   start: u = normalize(mean_i u_i)   (u_0 when that mean is shorter than tol)
//   repeat max_iter times:  T = sum_i a_i theta_i/sin(theta_i) (u_i - cos(theta_i) u),  cos(theta_i) = clamp(u.u_i)
//                           (models with theta_i < tol skipped);  stop when |T| < tol;
//                           u = normalize(cos|T| u + sin|T| T/|T|)
//   result = (1/N sum_i |theta_i|) u
//
// Whole tensor, no base (mergekit merges a base_model as one more model). Every sum in double.
#pragma once

#include "core/merge/types.h"

namespace mergelab::merge {

/// models: N views of n values. max_iter >= 0 iterations at most, tol > 0 (see above). Returns n values;
/// all zero when no model is longer than tol.
template <class T>
Vec<T> karcher_mean(const VecViews<T>& models, int max_iter, double tol);

}  // namespace mergelab::merge
