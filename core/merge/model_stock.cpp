#include "core/merge/model_stock.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mergelab::merge {

double model_stock_ratio(double mean_cosine, size_t n_models) {
  const auto n = static_cast<double>(n_models);
  return n * mean_cosine / (1.0 + (n - 1.0) * mean_cosine);
}

template <class T>
Vec<T> model_stock(const VecView<T>& base, const VecViews<T>& models, Eigen::Index row_length) {
  const size_t n_models = models.size();
  if (n_models < 2) throw std::invalid_argument("model_stock: needs at least 2 models besides the base");
  const Eigen::Index n = base.size();
  for (const auto& m : models)
    if (m.size() != n) throw std::invalid_argument("model_stock: models differ in size");
  if (row_length <= 0 || n == 0) row_length = std::max<Eigen::Index>(n, 1);
  if (n % row_length != 0) throw std::invalid_argument("model_stock: row length does not divide the tensor size");
  Vec<T> out(n);
  std::vector<double> dots(n_models * n_models);
  for (Eigen::Index start = 0; start < n; start += row_length) {
    // Gram matrix of the task vectors on this block.
    std::fill(dots.begin(), dots.end(), 0.0);
    for (Eigen::Index j = start; j < start + row_length; ++j) {
      const double b = static_cast<double>(base[j]);
      for (size_t a = 0; a < n_models; ++a) {
        const double ta = static_cast<double>(models[a][j]) - b;
        for (size_t c = a; c < n_models; ++c) dots[a * n_models + c] += ta * (static_cast<double>(models[c][j]) - b);
      }
    }
    double cos_sum = 0.0;
    size_t pairs = 0;
    for (size_t a = 0; a < n_models; ++a)
      for (size_t c = a + 1; c < n_models; ++c) {
        const double norms = std::sqrt(dots[a * n_models + a]) * std::sqrt(dots[c * n_models + c]);
        cos_sum += std::clamp(dots[a * n_models + c] / std::max(norms, 1e-6), -1.0, 1.0);
        ++pairs;
      }
    const double t = model_stock_ratio(cos_sum / static_cast<double>(pairs), n_models);
    for (Eigen::Index j = start; j < start + row_length; ++j) {
      double avg = 0.0;
      for (const auto& m : models) avg += static_cast<double>(m[j]);
      avg /= static_cast<double>(n_models);
      out[j] = static_cast<T>(t * avg + (1.0 - t) * static_cast<double>(base[j]));
    }
  }
  return out;
}

template Vec<float> model_stock<float>(const VecView<float>&, const VecViews<float>&, Eigen::Index);
template Vec<double> model_stock<double>(const VecView<double>&, const VecViews<double>&, Eigen::Index);

}  // namespace mergelab::merge

// ---- registry entry --------------------------------------------------------------------------
#include "core/merge/param_specs.h"
#include "core/merge/registry.h"

namespace mergelab::merge {
namespace {
template <class T>
Vec<T> run_model_stock(const MergeInputs<T>& in, const Params& p) {
  Eigen::Index row = 0;
  if (p.flag("filter_wise") && in.shape.size() >= 2) row = static_cast<Eigen::Index>(in.shape.back());
  return model_stock(base_view(in), model_views(in), row);
}
}  // namespace

MethodSpec model_stock_method() {
  MethodSpec m;
  m.name = "model_stock";
  m.label = "Model Stock";
  m.summary = "interpolate from the base toward the fine-tunes' average by a ratio set by their task vectors' angle";
  m.formula = "t = N cos / (1 + (N-1) cos);  theta = t * mean_i theta_i + (1 - t) theta_0";
  m.needs_base = true;
  m.min_models = 2;
  m.params = {params::filter_wise(false)};
  m.presets = {{"mergekit", {{"filter_wise", 0}}}};
  m.run_f = &run_model_stock<float>;
  m.run_d = &run_model_stock<double>;
  return m;
}

}  // namespace mergelab::merge
