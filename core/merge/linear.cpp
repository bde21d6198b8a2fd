#include "core/merge/linear.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mergelab::merge {

template <class T>
Vec<T> linear_merge(const VecViews<T>& models, const std::vector<double>& weights, bool normalize) {
  if (models.empty()) throw std::invalid_argument("linear_merge: no models");
  if (weights.size() != models.size()) throw std::invalid_argument("linear_merge: one weight per model is needed");
  const Eigen::Index n = models[0].size();
  double total = 0.0;
  for (size_t i = 0; i < models.size(); ++i) {
    if (models[i].size() != n) throw std::invalid_argument("linear_merge: models differ in size");
    total += weights[i];
  }
  const bool divide = normalize && std::abs(total) >= 1e-8;
  const T divisor = static_cast<T>(total);
  // Block by block, so the output is written once: out = ((0 + w0 x0) + w1 x1) + ... [/ total].
  constexpr Eigen::Index kBlock = 2048;
  Vec<T> out(n);
  for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
    const Eigen::Index m = std::min(kBlock, n - j0);
    T* __restrict y = out.data() + j0;
    std::fill(y, y + m, T(0));
    for (size_t i = 0; i < models.size(); ++i) {
      const T w = static_cast<T>(weights[i]);
      const T* __restrict x = models[i].data() + j0;
      for (Eigen::Index k = 0; k < m; ++k) y[k] = y[k] + w * x[k];
    }
    if (divide)
      for (Eigen::Index k = 0; k < m; ++k) y[k] = y[k] / divisor;
  }
  return out;
}

template <class T>
Vec<T> lerp(const VecView<T>& a, const VecView<T>& b, double t) {
  if (a.size() != b.size()) throw std::invalid_argument("lerp: vectors differ in size");
  return static_cast<T>(1.0 - t) * a + static_cast<T>(t) * b;
}

template Vec<float> linear_merge<float>(const VecViews<float>&, const std::vector<double>&, bool);
template Vec<double> linear_merge<double>(const VecViews<double>&, const std::vector<double>&, bool);
template Vec<float> lerp<float>(const VecView<float>&, const VecView<float>&, double);
template Vec<double> lerp<double>(const VecView<double>&, const VecView<double>&, double);

}  // namespace mergelab::merge

// ---- registry entry --------------------------------------------------------------------------
#include "core/merge/param_specs.h"

namespace mergelab::merge {
namespace {
template <class T>
Vec<T> run_linear(const MergeInputs<T>& in, const Params& p) {
  return linear_merge(model_views(in), per_model_values(p, "weight", in.models.size()), p.flag("normalize"));
}
}  // namespace

MethodSpec linear_method() {
  MethodSpec m;
  m.name = "linear";
  m.label = "Linear / soup (LERP)";
  m.summary = "weighted average of the models' weights (model soup); LERP for two models";
  m.formula = "theta = sum_i w_i theta_i / sum_i w_i";
  m.needs_base = false;
  m.min_models = 1;
  m.params = {params::weight(), params::normalize(true)};
  m.presets = {{"article", {{"normalize", 1}}}, {"mergekit", {{"normalize", 1}}}};
  m.run_f = &run_linear<float>;
  m.run_d = &run_linear<double>;
  return m;
}
}  // namespace mergelab::merge
