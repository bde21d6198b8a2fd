#include "core/merge/multislerp.h"

#include <cmath>
#include <stdexcept>

namespace mergelab::merge {

template <class T>
Vec<T> multislerp(const VecViews<T>& xs, const std::vector<double>& weights_in, bool normalize_weights, double eps) {
  const size_t n_models = xs.size();
  if (n_models == 0 || weights_in.size() != n_models) throw std::invalid_argument("multislerp: one weight per model");
  if (n_models == 1) return xs[0];
  const Eigen::Index n = xs[0].size();
  std::vector<double> w = weights_in;
  if (normalize_weights) {
    double sum = 0.0;
    for (double v : w) sum += v;
    if (sum == 0.0) throw std::invalid_argument("multislerp: the weights sum to 0 (normalize_weights divides by the sum)");
    for (double& v : w) v /= sum;
  }
  std::vector<double> norms(n_models);
  for (size_t i = 0; i < n_models; ++i) norms[i] = std::sqrt(xs[i].template cast<double>().squaredNorm());
  // The weighted mean of the unit vectors.
  Eigen::VectorXd mean = Eigen::VectorXd::Zero(n);
  for (size_t i = 0; i < n_models; ++i) mean += (w[i] / (norms[i] + eps)) * xs[i].template cast<double>();
  const double mean_norm = mean.norm();
  if (mean_norm < eps) {
    if (n_models == 2) return (w[0] * xs[0].template cast<double>() + w[1] * xs[1].template cast<double>()).template cast<T>();
    throw std::invalid_argument(
        "multislerp: the weighted mean of the models' directions is zero (antipodal models whose weights cancel)");
  }
  mean /= mean_norm;
  // Weighted tangent vectors at the mean direction.
  Eigen::VectorXd tangent = Eigen::VectorXd::Zero(n);
  for (size_t i = 0; i < n_models; ++i) {
    const Eigen::VectorXd u = xs[i].template cast<double>() / (norms[i] + eps);
    tangent += w[i] * (u - u.dot(mean) * mean);
  }
  const double g = tangent.norm() + eps;
  double scale = 0.0;
  for (size_t i = 0; i < n_models; ++i) scale += w[i] * norms[i];
  return (scale * (std::cos(g) * mean + (std::sin(g) / g) * tangent)).template cast<T>();
}

template Vec<float> multislerp<float>(const VecViews<float>&, const std::vector<double>&, bool, double);
template Vec<double> multislerp<double>(const VecViews<double>&, const std::vector<double>&, bool, double);

}  // namespace mergelab::merge

// ---- registry entry --------------------------------------------------------------------------
#include "core/merge/param_specs.h"
#include "core/merge/registry.h"

namespace mergelab::merge {
namespace {
template <class T>
Vec<T> run_multislerp(const MergeInputs<T>& in, const Params& p) {
  const auto w = per_model_values(p, "weight", in.models.size());
  const bool normalize = p.flag("normalize_weights");
  const double eps = p.get("eps");
  if (in.models.size() == 1) return model_views(in)[0];
  if (!in.base) return multislerp<T>(model_views(in), w, normalize, eps);
  const auto tvs = task_vectors_of(in);
  Vec<T> out = multislerp<T>(views_of(tvs), w, normalize, eps);
  out += base_view(in);
  return out;
}
}  // namespace

MethodSpec multislerp_method() {
  MethodSpec m;
  m.name = "multislerp";
  m.label = "Multi-SLERP";
  m.summary = "weighted spherical mean of any number of models (or task vectors) via the tangent space at their mean";
  m.formula = "m = normalize(sum w_i x_i/|x_i|); g = sum w_i (u_i - (u_i.m) m); (sum w_i |x_i|)(m cos|g| + g sin|g|/|g|)";
  m.needs_base = false;
  m.base_optional = true;
  m.min_models = 1;
  m.params = {
      params::weight(0.0, 2.0),
      {"normalize_weights", "normalize weights", "divide the weights by their sum", ParamSpec::Kind::Bool, 1.0, 0, 1, {},
       false},
      params::limited({"eps", "eps", "stabiliser: u_i = x_i/(|x_i| + eps); |mean| < eps counts as zero",
                       ParamSpec::Kind::Real, 1e-8, 0.0, 1e-4, {}, false},
                      0.0, ParamSpec::kUnbounded),
  };
  m.presets = {{"mergekit", {{"normalize_weights", 1}, {"eps", 1e-8}}}};
  m.run_f = &run_multislerp<float>;
  m.run_d = &run_multislerp<double>;
  return m;
}

}  // namespace mergelab::merge
