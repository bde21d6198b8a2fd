#include "core/analysis/score_points.h"

#include "core/io/parallel.h"

namespace mergelab::analysis {

ScoredPoints score_points(std::size_t n, Eigen::Index size,
                          const std::function<void(std::size_t i, Eigen::VectorXf& flat)>& make_point,
                          const Scorer& scorer, const RunControl& control, std::size_t index_offset,
                          std::size_t total) {
  ScoredPoints out;
  out.scores.resize(n);
  out.evaluated.assign(n, false);
  if (total == 0) total = index_offset + n;
  std::size_t done = index_offset;
  auto body = [&](std::size_t i) {
    Eigen::VectorXf flat(size);
    make_point(i, flat);
    out.scores[i] = scorer.score(flat);
  };
  auto on_done = [&](std::size_t i) {
    out.evaluated[i] = true;  // under parallel_for's mutex: vector<bool> bits are not written concurrently
    ++done;
    if (control.on_point) control.on_point(index_offset + i, out.scores[i]);
    if (control.progress) control.progress(done, total);
  };
  out.count = io::parallel_for(n, control.threads, body, on_done, control.cancel);
  out.cancelled = out.count < n;
  return out;
}

}  // namespace mergelab::analysis
