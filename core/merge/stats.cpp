#include "core/merge/stats.h"

#include <cmath>
#include <stdexcept>

namespace mergelab::merge {

template <class T>
Eigen::Index sign_conflicts(const VecViews<T>& tvs) {
  if (tvs.empty()) return 0;
  Eigen::Index count = 0;
  for (Eigen::Index j = 0; j < tvs[0].size(); ++j) {
    int lo = 2, hi = -2;
    for (const auto& tv : tvs) {
      const int s = sign_of(tv[j]);
      lo = std::min(lo, s);
      hi = std::max(hi, s);
    }
    if (lo != hi) ++count;
  }
  return count;
}

template <class T>
Eigen::VectorXi dominant_sign(const VecViews<T>& tvs) {
  if (tvs.empty()) throw std::invalid_argument("dominant_sign: no task vectors");
  Eigen::VectorXi out(tvs[0].size());
  for (Eigen::Index j = 0; j < out.size(); ++j) {
    int vote = 0;
    for (const auto& tv : tvs) vote += sign_of(tv[j]);
    out[j] = sign_of(vote);
  }
  return out;
}

template <class T>
double sign_agreement(const VecView<T>& merged, const VecViews<T>& tvs, double offset) {
  const Eigen::VectorXi dom = dominant_sign(tvs);
  if (dom.size() != merged.size()) throw std::invalid_argument("sign_agreement: sizes differ");
  if (merged.size() == 0) return 0.0;
  Eigen::Index agree = 0;
  for (Eigen::Index j = 0; j < merged.size(); ++j)
    if (sign_of(static_cast<double>(merged[j]) + offset) == dom[j]) ++agree;
  return static_cast<double>(agree) / static_cast<double>(merged.size());
}

template <class T>
double sparsity(const VecView<T>& v) {
  if (v.size() == 0) return 0.0;
  return static_cast<double>((v.array() == T(0)).count()) / static_cast<double>(v.size());
}

template <class T>
double l2_norm(const VecView<T>& v) {
  return std::sqrt(v.template cast<double>().squaredNorm());
}

template <class T>
double cosine(const VecView<T>& a, const VecView<T>& b) {
  if (a.size() != b.size()) throw std::invalid_argument("cosine: sizes differ");
  const double na = l2_norm(a), nb = l2_norm(b);
  if (na == 0.0 || nb == 0.0) return 0.0;
  return a.template cast<double>().dot(b.template cast<double>()) / (na * nb);
}

template <class T>
Eigen::MatrixXd cosine_matrix(const VecViews<T>& vs) {
  const auto n = static_cast<Eigen::Index>(vs.size());
  Eigen::MatrixXd m(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) m(i, j) = cosine(vs[static_cast<size_t>(i)], vs[static_cast<size_t>(j)]);
  return m;
}

#define MERGELAB_STATS_INSTANTIATE(T)                                          \
  template Eigen::Index sign_conflicts<T>(const VecViews<T>&);                 \
  template Eigen::VectorXi dominant_sign<T>(const VecViews<T>&);               \
  template double sign_agreement<T>(const VecView<T>&, const VecViews<T>&, double); \
  template double sparsity<T>(const VecView<T>&);                              \
  template double l2_norm<T>(const VecView<T>&);                               \
  template double cosine<T>(const VecView<T>&, const VecView<T>&);             \
  template Eigen::MatrixXd cosine_matrix<T>(const VecViews<T>&);
MERGELAB_STATS_INSTANTIATE(float)
MERGELAB_STATS_INSTANTIATE(double)
#undef MERGELAB_STATS_INSTANTIATE

}  // namespace mergelab::merge
