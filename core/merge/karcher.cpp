#include "core/merge/karcher.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mergelab::merge {

template <class T>
Vec<T> karcher_mean(const VecViews<T>& models, int max_iter, double tol) {
  const size_t n_models = models.size();
  if (n_models == 0) throw std::invalid_argument("karcher: no models");
  if (n_models == 1) return models[0];
  const Eigen::Index n = models[0].size();
  const double a_all = 1.0 / static_cast<double>(n_models);
  std::vector<Eigen::VectorXd> units;
  double scale = 0.0;
  for (const auto& m : models) {
    const double norm = std::sqrt(m.template cast<double>().squaredNorm());
    scale += a_all * norm;
    if (norm > tol) units.push_back(m.template cast<double>() / norm);
  }
  if (units.empty()) return Vec<T>::Zero(n);
  const double a = 1.0 / static_cast<double>(units.size());  // equal weights, renormalised over the valid models
  Eigen::VectorXd u = Eigen::VectorXd::Zero(n);
  for (const auto& ui : units) u += a * ui;
  const double start_norm = u.norm();
  if (start_norm < tol) u = units[0];
  else u /= start_norm;
  for (int it = 0; it < max_iter; ++it) {
    Eigen::VectorXd step = Eigen::VectorXd::Zero(n);
    for (const auto& ui : units) {
      const double c = std::clamp(u.dot(ui), -1.0, 1.0);
      const double theta = std::acos(c);
      if (theta < tol) continue;
      step += (a * theta / std::sin(theta)) * (ui - c * u);
    }
    const double step_norm = step.norm();
    if (step_norm < tol) break;
    u = std::cos(step_norm) * u + (std::sin(step_norm) / step_norm) * step;
    const double u_norm = u.norm();
    if (u_norm > tol) u /= u_norm;
  }
  return (scale * u).template cast<T>();
}

template Vec<float> karcher_mean<float>(const VecViews<float>&, int, double);
template Vec<double> karcher_mean<double>(const VecViews<double>&, int, double);

}  // namespace mergelab::merge

// ---- registry entry --------------------------------------------------------------------------
#include "core/merge/registry.h"

namespace mergelab::merge {
namespace {
template <class T>
Vec<T> run_karcher(const MergeInputs<T>& in, const Params& p) {
  return karcher_mean<T>(model_views(in), static_cast<int>(p.get("max_iter")), p.get("tol"));
}
}  // namespace

MethodSpec karcher_method() {
  MethodSpec m;
  m.name = "karcher";
  m.label = "Karcher mean";
  m.summary = "the Riemannian (Karcher) mean of the models' directions on the sphere, times their mean norm";
  m.formula = "u = argmin sum_i angle(u, theta_i)^2 (fixed-point iteration); theta = (mean_i |theta_i|) u";
  m.needs_base = false;
  m.base_joins_models = true;
  m.min_models = 1;
  m.params = {
      {"max_iter", "max iterations", "iterations of the fixed-point update at most", ParamSpec::Kind::Integer, 10, 0, 100,
       {}, false, 0.0, 10000.0},
      {"tol", "tolerance", "stop when the update's norm < tol; also: models shorter than tol, angles below tol are skipped",
       ParamSpec::Kind::Real, 1e-5, 1e-9, 1e-2, {}, false, 0.0, 1.0},
  };
  m.presets = {{"mergekit", {{"max_iter", 10}, {"tol", 1e-5}}}};
  m.run_f = &run_karcher<float>;
  m.run_d = &run_karcher<double>;
  return m;
}

}  // namespace mergelab::merge
