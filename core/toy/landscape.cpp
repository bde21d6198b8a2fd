#include "core/toy/landscape.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/merge/slerp.h"

namespace mergelab::toy {

const char* path_kind_name(PathKind kind) { return kind == PathKind::Lerp ? "LERP" : "SLERP"; }

Eigen::VectorXd path_point(const Eigen::VectorXd& a, const Eigen::VectorXd& b, PathKind kind, double t) {
  if (kind == PathKind::Lerp) return (1.0 - t) * a + t * b;
  return merge::slerp<double>(a, b, t, merge::SlerpRule::Article);
}

PathSamples sample_path(const Eigen::VectorXd& a, const Eigen::VectorXd& b, PathKind kind, int count) {
  if (count < 2) throw std::invalid_argument("sample_path: count must be >= 2");
  PathSamples out;
  out.t.reserve(count);
  out.w.reserve(count);
  out.norm.reserve(count);
  for (int k = 0; k < count; ++k) {
    const double t = static_cast<double>(k) / (count - 1);
    out.t.push_back(t);
    out.w.push_back(path_point(a, b, kind, t));
    out.norm.push_back(out.w.back().norm());
  }
  return out;
}

Eigen::Vector2d Plane::project(const Eigen::VectorXd& w) const {
  // Normal equations of min |origin + a u + b v - w|: a 2x2 system.
  const Eigen::VectorXd r = w - origin;
  Eigen::Matrix2d g;
  g << u.dot(u), u.dot(v), u.dot(v), v.dot(v);
  const Eigen::Vector2d rhs(u.dot(r), v.dot(r));
  return g.ldlt().solve(rhs);
}

double Plane::distance(const Eigen::VectorXd& w) const {
  const Eigen::Vector2d ab = project(w);
  return (at(ab[0], ab[1]) - w).norm();
}

Plane coordinate_plane() {
  return Plane{Eigen::Vector2d::Zero(), Eigen::Vector2d(1.0, 0.0), Eigen::Vector2d(0.0, 1.0)};
}

Plane task_vector_plane(const Eigen::VectorXd& theta0, const Eigen::VectorXd& tau1, const Eigen::VectorXd& tau2) {
  return Plane{theta0, tau1, tau2};
}

Plane plane_through_origin(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  const double na = a.norm();
  if (!(na > 0.0)) throw std::invalid_argument("plane_through_origin: first vector is zero");
  Eigen::VectorXd u = a / na;
  Eigen::VectorXd v = b - u.dot(b) * u;
  const double nv = v.norm();
  if (!(nv > 1e-12 * std::max(1.0, b.norm()))) throw std::invalid_argument("plane_through_origin: vectors are parallel");
  v /= nv;
  return Plane{Eigen::VectorXd::Zero(a.size()), u, v};
}

double Grid::min() const {
  return values.empty() ? 0.0 : *std::min_element(values.begin(), values.end());
}
double Grid::max() const {
  return values.empty() ? 0.0 : *std::max_element(values.begin(), values.end());
}

Grid add(const Grid& x, const Grid& y) {
  if (!(x.spec == y.spec) || x.values.size() != y.values.size())
    throw std::invalid_argument("add: grids have different specs");
  Grid out{x.spec, x.values};
  for (size_t k = 0; k < out.values.size(); ++k) out.values[k] += y.values[k];
  return out;
}

Grid logistic_loss_grid(const Dataset& data, const Plane& plane, const GridSpec& spec) {
  if (spec.na < 2 || spec.nb < 2) throw std::invalid_argument("logistic_loss_grid: grid needs >= 2 x 2 points");
  const Eigen::Index n = data.X.rows();
  // Per-row logits are linear in (a, b): z = zo + a zu + b zv. Multiplying by s = 2y - 1 turns the
  // cross-entropy term into softplus(-s z); the article's clip of p to [1e-7, 1 - 1e-7] becomes a
  // clamp of that term to [-log(1 - 1e-7), -log(1e-7)].
  const Eigen::ArrayXd s = 2.0 * data.y.array() - 1.0;
  const Eigen::ArrayXd zo = s * (data.X * plane.origin).array();
  const Eigen::ArrayXd zu = s * (data.X * plane.u).array();
  const Eigen::ArrayXd zv = s * (data.X * plane.v).array();
  const double lo = -std::log1p(-1e-7), hi = -std::log(1e-7);
  Eigen::ArrayXd a(spec.na);
  for (int i = 0; i < spec.na; ++i) a[i] = spec.a_at(i);

  Grid grid{spec, std::vector<double>(static_cast<size_t>(spec.na) * spec.nb)};
  Eigen::ArrayXXd m(n, spec.na);
  for (int j = 0; j < spec.nb; ++j) {
    const Eigen::ArrayXd base = zo + spec.b_at(j) * zv;
    // m = -s z for every row (down) and grid column (across).
    m = -(base.replicate(1, spec.na) + (zu.matrix() * a.matrix().transpose()).array());
    const Eigen::ArrayXXd term = (m.max(0.0) + (1.0 + (-m.abs()).exp()).log()).max(lo).min(hi);
    const Eigen::ArrayXd mean = term.colwise().mean().transpose();
    std::copy(mean.data(), mean.data() + spec.na, grid.values.begin() + static_cast<std::ptrdiff_t>(j) * spec.na);
  }
  return grid;
}

std::array<double, 4> fit_square_box(const std::vector<Eigen::Vector2d>& points, double pad, double snap) {
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const auto& p : points) {
    if (!std::isfinite(p[0]) || !std::isfinite(p[1])) continue;
    x0 = std::min(x0, p[0]);
    x1 = std::max(x1, p[0]);
    y0 = std::min(y0, p[1]);
    y1 = std::max(y1, p[1]);
  }
  if (!(x0 <= x1)) return {-1, 1, -1, 1};
  x0 -= pad, x1 += pad, y0 -= pad, y1 += pad;
  const double side = std::max(x1 - x0, y1 - y0);
  const double cx = 0.5 * (x0 + x1), cy = 0.5 * (y0 + y1);
  auto lo = [&](double c) { return std::floor((c - 0.5 * side) / snap) * snap; };
  auto hi = [&](double c) { return std::ceil((c + 0.5 * side) / snap) * snap; };
  double a0 = lo(cx), a1 = hi(cx), b0 = lo(cy), b1 = hi(cy);
  // Make it square again after snapping (grow the shorter side at its upper end).
  const double s = std::max(a1 - a0, b1 - b0);
  a1 = a0 + s;
  b1 = b0 + s;
  return {a0, a1, b0, b1};
}

}  // namespace mergelab::toy
