// RAM, Reinforced Agent Merging (mergekit's `ram` and `ramplus_tl`): entries that only one task vector changes
// keep that change in full; entries that several change get their mean.
//
//   active a_ij = [|tau_ij| > epsilon];  c_j = sum_i a_ij (how many models change entry j)
//   ram:         theta_0 + sum_i a_ij tau_ij ([c_j = 1] + [c_j > 1] / c_j)
//   ramplus_tl:  the unique entries (c_j = 1) of model i are scaled by lambda_i = 1 + r clamp(rho_i, 0, alpha),
//                rho_i = #(a_ij and c_j > 1) / max(#(a_ij and c_j = 1), epsilon)   (per tensor: "tensor-local")
//
// Per tensor; the sums over models in double.
#pragma once

#include "core/merge/types.h"

namespace mergelab::merge {

/// base n; task_vectors N x n; epsilon >= 0. lambdas: N unique-entry scales (all 1 for ram). n values.
template <class T>
Vec<T> ram_merge(const VecView<T>& base, const VecViews<T>& task_vectors, double epsilon,
                 const std::vector<double>& lambdas);

/// ramplus_tl's lambda_i per model (see above), N values.
template <class T>
std::vector<double> ramplus_lambdas(const VecViews<T>& task_vectors, double epsilon, double r, double alpha);

}  // namespace mergelab::merge
