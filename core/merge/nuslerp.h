// NuSLERP (mergekit's `nuslerp`): SLERP of two models by their weights, with a base of the two task vectors.
//
//   t = w_1 / (w_0 + w_1)   (0.5 when |w_0 + w_1| < 1e-6)
//   per vector pair (a, b):  u = x / max(|x|, 1e-7);  theta = arccos(clamp(u_a.u_b, -1, 1))
//     slerp = (sin((1-t) theta) a + sin(t theta) b) / sin(theta);  (1-t) a + t b when |sin theta| < 1e-8
//   without a base: slerp(theta_0', theta_1');  with a base: theta_0 + slerp(tau_0, tau_1)
//
// The vectors: the whole tensor (`nuslerp_flatten`, the default), else every slice along the last dimension
// (each row of a matrix), or with `nuslerp_row_wise` every slice along the first dimension (each column of a
// matrix). A 1-D tensor is one vector in every mode. Dot products and norms in double.
#pragma once

#include <cstdint>
#include <vector>

#include "core/merge/types.h"

namespace mergelab::merge {

/// How a tensor is cut into the vectors nuslerp interpolates.
enum class NuslerpAxis { Flatten, LastDim, FirstDim };

/// a, b: two tensors of n values with shape `shape` (row-major; empty = flat); t in any real (0 = a, 1 = b).
/// Returns the interpolation per vector as described above, n values.
template <class T>
Vec<T> nuslerp(const VecView<T>& a, const VecView<T>& b, const std::vector<std::uint64_t>& shape, double t,
               NuslerpAxis axis);

/// t = w1 / (w0 + w1), or 0.5 when |w0 + w1| < 1e-6 (mergekit's rule).
double nuslerp_t(double w0, double w1);

}  // namespace mergelab::merge
