#include "core/merge/trim.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mergelab::merge {

double numpy_quantile(std::vector<double> values, double q) {
  if (values.empty()) throw std::invalid_argument("quantile of an empty vector");
  if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument("quantile q must be in [0, 1]");
  const auto n = static_cast<double>(values.size());
  const double virtual_index = (n - 1.0) * q;
  if (virtual_index >= n - 1.0) return *std::max_element(values.begin(), values.end());
  const auto prev = static_cast<size_t>(std::floor(virtual_index));
  std::nth_element(values.begin(), values.begin() + static_cast<long>(prev), values.end());
  const double a = values[prev];
  const double b = *std::min_element(values.begin() + static_cast<long>(prev) + 1, values.end());
  const double gamma = virtual_index - static_cast<double>(prev);
  const double diff = b - a;
  // numpy's _lerp: a + diff*t, but b - diff*(1-t) where t >= 0.5.
  return gamma >= 0.5 ? b - diff * (1.0 - gamma) : a + diff * gamma;
}

template <class T>
double trim_threshold(const VecView<T>& tau, double k) {
  std::vector<double> mags(static_cast<size_t>(tau.size()));
  for (Eigen::Index i = 0; i < tau.size(); ++i) mags[static_cast<size_t>(i)] = std::abs(static_cast<double>(tau[i]));
  return numpy_quantile(std::move(mags), std::clamp(1.0 - k, 0.0, 1.0));
}

template <class T>
Vec<T> trim_by_magnitude(const VecView<T>& tau, double k, TrimRule rule) {
  if (!(k >= 0.0)) throw std::invalid_argument("trim: k (kept fraction) must be >= 0");
  Vec<T> out = tau;
  const Eigen::Index n = tau.size();
  if (n == 0) return out;
  if (rule == TrimRule::Quantile) {
    const double threshold = trim_threshold(tau, k);
    for (Eigen::Index i = 0; i < n; ++i)
      if (std::abs(static_cast<double>(tau[i])) < threshold) out[i] = T(0);
    return out;
  }
  if (k >= 1.0) return out;
  const auto keep = static_cast<Eigen::Index>(k * static_cast<double>(n));
  if (keep <= 0) return Vec<T>::Zero(n);
  // The keep-th largest magnitude is the cut-off; everything above it stays, and entries equal
  // to it stay in index order until `keep` entries are kept.
  Vec<T> mags = tau.cwiseAbs();
  T* begin = mags.data();
  std::nth_element(begin, begin + (keep - 1), begin + n, [](T a, T b) { return a > b; });
  const T cutoff = mags[keep - 1];
  Eigen::Index above = 0;
  for (Eigen::Index i = 0; i < n; ++i)
    if (std::abs(tau[i]) > cutoff) ++above;
  Eigen::Index equal_budget = keep - above;
  for (Eigen::Index i = 0; i < n; ++i) {
    const T m = std::abs(tau[i]);
    if (m > cutoff) continue;
    if (m == cutoff && equal_budget > 0) {
      --equal_budget;
      continue;
    }
    out[i] = T(0);
  }
  return out;
}

template Vec<float> trim_by_magnitude<float>(const VecView<float>&, double, TrimRule);
template Vec<double> trim_by_magnitude<double>(const VecView<double>&, double, TrimRule);
template double trim_threshold<float>(const VecView<float>&, double);
template double trim_threshold<double>(const VecView<double>&, double);

}  // namespace mergelab::merge
