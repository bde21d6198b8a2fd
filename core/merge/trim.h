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

#include <functional>

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

/// Values produced block by block: fill out[0, m) with entries [j0, j0 + m).
template <class T>
using BlockSource = std::function<void(Eigen::Index j0, Eigen::Index m, T* out)>;

/// The TopK rule's cut-off over n values given block by block (the values need not be stored):
/// `cutoff` is the keep-th largest magnitude (1 <= keep <= n), `above` how many magnitudes compare
/// greater than it. Exactly `keep` entries survive: all of `above`, then the first keep - above
/// entries (in index order) whose magnitude equals the cut-off.
/// float (n >= 65536): a fixed sample of 8192 entries guesses a range of buckets (high 16 bits of |x|)
/// holding the cut-off; one streaming pass counts the entries above the range and keeps the bits of those
/// inside it, and the cut-off is selected among those. When the guess misses, an exact two-pass radix
/// select over all entries follows. One more pass only when NaNs are present. Smaller float vectors:
/// nth_element on the magnitudes' bits; double: nth_element on the stored magnitudes.
template <class T>
struct TopKCut {
  T cutoff = T(0);
  Eigen::Index above = 0;
};
template <class T>
TopKCut<T> top_k_cut(Eigen::Index n, Eigen::Index keep, const BlockSource<T>& values);

/// top_k_cut for several vectors of the same length at once: every pass visits the blocks in order
/// and asks each source for the same block in turn (so sources sharing an input read it once per block).
template <class T>
std::vector<TopKCut<T>> top_k_cuts(Eigen::Index n, const std::vector<Eigen::Index>& keeps,
                                   const std::vector<BlockSource<T>>& sources);

/// Applies a TopK cut to x[0, m) in place: entries with |x| > cutoff stay, entries equal to it stay
/// while `equal_left` (counted down, carried from block to block) is positive, the rest become 0.
template <class T>
void apply_top_k(T* x, Eigen::Index m, T cutoff, Eigen::Index& equal_left);

}  // namespace mergelab::merge
