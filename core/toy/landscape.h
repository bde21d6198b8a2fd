// Loss landscapes of the toys: interpolation paths between two weight vectors (LERP, SLERP) with
// their norms, 2-D planes through weight space, and loss grids over such a plane.
//
// A plane is origin + a * u + b * v; (a, b) are its coordinates. For the article's 2-parameter
// model the plane is the whole weight space (origin 0, u = e1, v = e2, so (a, b) = (w1, w2)); for
// bigger models it is a slice: through theta0 spanned by two task vectors, or through the origin
// and two endpoints (then LERP and SLERP both lie in it).
#pragma once

#include <Eigen/Dense>
#include <array>
#include <vector>

#include "core/toy/logistic.h"

namespace mergelab::toy {

enum class PathKind { Lerp, Slerp };

const char* path_kind_name(PathKind kind);  ///< "LERP" / "SLERP"

/// The merged weights at t in [0, 1]: LERP (1-t) a + t b, or the article's SLERP (core/merge/slerp.h).
Eigen::VectorXd path_point(const Eigen::VectorXd& a, const Eigen::VectorXd& b, PathKind kind, double t);

/// `count` evenly spaced samples t_k = k / (count - 1) of a path, with the merged weights and their
/// Euclidean norms. count >= 2.
struct PathSamples {
  std::vector<double> t;             ///< count
  std::vector<Eigen::VectorXd> w;    ///< count x d
  std::vector<double> norm;          ///< count, |w(t)|_2
};
PathSamples sample_path(const Eigen::VectorXd& a, const Eigen::VectorXd& b, PathKind kind, int count);

/// origin + a * u + b * v (all d-dimensional; u and v linearly independent).
struct Plane {
  Eigen::VectorXd origin, u, v;
  Eigen::VectorXd at(double a, double b) const { return origin + a * u + b * v; }
  /// Least-squares coordinates (a, b) of w (exact when w lies in the plane).
  Eigen::Vector2d project(const Eigen::VectorXd& w) const;
  /// Distance from w to the plane (0 when it lies in it).
  double distance(const Eigen::VectorXd& w) const;
};

/// The whole 2-D weight space: origin 0, u = (1, 0), v = (0, 1).
Plane coordinate_plane();
/// The plane through theta0 spanned by two task vectors: (a, b) are the task-vector scales, so
/// theta0 + tau1 is (1, 0), theta0 + tau2 is (0, 1) and their average is (0.5, 0.5).
Plane task_vector_plane(const Eigen::VectorXd& theta0, const Eigen::VectorXd& tau1, const Eigen::VectorXd& tau2);
/// The plane through the origin containing a and b, with an orthonormal basis (u = a / |a|, v the
/// Gram-Schmidt rest of b), so distances and angles on it are the true ones. Both LERP and SLERP
/// between a and b lie in it. Throws std::invalid_argument when a and b are parallel or zero.
Plane plane_through_origin(const Eigen::VectorXd& a, const Eigen::VectorXd& b);

/// A regular grid over [a0, a1] x [b0, b1]: na columns along a, nb rows along b (both >= 2).
struct GridSpec {
  double a0 = -1, a1 = 1, b0 = -1, b1 = 1;
  int na = 128, nb = 128;
  double a_at(int i) const { return a0 + (a1 - a0) * i / (na - 1); }
  double b_at(int j) const { return b0 + (b1 - b0) * j / (nb - 1); }
  bool operator==(const GridSpec&) const = default;
};

/// Values of a scalar field on a GridSpec, row-major: values[j * na + i] is at (a_at(i), b_at(j)).
struct Grid {
  GridSpec spec;
  std::vector<double> values;
  double at(int i, int j) const { return values[static_cast<size_t>(j) * spec.na + i]; }
  double min() const;
  double max() const;
};

/// Element-wise sum of two grids on the same spec (e.g. Task 1 + Task 2 = Combined).
Grid add(const Grid& x, const Grid& y);

/// The article's logistic loss (bce_loss, same clipping) at every grid point of a plane.
/// Uses z = X origin + a X u + b X v, so one grid costs O(na nb n) whatever d is.
Grid logistic_loss_grid(const Dataset& data, const Plane& plane, const GridSpec& spec);

/// Smallest axis-aligned square box (snapped outward to multiples of `snap`) holding the points
/// with `pad` around them; returns {a0, a1, b0, b1}. Snapping keeps it still while points move a little.
std::array<double, 4> fit_square_box(const std::vector<Eigen::Vector2d>& points, double pad, double snap);

}  // namespace mergelab::toy
