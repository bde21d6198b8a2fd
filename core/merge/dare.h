// DARE (Yu et al. 2024): Drop And REscale. Each entry of a task vector survives with
// probability 1 - p (mergekit calls the keep probability "density"); survivors are rescaled
// so the vector keeps its size:
//  - InverseKeep (the article, the paper): tau * mask / (1 - p)
//  - L1 (mergekit's rescale): tau * mask * |tau|_1 / |tau * mask|_1 (left as is when that is ~0)
//  - None: tau * mask
// Masks come from a seeded numpy-compatible RandomState so the article's numbers reproduce:
// task vector i is masked with RandomState(seed + i).binomial(1, 1 - p, n) (the article uses seed i).
#pragma once

#include "core/merge/types.h"

namespace mergelab::merge {

enum class DareRescale { None, InverseKeep, L1 };

using KeepMask = Eigen::Matrix<uint8_t, Eigen::Dynamic, 1>;

/// numpy.random.RandomState(seed).binomial(1, keep, n) as 0/1 bytes.
KeepMask dare_mask(Eigen::Index n, double keep, uint32_t seed);

/// The same draws written to out[0, n).
void draw_keep_mask(uint8_t* out, Eigen::Index n, double keep, uint32_t seed);

/// Applies a keep-mask and the rescale rule. keep = 1 - p (used by InverseKeep).
template <class T>
Vec<T> dare_apply(const VecView<T>& tau, const KeepMask& mask, double keep, DareRescale rescale);

/// The article's dare_drop(tv, p, seed): mask from RandomState(seed), rescaled by 1/max(1-p, 1e-10).
template <class T>
Vec<T> dare_drop(const VecView<T>& tau, double p, uint32_t seed, DareRescale rescale = DareRescale::InverseKeep);

template <class T>
struct MergeInputs;
class Params;
template <class T>
struct SparseTaskVector;

/// The DARE step of the registry methods, described for the streamed merges (core/merge/ties.h):
/// tau_i = theta_i - theta_0, masked (an external mask when the inputs carry one, else
/// RandomState(seed + i), drawn into `masks`) with keep = `density` of model i, rescaled by the
/// `rescale` rule; weight = the `weight` of model i.
template <class T>
std::vector<SparseTaskVector<T>> dare_sparse_task_vectors(const MergeInputs<T>& in, const Params& p,
                                                          std::vector<KeepMask>& masks);

}  // namespace mergelab::merge
