// NearSwap (mergekit's `nearswap`): take the other model's value where it is close to the base's, keep the
// base where they differ much. One model beside the base.
//
//   w_j = clamp(t / max(|theta_0j - theta_1j|, 1e-6), 0, 1);   theta_j = w_j theta_1j + (1 - w_j) theta_0j
//
// So entries that differ by at most t become the model's, larger differences move only t toward it. In T.
#pragma once

#include "core/merge/types.h"

namespace mergelab::merge {

/// base, model: n values; t: the distance under which the model's value is taken whole. n values.
template <class T>
Vec<T> nearswap(const VecView<T>& base, const VecView<T>& model, double t);

}  // namespace mergelab::merge
