// Model Stock (Jang et al. 2024): move the base toward the average of N fine-tunes by a ratio set by
// the angle between their task vectors. mergekit's `model_stock`:
//
//   tau_i = theta_i - theta_0;  cos = mean over pairs i < j of  tau_i.tau_j / max(|tau_i| |tau_j|, 1e-6)
//   (each clipped to [-1, 1]);  t = N cos / (1 + (N - 1) cos);  theta = t * mean_i theta_i + (1 - t) theta_0
//
// Per tensor, or with `filter_wise` per row: one ratio per slice along the last dimension (a 1-D tensor is
// one row). Needs N >= 2 fine-tunes. Dot products and norms accumulate in double.
#pragma once

#include "core/merge/types.h"

namespace mergelab::merge {

/// base n; models N >= 2 views of n; row_length: 0 = one ratio for the whole vector, else one per
/// consecutive block of row_length values (n must be a multiple).
template <class T>
Vec<T> model_stock(const VecView<T>& base, const VecViews<T>& models, Eigen::Index row_length = 0);

/// The interpolation ratio t for one block (exposed for tests and plots).
double model_stock_ratio(double mean_cosine, size_t n_models);

}  // namespace mergelab::merge
