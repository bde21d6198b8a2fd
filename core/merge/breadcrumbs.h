// Model Breadcrumbs (Davari & Belilovsky 2023): sparsify each task vector by removing BOTH tails of
// its magnitude distribution, the largest entries (outliers, fraction gamma) and the smallest, so that a
// fraction `density` survives. mergekit's `magnitude_outliers`:
//
//   n = numel, keep = int(density * n), n_top = int(gamma * n), n_bot = n - keep - n_top
//   (when n_bot < 0: n_top += n_bot, n_bot = 0); density >= 1 leaves the vector untouched.
//   Sort |tau| ascending (stable: equal magnitudes in index order); keep ranks [n_bot, n - n_top).
//
// mergekit's small-tensor rule (a slicing bug): it keeps `indices[n_bot:-n_top]`, and with n_top = 0 (a tensor
// with fewer than 1/gamma entries, e.g. a bias of 64 with gamma 0.01) that slice is empty, so the whole task
// vector is dropped. That is the default (`drop_small_tensors: true`), so that a recipe gives the same model
// in mergekit; `drop_small_tensors: false` keeps ranks [n_bot, n) there instead (no outlier removed).
//
// breadcrumbs       = sum_i w_i tau_i' (mergekit defaults: normalize false), theta_0 + lambda * that
// breadcrumbs_ties  = the same sparsified vectors through TIES's sign election and disjoint merge.
#pragma once

#include "core/merge/types.h"

namespace mergelab::merge {

/// Keeps the entries of `tau` whose stable ascending magnitude rank lies in [n_bot, n - n_top) (see above).
/// density, gamma in [0, 1]; drop_small_tensors: mergekit's rule when int(gamma * n) == 0 (all zero).
template <class T>
Vec<T> trim_outliers(const VecView<T>& tau, double density, double gamma, bool drop_small_tensors = true);

/// True when mergekit's small-tensor rule drops the whole task vector of a tensor of n entries:
/// density < 1 and int(gamma * n) == 0.
bool breadcrumbs_drops_tensor(std::uint64_t n, double density, double gamma);

/// Mask of the entries whose stable ascending magnitude rank r (ties broken by index) has lo <= r < hi.
/// O(n) expected (two selections and one scan), no full sort.
template <class T>
Eigen::Matrix<uint8_t, Eigen::Dynamic, 1> rank_range_mask(const VecView<T>& tau, Eigen::Index lo, Eigen::Index hi);

}  // namespace mergelab::merge
