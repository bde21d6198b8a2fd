#include "core/analysis/landscape.h"

#include <cmath>
#include <stdexcept>

#include "core/analysis/directions.h"
#include "core/analysis/score_points.h"

namespace mergelab::analysis {

LandscapeResult loss_landscape(const Layout& layout, const Eigen::VectorXf& theta, const Scorer& scorer,
                               const LandscapeOptions& options, const RunControl& control) {
  if (options.dims != 1 && options.dims != 2) throw std::invalid_argument("landscape: dims must be 1 or 2");
  if (options.points < 2) throw std::invalid_argument("landscape: at least 2 points per axis");
  if (!(options.range > 0) || !std::isfinite(options.range))
    throw std::invalid_argument("landscape: the range must be a positive number");
  LandscapeResult r;
  r.dims = options.dims;
  r.directions = filter_normalized_directions(layout, theta, options.dims, options.seed);
  for (int k = 0; k < options.points; ++k)
    r.x_values.push_back(-options.range + 2.0 * options.range * k / (options.points - 1));
  if (options.dims == 2) r.y_values = r.x_values;
  const std::size_t nx = r.x_values.size(), ny = options.dims == 2 ? r.y_values.size() : 1;
  ScoredPoints s = score_points(
      nx * ny, theta.size(),
      [&](std::size_t k, Eigen::VectorXf& flat) {
        const float x = static_cast<float>(r.x_values[k % nx]);
        if (options.dims == 1) {
          flat = (theta.array() + x * r.directions[0].array()).matrix();
        } else {
          const float y = static_cast<float>(r.y_values[k / nx]);
          flat = (theta.array() + (x * r.directions[0].array() + y * r.directions[1].array())).matrix();
        }
      },
      scorer, control);
  r.cells = std::move(s.scores);
  r.evaluated = std::move(s.evaluated);
  r.cancelled = s.cancelled;
  return r;
}

}  // namespace mergelab::analysis
