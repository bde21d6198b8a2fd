// TRIM (TIES step 1, and magnitude sparsification in general): keep the largest-magnitude
// entries of a task vector, zero the rest. `k` is the KEPT fraction ("density" in mergekit):
// the article's `trim_pct = 0.8` is k = 0.2.
//
// Two rules:
//  - Quantile (the article): threshold = numpy.quantile(|tau|, 1 - k) with numpy's default
//    linear interpolation; entries with |tau| < threshold are zeroed (strict <, so ties at the
//    threshold are all kept and more than k*n entries may survive).
//  - TopK (mergekit's `magnitude`): exactly floor(k * n) entries are kept; among entries of equal
//    magnitude at the cut-off the ones with the lower index are kept. k >= 1 keeps everything.
#pragma once

#include "core/merge/types.h"

namespace mergelab::merge {

enum class TrimRule { Quantile, TopK };

/// numpy.quantile(values, q) with method='linear' (numpy's default), including numpy's
/// two-sided interpolation formula, so thresholds match numpy to the last bit.
double numpy_quantile(std::vector<double> values, double q);

template <class T>
Vec<T> trim_by_magnitude(const VecView<T>& tau, double k, TrimRule rule);

/// The magnitude below which entries are zeroed for the Quantile rule (for plots).
template <class T>
double trim_threshold(const VecView<T>& tau, double k);

}  // namespace mergelab::merge
