#include "core/checkpoint/diagnostics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/merge/stats.h"
#include "core/merge/trim.h"

namespace mergelab::ckpt {

double TensorDiagnostics::mean_cosine() const {
  const auto n = cosines.rows();
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  double s = 0;
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j)
      if (i != j) s += cosines(i, j);
  return s / static_cast<double>(n * (n - 1));
}

TensorDiagnostics task_vector_diagnostics(const std::vector<Eigen::Ref<const Eigen::VectorXf>>& task_vectors,
                                          double density) {
  if (!(density >= 0.0 && density <= 1.0)) throw std::invalid_argument("density must be in [0, 1]");
  TensorDiagnostics d;
  const merge::VecViews<float>& views = task_vectors;
  const double n = views.empty() ? 0.0 : static_cast<double>(views[0].size());
  d.cosines = merge::cosine_matrix<float>(views);
  d.sign_conflict = n > 0 ? static_cast<double>(merge::sign_conflicts<float>(views)) / n : 0.0;
  for (const auto& v : views) {
    const double norm = merge::l2_norm<float>(v);
    d.norms.push_back(norm);
    const Eigen::VectorXf trimmed = merge::trim_by_magnitude<float>(v, density, merge::TrimRule::TopK);
    d.kept.push_back(n > 0 ? static_cast<double>((trimmed.array() != 0.0f).count()) / n : 0.0);
    d.norm_kept.push_back(norm > 0 ? merge::l2_norm<float>(trimmed) / norm : 0.0);
  }
  return d;
}

std::vector<TensorDiagnostics> tensor_diagnostics(const Checkpoint& base, const std::vector<ModelRef>& models,
                                                  double density) {
  if (!(density >= 0.0 && density <= 1.0)) throw std::invalid_argument("density must be in [0, 1]");
  std::vector<TensorDiagnostics> out;
  for (const auto& bt : base.tensors()) {
    if (!dtype_is_float(bt.dtype)) continue;
    bool usable = true;
    for (const auto& m : models) {
      if (m.adapter) {
        const auto ts = m.adapter->base_tensors();
        if (std::binary_search(ts.begin(), ts.end(), bt.name) && m.adapter->base_shape(bt.name) != bt.shape) usable = false;
      } else {
        const TensorInfo* t = m.checkpoint->find(bt.name);
        if (!t || t->shape != bt.shape || !dtype_is_float(t->dtype)) usable = false;
      }
    }
    if (!usable) continue;

    const Eigen::VectorXf b = base.read_vector(bt.name);
    std::vector<Eigen::VectorXf> taus;
    for (const auto& m : models) {
      if (m.adapter) {
        const auto ts = m.adapter->base_tensors();
        taus.push_back(std::binary_search(ts.begin(), ts.end(), bt.name) ? m.adapter->delta_flat(bt.name)
                                                                          : Eigen::VectorXf::Zero(b.size()));
      } else {
        taus.push_back(m.checkpoint->read_vector(bt.name) - b);
        m.checkpoint->release(bt.name);
      }
    }
    base.release(bt.name);

    merge::VecViews<float> views;
    for (const auto& t : taus) views.emplace_back(t);
    TensorDiagnostics d = task_vector_diagnostics(views, density);
    d.tensor = bt.name;
    d.shape = bt.shape;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace mergelab::ckpt
