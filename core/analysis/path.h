// The interpolation path between two checkpoints, and its loss barrier.
//
//   PathResult r = interpolation_path(layout, theta_a, theta_b, scorer, {.method = PathMethod::Slerp}, run);
//   for (const auto& p : r.points) plot(p.t, p.score.combined);      // sorted by t, t = 0 is theta_a
//   r.barrier.height, r.barrier.present, r.barrier.verdict
//
// Points: `points` evenly spaced t in [0, 1] (t_k = k / (points - 1)), then `refine` extra points placed by a
// golden-section search for the best combined value inside [t_{k-1}, t_{k+1}] around the best grid point k.
// LERP: (1 - t) θ_a + t θ_b, computed exactly as the registry's linear merge with weights (1 - t, t) and
// normalize on (so a path point equals `mergelab merge` of that linear recipe, bit for bit).
// SLERP: per tensor, mergekit's rule (merge::slerp, SlerpRule::Mergekit: LERP when |cos| > 0.9995), as the
// registry's slerp with rule mergekit and t.
//
// Barrier (Frankle et al. 2020's loss barrier, over the points evaluated): with L the combined value (a loss,
// lower is better) and ℓ(t) = (1 - t) L(0) + t L(1) the straight line between the ends,
//   height = max(0, max_t [L(t) - ℓ(t)])            (for a higher-is-better value, max_t [ℓ(t) - L(t)])
// A barrier is declared when height > threshold = kBarrierRelativeThreshold · (|L(0)| + |L(1)|) / 2, i.e. when the
// path rises above the line by more than that fraction of the mean end value (see the README for why 0.1).
// Memory: two models and one point per thread. Threads: the grid points run in parallel (RunControl).
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "core/analysis/flat_models.h"
#include "core/analysis/run_control.h"
#include "core/analysis/scorer.h"

namespace mergelab::analysis {

enum class PathMethod { Lerp, Slerp };

/// "lerp" / "slerp"; throws std::invalid_argument naming the value otherwise.
PathMethod parse_path_method(const std::string& name);
const char* path_method_name(PathMethod m);

/// The barrier is "present" above this fraction of the mean of the two end values.
inline constexpr double kBarrierRelativeThreshold = 0.1;

struct PathOptions {
  PathMethod method = PathMethod::Lerp;
  int points = 21;  ///< grid points over [0, 1], >= 2
  int refine = 6;   ///< golden-section points near the best grid point, >= 0
};

struct PathPoint {
  double t = 0;
  bool refined = false;  ///< placed by the refinement, not on the grid
  bool evaluated = false;
  PointScore score;
};

struct Barrier {
  bool valid = false;   ///< both ends were evaluated (false after an early cancel)
  double height = 0;    ///< max(0, largest rise above the line), in the combined value's units
  double t = 0;         ///< where the largest rise is (0 when there is none)
  double start = 0;     ///< combined value at t = 0
  double end = 0;       ///< combined value at t = 1
  double threshold = 0; ///< kBarrierRelativeThreshold · (|start| + |end|) / 2
  bool present = false; ///< height > threshold
  std::string verdict;  ///< one sentence with the numbers and the threshold
};

struct PathResult {
  PathMethod method = PathMethod::Lerp;
  std::vector<PathPoint> points;  ///< sorted by t
  std::size_t best = 0;           ///< index into points of the best evaluated combined value
  Barrier barrier;
  bool cancelled = false;
};

/// θ at t: the LERP or per-tensor SLERP of `a` and `b` (both layout-sized).
Eigen::VectorXf path_point(const Layout& layout, const Eigen::VectorXf& a, const Eigen::VectorXf& b, double t,
                           PathMethod method);

/// The barrier over points (t_k, L_k) that include t = 0 and t = 1 (unsorted is fine; NaN values skipped).
Barrier path_barrier(const std::vector<double>& t, const std::vector<double>& combined, bool lower_is_better);

/// Evaluates the path from `a` (t = 0) to `b` (t = 1). Throws std::invalid_argument for points < 2, refine < 0
/// or vectors that do not fit the layout; the scorer's exceptions propagate.
PathResult interpolation_path(const Layout& layout, const Eigen::VectorXf& a, const Eigen::VectorXf& b,
                              const Scorer& scorer, const PathOptions& options = {}, const RunControl& control = {});

}  // namespace mergelab::analysis
