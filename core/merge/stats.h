// Merge statistics over task vectors (N views of n parameters).
#pragma once

#include "core/merge/types.h"

namespace mergelab::merge {

/// Parameters where the task vectors do not all have the same sign (np.sign, so 0 is a sign of
/// its own): the article's `np.min(signs, 0) != np.max(signs, 0)`.
template <class T>
Eigen::Index sign_conflicts(const VecViews<T>& task_vectors);

/// The article's dominant sign: sign(sum_i sign(tau_i)) per parameter (0 on a tie).
template <class T>
Eigen::VectorXi dominant_sign(const VecViews<T>& task_vectors);

/// Fraction of parameters where sign(merged + offset) equals the dominant sign.
/// The article uses offset 0 for the simple average and 1e-10 for the TIES result.
template <class T>
double sign_agreement(const VecView<T>& merged, const VecViews<T>& task_vectors, double offset = 0.0);

/// Fraction of entries exactly 0.
template <class T>
double sparsity(const VecView<T>& v);

/// Euclidean norm, accumulated in double.
template <class T>
double l2_norm(const VecView<T>& v);

/// Cosine similarity a.b / (|a| |b|), 0 when either is 0.
template <class T>
double cosine(const VecView<T>& a, const VecView<T>& b);

/// Matrix of pairwise cosines (N x N).
template <class T>
Eigen::MatrixXd cosine_matrix(const VecViews<T>& vectors);

}  // namespace mergelab::merge
