// SCE (mergekit's `sce`, Wan et al. 2024 "FuseChat"): Select, Calculate, Erase over the task vectors.
//
//   select:    with select_topk < 1, keep only the k = floor(select_topk * nnz(var)) entries whose variance across
//              the N task vectors (population variance, per entry) is largest; the others are zero in every tau_i
//   calculate: w_i = mean_j(tau_ij^2) / sum_i mean_j(tau_ij^2)   (1/N each when that sum is < 1e-6)
//   erase:     s_j = +1 if sum_i tau_ij >= 0 else -1;  e_ij = [sign(tau_ij) == s_j]
//   merge:     theta_0 + sum_i w_i e_ij tau_ij / max(sum_i w_i e_ij, 1e-6)
//
// Per tensor. The variance is summed in double and rounded to T before ranking (equal values rank by index);
// the sign sum runs in T in model order; the weights in double.
#pragma once

#include <cstdint>

#include "core/merge/types.h"

namespace mergelab::merge {

/// task_vectors: N views of n values. Returns the keep mask of the select step (1 = kept), n values.
template <class T>
Eigen::Matrix<std::uint8_t, Eigen::Dynamic, 1> sce_select_mask(const VecViews<T>& task_vectors, double select_topk);

/// The per-model weights of the calculate step, from (already selected) task vectors: N values summing to 1.
template <class T>
std::vector<double> sce_weights(const VecViews<T>& task_vectors);

/// base n; task_vectors N x n. The merged model, n values.
template <class T>
Vec<T> sce_merge(const VecView<T>& base, const VecViews<T>& task_vectors, double select_topk);

}  // namespace mergelab::merge
