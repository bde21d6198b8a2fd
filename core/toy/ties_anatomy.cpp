#include "core/toy/ties_anatomy.h"

#include <limits>
#include <stdexcept>

#include "core/merge/linear.h"
#include "core/merge/stats.h"
#include "core/merge/trim.h"

namespace mergelab::toy {

TiesAnatomy ties_anatomy(const std::vector<Eigen::VectorXd>& tvs, const TiesAnatomyOptions& o) {
  using namespace mergelab::merge;
  if (tvs.empty()) throw std::invalid_argument("ties anatomy: no task vectors");
  const Eigen::Index n = tvs[0].size();
  for (const auto& tv : tvs)
    if (tv.size() != n) throw std::invalid_argument("ties anatomy: task vectors differ in length");
  const auto N = static_cast<Eigen::Index>(tvs.size());
  TiesAnatomy a;
  a.task_vectors.resize(N, n);
  a.trimmed.resize(N, n);
  std::vector<Eigen::VectorXd> trimmed;
  for (Eigen::Index i = 0; i < N; ++i) {
    const auto& tv = tvs[static_cast<size_t>(i)];
    a.task_vectors.row(i) = tv.transpose();
    trimmed.push_back(trim_by_magnitude<double>(tv, o.k, o.trim));
    a.trimmed.row(i) = trimmed.back().transpose();
    a.thresholds.push_back(o.trim == TrimRule::Quantile && n > 0 ? trim_threshold<double>(tv, o.k)
                                                                 : std::numeric_limits<double>::quiet_NaN());
  }
  const VecViews<double> inputs(tvs.begin(), tvs.end());
  const VecViews<double> kept(trimmed.begin(), trimmed.end());
  const std::vector<double> ones(tvs.size(), 1.0);

  a.elected = elect_sign(kept, o.sign, o.tie_elects_positive);
  a.merged = disjoint_merge(kept, ones, a.elected, true);
  a.average = linear_merge(inputs, ones, true);

  a.contributes = Eigen::MatrixXi::Zero(N, n);
  for (Eigen::Index i = 0; i < N; ++i)
    for (Eigen::Index j = 0; j < n; ++j) {
      const int s = sign_of(a.trimmed(i, j));
      if (s == 0) continue;
      ++a.kept;
      if (a.elected[j] != 0 && s == a.elected[j]) a.contributes(i, j) = 1;
      else ++a.outvoted;
    }
  a.tied_votes = static_cast<long>((a.elected.array() == 0).count());
  a.conflicts = static_cast<long>(sign_conflicts(inputs));
  if (n > 0) {
    a.average_agreement = sign_agreement<double>(a.average, inputs, 0.0);
    a.ties_agreement = sign_agreement<double>(a.merged, inputs, 1e-10);
    a.sparsity = sparsity<double>(a.merged);
  }
  return a;
}

}  // namespace mergelab::toy
