#include "core/analysis/path.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/analysis/score_points.h"
#include "core/merge/linear.h"
#include "core/merge/slerp.h"

namespace mergelab::analysis {

PathMethod parse_path_method(const std::string& name) {
  if (name == "lerp") return PathMethod::Lerp;
  if (name == "slerp") return PathMethod::Slerp;
  throw std::invalid_argument("unknown path method '" + name + "' (lerp or slerp)");
}

const char* path_method_name(PathMethod m) { return m == PathMethod::Lerp ? "lerp" : "slerp"; }

Eigen::VectorXf path_point(const Layout& layout, const Eigen::VectorXf& a, const Eigen::VectorXf& b, double t,
                           PathMethod method) {
  const auto offsets = offsets_of(layout);
  const auto n = static_cast<Eigen::Index>(offsets.back());
  if (a.size() != n || b.size() != n) throw std::invalid_argument("path_point: the models do not fit the layout");
  if (method == PathMethod::Lerp) {
    // The linear merge is element-wise, so the whole vector at once equals the engine's tensor-by-tensor result.
    const merge::VecViews<float> views{a, b};
    return merge::linear_merge<float>(views, {1.0 - t, t}, /*normalize=*/true);
  }
  Eigen::VectorXf out(n);
  for (std::size_t k = 0; k < layout.size(); ++k) {
    const auto off = static_cast<Eigen::Index>(offsets[k]);
    const auto len = static_cast<Eigen::Index>(offsets[k + 1] - offsets[k]);
    out.segment(off, len) =
        merge::slerp<float>(a.segment(off, len), b.segment(off, len), t, merge::SlerpRule::Mergekit);
  }
  return out;
}

Barrier path_barrier(const std::vector<double>& t, const std::vector<double>& combined, bool lower_is_better) {
  Barrier b;
  bool has_start = false, has_end = false;
  for (std::size_t k = 0; k < t.size(); ++k) {
    if (std::isnan(combined[k])) continue;
    if (t[k] == 0.0) b.start = combined[k], has_start = true;
    if (t[k] == 1.0) b.end = combined[k], has_end = true;
  }
  if (!has_start || !has_end) {
    b.verdict = "no barrier computed: an end of the path was not evaluated";
    return b;
  }
  b.valid = true;
  for (std::size_t k = 0; k < t.size(); ++k) {
    if (std::isnan(combined[k])) continue;
    const double line = (1.0 - t[k]) * b.start + t[k] * b.end;
    const double rise = lower_is_better ? combined[k] - line : line - combined[k];
    if (rise > b.height) b.height = rise, b.t = t[k];
  }
  b.threshold = kBarrierRelativeThreshold * (std::abs(b.start) + std::abs(b.end)) / 2.0;
  b.present = b.height > b.threshold;
  char rise[96];
  if (b.height > 0) std::snprintf(rise, sizeof rise, "rises %.4g above", b.height);
  else std::snprintf(rise, sizeof rise, "never rises above");
  char where[48] = "";
  if (b.height > 0) std::snprintf(where, sizeof where, " (largest at t = %.4g)", b.t);
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "%s: the path %s the straight line between its ends%s; threshold %.4g = %.2g x the mean end value "
                "(%.4g, %.4g)%s",
                b.present ? "barrier" : "no barrier", rise, where, b.threshold, kBarrierRelativeThreshold, b.start, b.end,
                b.present ? ": the ends are not linearly connected" : ": the ends are linearly connected");
  b.verdict = buf;
  return b;
}

PathResult interpolation_path(const Layout& layout, const Eigen::VectorXf& a, const Eigen::VectorXf& b,
                              const Scorer& scorer, const PathOptions& options, const RunControl& control) {
  if (options.points < 2) throw std::invalid_argument("path: --points must be at least 2");
  if (options.refine < 0) throw std::invalid_argument("path: refine must be >= 0");
  const auto n = static_cast<Eigen::Index>(offsets_of(layout).back());
  if (a.size() != n || b.size() != n) throw std::invalid_argument("path: the models do not fit the layout");

  PathResult result;
  result.method = options.method;
  const auto grid = static_cast<std::size_t>(options.points);
  const auto refine = static_cast<std::size_t>(options.refine);
  const std::size_t total = grid + refine;
  std::vector<double> ts;
  for (std::size_t k = 0; k < grid; ++k) ts.push_back(static_cast<double>(k) / static_cast<double>(grid - 1));
  auto make = [&](const std::vector<double>& at) {
    return [&, at](std::size_t i, Eigen::VectorXf& flat) { flat = path_point(layout, a, b, at[i], options.method); };
  };
  ScoredPoints scored = score_points(grid, n, make(ts), scorer, control, 0, total);
  for (std::size_t k = 0; k < grid; ++k)
    result.points.push_back({ts[k], false, static_cast<bool>(scored.evaluated[k]), scored.scores[k]});
  result.cancelled = scored.cancelled;

  // Golden-section refinement around the best grid point (bracket [t_{k-1}, t_{k+1}], clipped to [0, 1]).
  std::size_t best_grid = 0;
  for (std::size_t k = 0; k < grid; ++k)
    if (result.points[k].evaluated && scorer.better(result.points[k].score.combined, result.points[best_grid].score.combined))
      best_grid = k;
  if (!result.cancelled && refine > 0) {
    const double g = (std::sqrt(5.0) - 1.0) / 2.0;
    double lo = ts[best_grid == 0 ? 0 : best_grid - 1], hi = ts[std::min(best_grid + 1, grid - 1)];
    std::size_t index = grid;
    auto eval_at = [&](const std::vector<double>& at) {
      ScoredPoints s = score_points(at.size(), n, make(at), scorer, control, index, total);
      for (std::size_t i = 0; i < at.size(); ++i)
        result.points.push_back({at[i], true, static_cast<bool>(s.evaluated[i]), s.scores[i]});
      index += at.size();
      if (s.cancelled) result.cancelled = true;
      return s;
    };
    double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
    std::vector<double> first{x1};
    if (refine >= 2) first.push_back(x2);
    ScoredPoints s = eval_at(first);
    double f1 = s.scores[0].combined, f2 = refine >= 2 ? s.scores[1].combined : f1;
    for (std::size_t used = first.size(); used < refine && !result.cancelled; ++used) {
      if (scorer.better(f1, f2) || (!scorer.better(f2, f1) && f1 == f2)) {
        hi = x2, x2 = x1, f2 = f1;
        x1 = hi - g * (hi - lo);
        f1 = eval_at({x1}).scores[0].combined;
      } else {
        lo = x1, x1 = x2, f1 = f2;
        x2 = lo + g * (hi - lo);
        f2 = eval_at({x2}).scores[0].combined;
      }
    }
  }
  std::stable_sort(result.points.begin(), result.points.end(),
                   [](const PathPoint& x, const PathPoint& y) { return x.t < y.t; });
  std::vector<double> pt, pc;
  for (std::size_t k = 0; k < result.points.size(); ++k) {
    const auto& p = result.points[k];
    if (!p.evaluated) continue;
    pt.push_back(p.t);
    pc.push_back(p.score.combined);
    if (!result.points[result.best].evaluated || scorer.better(p.score.combined, result.points[result.best].score.combined))
      result.best = k;
  }
  result.barrier = path_barrier(pt, pc, scorer.lower_is_better);
  return result;
}

}  // namespace mergelab::analysis
