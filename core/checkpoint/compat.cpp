#include "core/checkpoint/compat.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

namespace mergelab::ckpt {

namespace {

struct Sums {
  double dot = 0, base_sq = 0, model_sq = 0, diff_sq = 0;
  void add(const Eigen::VectorXf& b, const Eigen::VectorXf& m) {
    for (Eigen::Index i = 0; i < b.size(); ++i) {
      const double x = b[i], y = m[i];
      dot += x * y;
      base_sq += x * x;
      model_sq += y * y;
      diff_sq += (x - y) * (x - y);
    }
  }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string fmt(double v) {
  std::ostringstream ss;
  ss.precision(4);
  ss << v;
  return ss.str();
}

ModelCompat check_checkpoint(const Checkpoint& base, const Checkpoint& model) {
  ModelCompat mc;
  Sums s;
  for (const auto& bt : base.tensors()) {
    const TensorInfo* mt = model.find(bt.name);
    if (!mt && !dtype_is_float(bt.dtype)) {
      mc.copied.push_back(bt.name);  // the base's copy is written
      continue;
    }
    if (!mt) {
      mc.missing.push_back(bt.name);
      continue;
    }
    if (mt->shape != bt.shape) mc.shape_mismatches.push_back({bt.name, shape_string(bt.shape), shape_string(mt->shape)});
    if (!dtype_is_float(bt.dtype) || !dtype_is_float(mt->dtype)) {
      bool same = mt->dtype == bt.dtype && mt->shape == bt.shape;
      if (same) {
        const auto a = base.raw(bt.name), b = model.raw(bt.name);
        same = a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
        base.release(bt.name);
        model.release(bt.name);
      }
      // A shape mismatch is already listed; do not list it twice.
      if (same) mc.copied.push_back(bt.name);
      else if (mt->shape == bt.shape) mc.not_mergeable.push_back(bt.name);
      continue;
    }
    if (mt->dtype != bt.dtype)  // float vs float: converted to f32 for the merge
      mc.dtype_mismatches.push_back({bt.name, std::string(dtype_name(bt.dtype)), std::string(dtype_name(mt->dtype))});
    if (mt->shape == bt.shape) {
      s.add(base.read_vector(bt.name), model.read_vector(bt.name));
      model.release(bt.name);
    }
  }
  for (const auto& t : model.tensors())
    if (!base.find(t.name)) mc.extra.push_back(t.name);
  if (s.base_sq > 0 && s.model_sq > 0) mc.cosine_to_base = s.dot / std::sqrt(s.base_sq * s.model_sq);
  if (s.base_sq > 0) mc.relative_distance = std::sqrt(s.diff_sq / s.base_sq);
  return mc;
}

ModelCompat check_adapter(const Checkpoint& base, const LoraAdapter& ad) {
  ModelCompat mc;
  Sums s;
  const auto adapted = ad.base_tensors();
  for (const auto& name : adapted) {
    const TensorInfo* bt = base.find(name);
    if (!bt) {
      mc.extra.push_back(name);  // the adapter changes a tensor the base does not have
      continue;
    }
    const auto shape = ad.base_shape(name);
    if (shape != bt->shape) mc.shape_mismatches.push_back({name, shape_string(bt->shape), shape_string(shape)});
    if (!dtype_is_float(bt->dtype)) mc.not_mergeable.push_back(name);  // an adapter cannot change a copied tensor
  }
  for (const auto& bt : base.tensors()) {
    if (!dtype_is_float(bt.dtype)) {
      if (!std::binary_search(adapted.begin(), adapted.end(), bt.name)) mc.copied.push_back(bt.name);
      continue;
    }
    const Eigen::VectorXf b = base.read_vector(bt.name);
    const bool changed = std::binary_search(adapted.begin(), adapted.end(), bt.name) && ad.base_shape(bt.name) == bt.shape;
    s.add(b, changed ? Eigen::VectorXf(b + ad.delta_flat(bt.name)) : b);
  }
  if (s.base_sq > 0 && s.model_sq > 0) mc.cosine_to_base = s.dot / std::sqrt(s.base_sq * s.model_sq);
  if (s.base_sq > 0) mc.relative_distance = std::sqrt(s.diff_sq / s.base_sq);
  return mc;
}

}  // namespace

CompatReport check_compatibility(const Checkpoint& base, const std::vector<ModelRef>& models,
                                 const CompatOptions& options) {
  CompatReport r;
  r.base = base.path();
  for (const auto& m : models) {
    ModelCompat mc = m.adapter ? check_adapter(base, *m.adapter) : check_checkpoint(base, *m.checkpoint);
    mc.path = !m.path.empty() ? m.path : m.adapter ? m.adapter->file().path() : m.checkpoint->path();
    r.models.push_back(std::move(mc));
  }
  for (std::size_t i = 0; i < r.models.size(); ++i) {
    ModelCompat& mc = r.models[i];
    const double c = mc.cosine_to_base;
    if (std::isnan(c)) continue;
    if (c < options.min_cosine) {
      mc.not_a_finetune = true;
      mc.finetune_note = "cosine to the base " + fmt(c) + " < " + fmt(options.min_cosine) +
                         ": not a fine-tune of this base (trained from another initialisation?)";
      continue;
    }
    std::vector<double> others;
    for (std::size_t j = 0; j < r.models.size(); ++j)
      if (j != i && !std::isnan(r.models[j].cosine_to_base)) others.push_back(1.0 - r.models[j].cosine_to_base);
    if (others.size() >= 2) {
      const double med = median(others);
      if (c < options.outlier_max_cosine && 1.0 - c > options.outlier_factor * med) {
        mc.not_a_finetune = true;
        mc.finetune_note = "cosine to the base " + fmt(c) + " is far below the other models' (median " +
                           fmt(1.0 - med) + "): probably not a fine-tune of this base";
      }
    }
  }
  return r;
}

bool CompatReport::ok() const {
  return std::all_of(models.begin(), models.end(), [](const ModelCompat& m) { return m.mergeable(); });
}

std::string CompatReport::to_text() const {
  std::ostringstream o;
  o << "base: " << base << "\n";
  for (const auto& m : models) {
    o << m.path << ": " << (m.mergeable() ? "ok" : "NOT MERGEABLE") << " (cosine to base " << fmt(m.cosine_to_base)
      << ", relative distance " << fmt(m.relative_distance) << ")\n";
    for (const auto& t : m.missing) o << "  missing tensor " << t << "\n";
    for (const auto& t : m.extra) o << "  extra tensor " << t << "\n";
    for (const auto& t : m.shape_mismatches) o << "  shape mismatch " << t.tensor << ": base " << t.base << ", model " << t.model << "\n";
    for (const auto& t : m.dtype_mismatches) o << "  dtype differs " << t.tensor << ": base " << t.base << ", model " << t.model << " (converted to f32)\n";
    for (const auto& t : m.copied) o << "  copied from the base (non-float, not merged) " << t << "\n";
    for (const auto& t : m.not_mergeable)
      o << "  cannot merge " << t << ": non-float tensors are copied, not merged, and this one differs from the base's\n";
    if (m.not_a_finetune) o << "  " << m.finetune_note << "\n";
  }
  return o.str();
}

}  // namespace mergelab::ckpt
