// Linear merge / model soup: sum_i w_i * theta_i, optionally divided by sum_i w_i.
//
// models  N views of n parameters; weights  N (any sign); normalize: divide by sum(weights)
// (a sum with |sum| < 1e-8 is left undivided, as mergekit does). With equal weights and
// normalize this is the article's `np.mean(models, axis=0)`; with N = 2 and weights
// (1 - t, t) it is LERP.
#pragma once

#include "core/merge/types.h"

namespace mergelab::merge {

template <class T>
Vec<T> linear_merge(const VecViews<T>& models, const std::vector<double>& weights, bool normalize);

/// LERP: (1 - t) * a + t * b.
template <class T>
Vec<T> lerp(const VecView<T>& a, const VecView<T>& b, double t);

}  // namespace mergelab::merge
