// Arcee Fusion (mergekit's `arcee_fusion`): keep only the most important changes of one model over the base.
//
//   per row r (slices along the last dimension; a 1-D tensor is one row):
//     p = softmax(theta_1,r) + 1e-8,  q = softmax(theta_0,r) + 1e-8,  KL_r = sum p log(p / q)
//   importance_j = |theta_1j - theta_0j| KL_row(j)
//   quantile(q) = sorted(importance)[floor(q (n - 1))];  threshold = median + 1.5 (Q3 - Q1)
//   theta = theta_0 + [importance_j >= threshold] (theta_1 - theta_0)
//
// Per tensor; in double, quantile indices as mergekit computes them (in float32). mergekit sorts a random
// sample of a million entries of a larger tensor; MergeLab uses every entry (deterministic).
#pragma once

#include <cstdint>
#include <vector>

#include "core/merge/types.h"

namespace mergelab::merge {

/// base, model: n values with shape `shape` (row-major; empty = one row). The importance of each entry, n values.
template <class T>
Eigen::VectorXd arcee_fusion_importance(const VecView<T>& base, const VecView<T>& model,
                                        const std::vector<std::uint64_t>& shape);

/// The dynamic threshold median + 1.5 IQR of `importance`.
double arcee_fusion_threshold(const Eigen::VectorXd& importance);

/// The merged tensor, n values.
template <class T>
Vec<T> arcee_fusion(const VecView<T>& base, const VecView<T>& model, const std::vector<std::uint64_t>& shape);

}  // namespace mergelab::merge
