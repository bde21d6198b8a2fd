// Shared vocabulary of the merge methods: flat parameter vectors in float (checkpoints)
// or double (the article's toys). Every method is a pure function of its inputs.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

namespace mergelab::merge {

template <class T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

/// A read-only view of a flat vector (an Eigen vector, a Map over a buffer, a block).
template <class T>
using VecView = Eigen::Ref<const Vec<T>>;

/// Several views of the same length: models or task vectors.
template <class T>
using VecViews = std::vector<VecView<T>>;

/// sign(x) in {-1, 0, +1} as numpy's np.sign.
template <class T>
inline int sign_of(T x) {
  return (x > T(0)) - (x < T(0));
}

}  // namespace mergelab::merge
