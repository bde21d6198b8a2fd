#include "core/analysis/plane.h"

#include <cmath>
#include <stdexcept>

#include "core/analysis/score_points.h"

namespace mergelab::analysis {

namespace {
std::vector<double> axis(double lo, double hi, int n) {
  std::vector<double> v;
  for (int k = 0; k < n; ++k) v.push_back(lo + (hi - lo) * static_cast<double>(k) / static_cast<double>(n - 1));
  return v;
}
}  // namespace

Eigen::VectorXf plane_point(const Eigen::VectorXf& theta0, const Eigen::VectorXf& tau_i, const Eigen::VectorXf& tau_j,
                            double a, double b) {
  // The order of run_task_arithmetic: ((0 + a τᵢ) + b τⱼ), then θ₀ + 1·sum. 0 + x and 1·x are exact, so they are left out.
  const float fa = static_cast<float>(a), fb = static_cast<float>(b);
  return (theta0.array() + (fa * tau_i.array() + fb * tau_j.array())).matrix();
}

PlaneResult task_plane(const Layout& layout, const Eigen::VectorXf& theta0, const Eigen::VectorXf& theta_i,
                       const Eigen::VectorXf& theta_j, const Scorer& scorer, const PlaneOptions& options,
                       const RunControl& control) {
  if (options.grid < 2) throw std::invalid_argument("plane: the grid needs at least 2 points per axis");
  for (double v : {options.a0, options.a1, options.b0, options.b1})
    if (!std::isfinite(v)) throw std::invalid_argument("plane: the a and b ranges must be finite");
  const auto n = static_cast<Eigen::Index>(offsets_of(layout).back());
  if (theta0.size() != n || theta_i.size() != n || theta_j.size() != n)
    throw std::invalid_argument("plane: the models do not fit the layout");
  PlaneResult r;
  r.a_values = axis(options.a0, options.a1, options.grid);
  r.b_values = axis(options.b0, options.b1, options.grid);
  const Eigen::VectorXf tau_i = theta_i - theta0, tau_j = theta_j - theta0;
  const std::size_t na = r.a_values.size();
  ScoredPoints s = score_points(
      na * r.b_values.size(), n,
      [&](std::size_t k, Eigen::VectorXf& flat) { flat = plane_point(theta0, tau_i, tau_j, r.a_values[k % na], r.b_values[k / na]); },
      scorer, control);
  r.cells = std::move(s.scores);
  r.evaluated = std::move(s.evaluated);
  r.cancelled = s.cancelled;
  return r;
}

PlaneCoordinates project_onto_plane(const Eigen::VectorXf& theta0, const Eigen::VectorXf& tau_i,
                                    const Eigen::VectorXf& tau_j, const Eigen::VectorXf& point) {
  if (tau_i.size() != theta0.size() || tau_j.size() != theta0.size() || point.size() != theta0.size())
    throw std::invalid_argument("project_onto_plane: vectors differ in size");
  const Eigen::VectorXd ti = tau_i.cast<double>(), tj = tau_j.cast<double>();
  const Eigen::VectorXd d = point.cast<double>() - theta0.cast<double>();
  const double gii = ti.squaredNorm(), gjj = tj.squaredNorm(), gij = ti.dot(tj);
  const double det = gii * gjj - gij * gij;
  if (!(det > 1e-12 * gii * gjj))
    throw std::invalid_argument("project_onto_plane: the two task vectors are zero or parallel (no plane)");
  const double ri = ti.dot(d), rj = tj.dot(d);
  PlaneCoordinates c;
  c.a = (gjj * ri - gij * rj) / det;
  c.b = (gii * rj - gij * ri) / det;
  c.distance = (d - c.a * ti - c.b * tj).norm();
  const double dn = d.norm();
  c.relative_distance = dn > 0 ? c.distance / dn : 0.0;
  return c;
}

std::vector<PlaneMarker> plane_markers(const Layout& layout, const Eigen::VectorXf& theta0,
                                       const Eigen::VectorXf& theta_i, const Eigen::VectorXf& theta_j,
                                       const std::vector<MarkerMethod>& methods, const Scorer& scorer,
                                       const RunControl& control) {
  std::vector<PlaneMarker> markers{{"base", {0, 0, 0, 0}, {}, false},
                                   {"model_i", {1, 0, 0, 0}, {}, false},
                                   {"model_j", {0, 1, 0, 0}, {}, false}};
  std::vector<Eigen::VectorXf> points{theta0, theta_i, theta_j};
  for (const auto& m : methods) {
    if (!m.method || m.method->min_models > 2 || (m.method->max_models >= 0 && m.method->max_models < 2)) continue;
    points.push_back(merge_flat(*m.method, m.params, layout, m.method->needs_base ? &theta0 : nullptr,
                                {&theta_i, &theta_j}));
    markers.push_back({m.method->name, {}, {}, false});
  }
  const Eigen::VectorXf tau_i = theta_i - theta0, tau_j = theta_j - theta0;
  for (std::size_t k = 3; k < markers.size(); ++k) markers[k].coords = project_onto_plane(theta0, tau_i, tau_j, points[k]);
  ScoredPoints s = score_points(
      points.size(), theta0.size(), [&](std::size_t k, Eigen::VectorXf& flat) { flat = points[k]; }, scorer, control);
  for (std::size_t k = 0; k < markers.size(); ++k) {
    markers[k].score = s.scores[k];
    markers[k].evaluated = s.evaluated[k];
  }
  return markers;
}

std::vector<MarkerMethod> registry_marker_methods(const std::vector<std::pair<std::string, double>>& overrides) {
  std::vector<MarkerMethod> out;
  for (const auto& m : merge::method_registry()) {
    if (m.min_models > 2 || (m.max_models >= 0 && m.max_models < 2)) continue;
    merge::Params p = merge::make_params(m, m.presets.count("mergekit") ? "mergekit" : "");
    for (const auto& [name, v] : overrides)
      if (m.param(name)) p.set(name, v);
    merge::check_params(m, p, 2);
    out.push_back({&m, p});
  }
  return out;
}

}  // namespace mergelab::analysis
