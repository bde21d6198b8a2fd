// The loss landscape around one model along filter-normalised random directions (directions.h).
//
//   LandscapeResult r = loss_landscape(layout, theta, scorer, {.dims = 2, .range = 1.0, .points = 21, .seed = 0}, run);
//   r.at(ix, iy).combined     // θ + x_ix·d₀ + y_iy·d₁
//
// 1-D: θ + x·d₀ for x in `points` evenly spaced values over [-range, range]; 2-D: θ + x·d₀ + y·d₁ over the
// points × points grid, cells y-major (index = iy·points + ix). x = 0 is θ itself when `points` is odd.
// Point weights are computed in float: θ + (x·d₀ + y·d₁). Memory: θ, the directions and one point per thread.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "core/analysis/flat_models.h"
#include "core/analysis/run_control.h"
#include "core/analysis/scorer.h"

namespace mergelab::analysis {

struct LandscapeOptions {
  int dims = 1;           ///< 1 or 2
  double range = 1.0;     ///< the grid spans [-range, range] along each direction, > 0
  int points = 21;        ///< per axis, >= 2
  std::uint32_t seed = 0; ///< RandomState seed of the directions
};

struct LandscapeResult {
  int dims = 1;
  std::vector<double> x_values;     ///< along direction 0
  std::vector<double> y_values;     ///< along direction 1 (empty in 1-D)
  std::vector<PointScore> cells;    ///< 1-D: one per x; 2-D: y-major
  std::vector<bool> evaluated;
  std::vector<Eigen::VectorXf> directions;
  bool cancelled = false;
  const PointScore& at(std::size_t ix, std::size_t iy = 0) const { return cells[iy * x_values.size() + ix]; }
};

/// Scores the grid. Throws std::invalid_argument for dims not 1 or 2, points < 2, a range not > 0 and finite,
/// or a model that does not fit the layout.
LandscapeResult loss_landscape(const Layout& layout, const Eigen::VectorXf& theta, const Scorer& scorer,
                               const LandscapeOptions& options = {}, const RunControl& control = {});

}  // namespace mergelab::analysis
