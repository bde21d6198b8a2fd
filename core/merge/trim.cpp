#include "core/merge/trim.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
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

namespace {
// The keep-th largest |tau_i| (1-based). For float, a two-level radix select on the bits of |x|
// (non-negative IEEE floats order like their bit patterns): two passes, no copy, no sort.
template <class T>
T kth_largest_magnitude(const VecView<T>& tau, Eigen::Index keep) {
  const Eigen::Index n = tau.size();
  if constexpr (std::is_same_v<T, float>) {
    auto bits = [&](Eigen::Index i) {
      uint32_t b;
      const float x = tau[i];
      std::memcpy(&b, &x, sizeof b);
      return b & 0x7fffffffU;
    };
    std::vector<Eigen::Index> hist(1 << 16, 0);
    for (Eigen::Index i = 0; i < n; ++i) ++hist[bits(i) >> 16];
    Eigen::Index remaining = keep;
    uint32_t high = 0xffff;
    for (;; --high) {
      if (hist[high] >= remaining) break;
      remaining -= hist[high];
    }
    std::fill(hist.begin(), hist.end(), 0);
    for (Eigen::Index i = 0; i < n; ++i) {
      const uint32_t b = bits(i);
      if ((b >> 16) == high) ++hist[b & 0xffffU];
    }
    uint32_t low = 0xffff;
    for (;; --low) {
      if (hist[low] >= remaining) break;
      remaining -= hist[low];
    }
    const uint32_t cut = (high << 16) | low;
    float cutoff;
    std::memcpy(&cutoff, &cut, sizeof cutoff);
    return cutoff;
  } else {
    Vec<T> mags = tau.cwiseAbs();
    T* begin = mags.data();
    std::nth_element(begin, begin + (keep - 1), begin + n, [](T a, T b) { return a > b; });
    return mags[keep - 1];
  }
}
}  // namespace

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
  const T cutoff = kth_largest_magnitude<T>(tau, keep);
  Eigen::Index above = 0;
  for (Eigen::Index i = 0; i < n; ++i) above += std::abs(tau[i]) > cutoff;
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
