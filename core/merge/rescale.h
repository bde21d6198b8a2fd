// Rescaling a sparsified task vector so it keeps its size (shared by every sparsifying method).
//
// mergekit's rule (`rescale: true`): scale the masked vector so its L1 norm equals the original's,
//   tau' = m * tau * |tau|_1 / |m * tau|_1,
// left unscaled when either norm is below 1e-7 (mergekit's eps), e.g. when everything was dropped.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/merge/simd.h"
#include "core/merge/types.h"

namespace mergelab::merge {

/// An L1 norm accumulated in double over 8 lanes: entry j goes to lane j % 8, and the lanes are added
/// as ((l0 + l4) + (l1 + l5)) + ((l2 + l6) + (l3 + l7)). The order is fixed, so a vector summed in one go
/// and the same vector summed block by block (blocks starting at multiples of 8) give the same bits, and
/// the 8 independent sums vectorise.
template <class T>
struct L1Sum {
  double lane[8] = {};

  /// Adds |x[0..m)|; x[0] must be an entry whose index is a multiple of 8.
  void add(const T* x, Eigen::Index m) {
    Eigen::Index k = 0;
    for (; k + 8 <= m; k += 8)
      for (int l = 0; l < 8; ++l) lane[l] += std::abs(static_cast<double>(x[k + l]));
    for (int l = 0; k < m; ++k, ++l) lane[l] += std::abs(static_cast<double>(x[k]));
  }
  /// Adds |x[j]| where keep[j] is non-zero (same alignment rule).
  void add_kept(const T* x, const uint8_t* keep, Eigen::Index m) {
    T kept[64];
    for (Eigen::Index k = 0; k < m; k += 64) {
      const Eigen::Index c = std::min<Eigen::Index>(64, m - k);
      simd::apply_keep(x + k, keep + k, c, kept);
      add(kept, c);
    }
  }
  double total() const { return ((lane[0] + lane[4]) + (lane[1] + lane[5])) + ((lane[2] + lane[6]) + (lane[3] + lane[7])); }
};

/// masked *= |original|_1 / |masked|_1 (norms summed by L1Sum); unchanged when either < 1e-7.
template <class T>
void match_l1_norm(Vec<T>& masked, const VecView<T>& original);

}  // namespace mergelab::merge
