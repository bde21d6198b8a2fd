// Maps of task vectors τₖ = θₖ - θ₀: cosines between them (whole model, per tensor group) and, for layered models,
// a layers × module-kind grid of norm, pairwise cosine, sign-conflict rate and kept fraction.
//
//   TaskVectorMaps m = task_vector_maps(layout, theta0, {&theta_a, &theta_b}, /*density=*/0.2, run);
//   m.whole.cosines                    // K × K over every tensor
//   for (const auto& g : m.groups) ... // "fc1", "fc2" / "q", "k", ..., "model.embed_tokens", "lm_head"
//   if (const TaskVectorStats* c = m.cell(row, col)) c->norms[0], c->mean_cosine(), c->sign_conflict, c->kept[0]
//
// Per tensor the statistics are ckpt::task_vector_diagnostics' (the ones `mergelab inspect --base` prints): norms
// in double, cosines (0 when either vector is 0), sign conflict = fraction of entries whose np.sign differ across
// the models, kept = fraction non-zero after keeping the top int(density·n) magnitudes of the tensor (mergekit's
// per-tensor TIES trim). A group or cell pools its tensors: norm = sqrt(Σ norm²), cosine = Σ dot / (|τᵢ| |τⱼ|),
// sign conflict and kept = entry-weighted means.
// Tensor names: layer = recipe::layer_index (first all-digit component); module kind = the components after it,
// without a trailing weight/bias, the containers self_attn/attn/attention/mlp/feed_forward and a _proj suffix
// ("model.layers.3.self_attn.q_proj.weight" -> layer 3, kind "q"; "...input_layernorm.weight" -> "input_layernorm").
// Groups: layered tensors by module kind across layers; the others by name without weight/bias ("fc1", "lm_head").
// Threads: tensors in parallel (RunControl); memory: the models plus one tensor's task vectors per thread.
#pragma once

#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/flat_models.h"
#include "core/analysis/run_control.h"

namespace mergelab::analysis {

struct TaskVectorStats {
  std::string name;
  std::size_t entries = 0;
  std::vector<double> norms;  ///< |τₖ|₂ per model
  Eigen::MatrixXd cosines;    ///< K × K
  double sign_conflict = 0;   ///< fraction of entries
  std::vector<double> kept;   ///< per model, fraction of entries kept at the density
  /// Mean of the off-diagonal cosines (NaN for one model).
  double mean_cosine() const;
};

struct TaskVectorMaps {
  double density = 0;
  std::vector<TaskVectorStats> tensors;  ///< layout order
  TaskVectorStats whole;                 ///< every tensor pooled
  std::vector<TaskVectorStats> groups;   ///< in order of first appearance
  std::vector<int> layers;               ///< grid rows, ascending (empty when no tensor has a layer number)
  std::vector<std::string> kinds;        ///< grid columns: q, k, v, o, gate, up, down first, then others as seen
  std::vector<std::optional<TaskVectorStats>> cells;  ///< layers.size() × kinds.size(), row-major
  bool cancelled = false;
  const TaskVectorStats* cell(std::size_t row, std::size_t col) const {
    const auto& c = cells[row * kinds.size() + col];
    return c ? &*c : nullptr;
  }
};

/// "q", "gate", "input_layernorm", ... for a layered tensor name; "" when the name has no layer number.
std::string module_kind(const std::string& tensor);
/// The tensor group of a name: module_kind for layered tensors, else the name without a trailing weight/bias.
std::string tensor_group(const std::string& tensor);

/// Throws std::invalid_argument when no model is given, a size differs, or density is outside [0, 1].
TaskVectorMaps task_vector_maps(const Layout& layout, const Eigen::VectorXf& theta0,
                                const std::vector<const Eigen::VectorXf*>& models, double density,
                                const RunControl& control = {});

}  // namespace mergelab::analysis
