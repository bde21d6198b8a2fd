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

template <class T>
struct MergeInputs;
class Params;

/// The shared tail of the linear task-vector methods (task_arithmetic, dare_linear, breadcrumbs,
/// della_linear; mergekit's generalized task arithmetic without sign consensus):
///   theta_0 + lambda * sum_i w_i tau_i'  [ / sum_i w_i when `normalize` and |sum_i w_i| >= 1e-8 ]
/// with w_i = the `weight` of model i and tau_i' the (sparsified) task vectors, one per model.
template <class T>
Vec<T> linear_task_merge(const MergeInputs<T>& in, const Params& p, const std::vector<Vec<T>>& task_vectors);

}  // namespace mergelab::merge
