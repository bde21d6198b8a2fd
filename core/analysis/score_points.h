// Scoring a list of points in parallel: the loop shared by the path, the task plane and the landscape.
//
// make_point(i, out) writes point i's flat weights into `out` (sized to the layout by the caller of the loop,
// one buffer per item so threads never share one); the scorer then scores it. Items are handed out through
// io::parallel_for, so progress/on_point are serialised and a cancel flag stops new points.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <functional>
#include <vector>

#include "core/analysis/run_control.h"
#include "core/analysis/scorer.h"

namespace mergelab::analysis {

struct ScoredPoints {
  std::vector<PointScore> scores;  ///< one per point (metrics empty, combined NaN where not evaluated)
  std::vector<bool> evaluated;     ///< which points ran
  std::size_t count = 0;           ///< how many ran
  bool cancelled = false;          ///< the run stopped before every point ran
};

/// Scores points [0, n): make_point(i, flat) fills a vector of `size` values. `index_offset` and `total` are
/// what progress/on_point report (so a run made of several batches counts on from one to the next).
ScoredPoints score_points(std::size_t n, Eigen::Index size,
                          const std::function<void(std::size_t i, Eigen::VectorXf& flat)>& make_point,
                          const Scorer& scorer, const RunControl& control, std::size_t index_offset = 0,
                          std::size_t total = 0);

}  // namespace mergelab::analysis
