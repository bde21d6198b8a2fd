// Per-tensor diagnostics of a base and the models to merge (what `mergelab inspect --base` and the Checkpoints
// panel show). For each tensor mergeable in every model (present, same shape, float dtype), with task vectors
// tau_i = theta_i - theta_base (a LoRA adapter's tau is its Delta W, 0 on tensors it does not adapt):
//   norms[i]          |tau_i|_2 (accumulated in double)
//   cosines           N x N matrix of cos(tau_i, tau_j) (0 when either is 0)
//   sign_conflict     fraction of entries whose signs (np.sign: -1, 0, +1) are not all equal across the models
//   kept[i]           fraction of entries that are non-zero after keeping the top int(density * n) magnitudes
//                     of tau_i (mergekit's TIES/magnitude trim; already-zero entries count as dropped)
//   norm_kept[i]      |trim(tau_i)|_2 / |tau_i|_2: how much of the task vector survives that trim
// Statistics come from core/merge/stats.h and core/merge/trim.h. One tensor is in memory at a time.
#pragma once

#include <Eigen/Core>

#include <string>
#include <vector>

#include "core/checkpoint/compat.h"

namespace mergelab::ckpt {

struct TensorDiagnostics {
  std::string tensor;
  std::vector<std::uint64_t> shape;
  std::vector<double> norms;
  Eigen::MatrixXd cosines;
  double sign_conflict = 0;
  std::vector<double> kept;
  std::vector<double> norm_kept;
  /// Mean of the off-diagonal cosines (NaN for a single model).
  double mean_cosine() const;
};

/// The statistics above for one tensor's task vectors (all the same length); `tensor` and `shape` are left empty.
/// Throws std::invalid_argument when density is outside [0, 1].
TensorDiagnostics task_vector_diagnostics(const std::vector<Eigen::Ref<const Eigen::VectorXf>>& task_vectors,
                                          double density);

/// Tensors in base order. Tensors not mergeable in every model are skipped (the compatibility report lists them).
/// Throws CheckpointError on read failures; std::invalid_argument when density is outside [0, 1].
std::vector<TensorDiagnostics> tensor_diagnostics(const Checkpoint& base, const std::vector<ModelRef>& models,
                                                  double density);

}  // namespace mergelab::ckpt
