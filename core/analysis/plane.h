// The task plane: θ₀ + a·τᵢ + b·τⱼ over a grid, and where any model lands on it.
//
//   PlaneResult r = task_plane(layout, theta0, theta_i, theta_j, scorer, {.a0 = -0.5, .a1 = 1.5, .grid = 21}, run);
//   r.at(ia, ib).combined                   // cell (a_values[ia], b_values[ib])
//   PlaneCoordinates c = project_onto_plane(theta0, tau_i, tau_j, merged);   // c.a, c.b, c.distance
//
// A cell's weights are computed in float exactly as the registry's task arithmetic with weights (a, b),
// lambda 1 and normalize off computes them: τ = θ - θ₀ per element, then θ₀ + (a·τᵢ + b·τⱼ). So cell (a, b) equals
// `mergelab merge` of that task-arithmetic recipe, bit for bit, and its scores equal `mergelab eval` of the output.
// Grid values: a_k = a0 + (a1 - a0)·k / (grid - 1) (likewise b); cells are b-major: index = ib·grid + ia.
// Projection: the least-squares (a, b) of d = merged - θ₀ on span(τᵢ, τⱼ) (2 × 2 normal equations, in double),
// distance = |d - a·τᵢ - b·τⱼ|₂, relative_distance = distance / |d|₂ (0 when d = 0).
// Markers: θ₀ at (0, 0), θᵢ at (1, 0), θⱼ at (0, 1), and the merge of θᵢ, θⱼ (over θ₀ when the method takes a
// base) by each registry method given, merged tensor by tensor as `mergelab merge` does (merge_flat), projected.
// Memory: the three models, the two task vectors, and one point per thread.
#pragma once

#include <Eigen/Core>
#include <string>
#include <utility>
#include <vector>

#include "core/analysis/flat_models.h"
#include "core/analysis/run_control.h"
#include "core/analysis/scorer.h"
#include "core/merge/registry.h"

namespace mergelab::analysis {

struct PlaneOptions {
  double a0 = -0.5, a1 = 1.5;  ///< range of the weight of τᵢ
  double b0 = -0.5, b1 = 1.5;  ///< range of the weight of τⱼ
  int grid = 21;               ///< points per axis, >= 2
};

struct PlaneResult {
  std::vector<double> a_values, b_values;
  std::vector<PointScore> cells;  ///< b-major: cells[ib * a_values.size() + ia]
  std::vector<bool> evaluated;
  bool cancelled = false;
  const PointScore& at(std::size_t ia, std::size_t ib) const { return cells[ib * a_values.size() + ia]; }
};

/// θ₀ + (a·τᵢ + b·τⱼ) element by element in float (the task-arithmetic order, see above).
Eigen::VectorXf plane_point(const Eigen::VectorXf& theta0, const Eigen::VectorXf& tau_i, const Eigen::VectorXf& tau_j,
                            double a, double b);

/// Scores every cell. Throws std::invalid_argument for grid < 2, a non-finite range, or sizes that differ.
PlaneResult task_plane(const Layout& layout, const Eigen::VectorXf& theta0, const Eigen::VectorXf& theta_i,
                       const Eigen::VectorXf& theta_j, const Scorer& scorer, const PlaneOptions& options = {},
                       const RunControl& control = {});

struct PlaneCoordinates {
  double a = 0, b = 0;
  double distance = 0;           ///< |d - a τᵢ - b τⱼ|₂, in weight units
  double relative_distance = 0;  ///< distance / |d|₂
};

/// Least-squares coordinates of `point` - θ₀ on span(τᵢ, τⱼ). Throws std::invalid_argument when τᵢ and τⱼ are
/// (numerically) parallel or zero, or the sizes differ.
PlaneCoordinates project_onto_plane(const Eigen::VectorXf& theta0, const Eigen::VectorXf& tau_i,
                                    const Eigen::VectorXf& tau_j, const Eigen::VectorXf& point);

/// One method at its settings, for plane_markers.
struct MarkerMethod {
  const merge::MethodSpec* method = nullptr;
  merge::Params params;
};

/// Every registry method that merges two models, at its mergekit preset (its defaults when it has none), with
/// `overrides` (NAME, VALUE) set on each method that has the parameter NAME. Throws std::invalid_argument when a
/// value is out of a method's range (merge::check_params).
std::vector<MarkerMethod> registry_marker_methods(const std::vector<std::pair<std::string, double>>& overrides = {});

struct PlaneMarker {
  std::string name;  ///< "base", "model_i", "model_j", or the method's registry name
  PlaneCoordinates coords;
  PointScore score;
  bool evaluated = false;
};

/// The markers (base, the two models, then one per method), each projected and scored. Methods that cannot merge
/// two models (min_models > 2 or max_models < 2) are skipped. Throws std::invalid_argument from the registry.
std::vector<PlaneMarker> plane_markers(const Layout& layout, const Eigen::VectorXf& theta0,
                                       const Eigen::VectorXf& theta_i, const Eigen::VectorXf& theta_j,
                                       const std::vector<MarkerMethod>& methods, const Scorer& scorer,
                                       const RunControl& control = {});

}  // namespace mergelab::analysis
