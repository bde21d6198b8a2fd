// Task arithmetic (Ilharco et al.): tau_i = theta_i - theta_0; merged = theta_0 + sum_i lambda_i tau_i.
//
// Addition (lambda_i > 0), negation (lambda_i < 0) and scaling are all this one formula.
// base  n; task_vectors  N x n; lambdas  N.
#pragma once

#include "core/merge/types.h"

namespace mergelab::merge {

/// tau = model - base.
template <class T>
Vec<T> task_vector(const VecView<T>& model, const VecView<T>& base);

/// sum_i lambda_i * tau_i (the merged task vector, without the base).
template <class T>
Vec<T> weighted_task_sum(const VecViews<T>& task_vectors, const std::vector<double>& lambdas);

/// base + sum_i lambda_i * tau_i.
template <class T>
Vec<T> task_arithmetic(const VecView<T>& base, const VecViews<T>& task_vectors, const std::vector<double>& lambdas);

}  // namespace mergelab::merge
