// DELLA (Deep, Bhardwaj et al. 2024): MAGPRUNE, a DARE-like random drop whose keep probability grows with
// the entry's magnitude rank, then (della) TIES's sign election and disjoint merge, or (della_linear) a
// weighted sum. mergekit's `della_magprune`, per row (dimension 1 of the tensor; a 1-D tensor is one row):
//
//   r_j   = rank of |tau_j| in its row, 1 = smallest (stable: equal magnitudes in index order)
//   p_j   = (density - epsilon) + 2 epsilon (r_j - 1) / (row_length - 1)       (row of 1 entry: p = density)
//   m_j   ~ Bernoulli(p_j)
//   rescale: l1 (mergekit) = match the tensor's L1 norm; inverse (the paper) = divide m_j tau_j by p_j; none.
//
// density >= 1 keeps the task vector untouched, density <= 0 zeroes it; otherwise both density - epsilon and
// density + epsilon must lie in (0, 1) (mergekit raises the same error). Masks are drawn from
// RandomState(seed): one random_sample() < p_j per entry in row-major order (mergekit uses torch's RNG, so
// the draws, not the distribution, differ).
#pragma once

#include <cstdint>
#include <vector>

#include "core/merge/dare.h"
#include "core/merge/types.h"

namespace mergelab::merge {

/// The keep probabilities p_j of every entry of `tau` (shape row-major; empty = 1-D).
template <class T>
Eigen::VectorXd della_keep_probabilities(const VecView<T>& tau, const std::vector<std::uint64_t>& shape, double density,
                                         double epsilon);

/// MAGPRUNE: mask with Bernoulli(p_j) from RandomState(seed), then rescale.
template <class T>
Vec<T> della_magprune(const VecView<T>& tau, const std::vector<std::uint64_t>& shape, double density, double epsilon,
                      DareRescale rescale, uint32_t seed);

}  // namespace mergelab::merge
