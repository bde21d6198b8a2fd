#include "core/merge/trim.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
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

template <class T>
std::vector<TopKCut<T>> top_k_cuts(Eigen::Index n, const std::vector<Eigen::Index>& keeps,
                                   const std::vector<BlockSource<T>>& sources) {
  if (keeps.size() != sources.size()) throw std::invalid_argument("trim: one top-k count per vector");
  for (Eigen::Index keep : keeps)
    if (keep < 1 || keep > n) throw std::invalid_argument("trim: top-k count out of range");
  constexpr Eigen::Index kBlock = 4096;
  const size_t count = sources.size();
  std::vector<TopKCut<T>> cuts(count);
  if constexpr (std::is_same_v<T, float>) {
    auto bits = [](float x) {
      uint32_t b;
      std::memcpy(&b, &x, sizeof b);
      return b & 0x7fffffffU;
    };
    std::vector<float> block(kBlock);
    if (n < (Eigen::Index{1} << 16)) {
      // Small tensors (biases, norms, small layers): a selection over the magnitudes' bit patterns
      // orders them as the radix select does (NaN above +inf) without its 768 KB of histograms per vector.
      std::vector<uint32_t> b(static_cast<size_t>(n));
      for (size_t i = 0; i < count; ++i) {
        for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
          const Eigen::Index m = std::min(kBlock, n - j0);
          sources[i](j0, m, block.data());
          for (Eigen::Index k = 0; k < m; ++k) b[static_cast<size_t>(j0 + k)] = bits(block[static_cast<size_t>(k)]);
        }
        const auto nth = b.begin() + (keeps[i] - 1);
        std::nth_element(b.begin(), nth, b.end(), std::greater<uint32_t>());
        const uint32_t c = *nth;
        std::memcpy(&cuts[i].cutoff, &c, sizeof c);
        for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {  // entries strictly above, counted as `>` counts
          const Eigen::Index m = std::min(kBlock, n - j0);
          sources[i](j0, m, block.data());
          for (Eigen::Index k = 0; k < m; ++k) cuts[i].above += std::abs(block[static_cast<size_t>(k)]) > cuts[i].cutoff;
        }
      }
      return cuts;
    }
    std::vector<Eigen::Index> nans(count, 0);
    // The cut-off in bit order (NaN above +inf), then `above` as `>` counts (NaN never above).
    auto finish = [&](size_t i, uint32_t c) {
      std::memcpy(&cuts[i].cutoff, &c, sizeof c);
      if (nans[i] == 0) return;
      cuts[i].above = 0;
      for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
        const Eigen::Index m = std::min(kBlock, n - j0);
        sources[i](j0, m, block.data());
        for (Eigen::Index k = 0; k < m; ++k) cuts[i].above += std::abs(block[static_cast<size_t>(k)]) > cuts[i].cutoff;
      }
    };
    std::vector<char> done(count, 0);
    // 1. A fixed sample of 8192 entries guesses a range of high 16-bit buckets [lo, hi] holding the cut-off.
    // One pass counts the entries above the range and keeps the bits of those inside it (branch-free);
    // when the cut-off does fall inside (almost always), it is selected among the kept entries alone.
    constexpr Eigen::Index kSample = 8192;
    if (n >= 8 * kSample) {
      std::vector<uint32_t> range_lo(count), range_hi(count), sample(kSample);
      // Room for a quarter of the entries (the range usually holds about 6%), left uninitialised.
      const auto room = static_cast<size_t>(n / 4 + kBlock);
      std::vector<std::unique_ptr<uint32_t[]>> kept(count);
      for (auto& k : kept) k.reset(new uint32_t[room]);
      std::vector<Eigen::Index> kept_count(count, 0), above_range(count, 0);
      std::vector<char> overflow(count, 0);
      for (size_t i = 0; i < count; ++i) {
        for (Eigen::Index t = 0; t < kSample; ++t) {
          float x;
          sources[i](t * n / kSample, 1, &x);
          sample[static_cast<size_t>(t)] = bits(x);
        }
        std::sort(sample.begin(), sample.end(), std::greater<>());
        const double q = static_cast<double>(keeps[i]) / static_cast<double>(n);
        const auto at = static_cast<Eigen::Index>(q * kSample);
        const auto margin = static_cast<Eigen::Index>(5.0 * std::sqrt(kSample * q * (1.0 - q))) + 16;
        range_hi[i] = sample[static_cast<size_t>(std::max<Eigen::Index>(at - margin, 0))] >> 16;
        range_lo[i] = sample[static_cast<size_t>(std::min<Eigen::Index>(at + margin, kSample - 1))] >> 16;
      }
      std::vector<uint32_t> b(static_cast<size_t>(kBlock));
      for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
        const Eigen::Index m = std::min(kBlock, n - j0);
        for (size_t i = 0; i < count; ++i) {
          sources[i](j0, m, block.data());
          const uint32_t hi = range_hi[i], lo = range_lo[i], width = hi - lo;
          Eigen::Index above = 0, nan = 0;
          for (Eigen::Index k = 0; k < m; ++k) {  // vectorisable
            const uint32_t x = bits(block[static_cast<size_t>(k)]);
            b[static_cast<size_t>(k)] = x;
            above += (x >> 16) > hi;
            nan += x > 0x7f800000U;
          }
          above_range[i] += above;
          nans[i] += nan;
          if (overflow[i]) continue;
          if (kept_count[i] + m > static_cast<Eigen::Index>(room)) {
            overflow[i] = 1;
            continue;
          }
          uint32_t* out = kept[i].get();
          Eigen::Index c = kept_count[i];
          for (Eigen::Index k = 0; k < m; ++k) {  // branch-free append
            const uint32_t x = b[static_cast<size_t>(k)];
            out[c] = x;
            c += ((x >> 16) - lo) <= width;
          }
          kept_count[i] = c;
        }
      }
      for (size_t i = 0; i < count; ++i) {
        const Eigen::Index need = keeps[i] - above_range[i];  // the cut-off is the need-th largest kept
        if (overflow[i] || need < 1 || need > kept_count[i]) continue;
        // Radix select among the kept: their high 16 bits span [lo, hi], then the low 16 bits.
        std::vector<Eigen::Index> high(range_hi[i] - range_lo[i] + 1, 0), low(1 << 16, 0);
        const uint32_t* k_bits = kept[i].get();
        for (Eigen::Index t = 0; t < kept_count[i]; ++t) ++high[(k_bits[t] >> 16) - range_lo[i]];
        Eigen::Index remaining = need;
        cuts[i].above = above_range[i];
        size_t h = high.size() - 1;
        for (;; --h) {
          if (high[h] >= remaining) break;
          remaining -= high[h];
          cuts[i].above += high[h];
        }
        const uint32_t bucket = range_lo[i] + static_cast<uint32_t>(h);
        for (Eigen::Index t = 0; t < kept_count[i]; ++t)
          if ((k_bits[t] >> 16) == bucket) ++low[k_bits[t] & 0xffffU];
        uint32_t l = 0xffff;
        for (;; --l) {
          if (low[l] >= remaining) break;
          remaining -= low[l];
          cuts[i].above += low[l];
        }
        finish(i, (bucket << 16) | l);
        done[i] = 1;
      }
    }
    // 2. Otherwise an exact radix select over all entries: the high 16 bits in one pass, the low 16 bits
    // of the cut-off's bucket in a second.
    std::vector<size_t> todo;
    for (size_t i = 0; i < count; ++i)
      if (!done[i]) todo.push_back(i);
    if (todo.empty()) return cuts;
    std::vector<std::vector<Eigen::Index>> high(count), low(count);
    for (size_t i : todo) high[i].assign(1 << 15, 0), nans[i] = 0;
    for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
      const Eigen::Index m = std::min(kBlock, n - j0);
      for (size_t i : todo) {
        sources[i](j0, m, block.data());
        Eigen::Index* h = high[i].data();
        Eigen::Index nan = 0;
        for (Eigen::Index k = 0; k < m; ++k) {
          const uint32_t b = bits(block[static_cast<size_t>(k)]);
          ++h[b >> 16];
          nan += b > 0x7f800000U;
        }
        nans[i] += nan;
      }
    }
    std::vector<Eigen::Index> remaining(count);
    std::vector<uint32_t> bucket(count);
    for (size_t i : todo) {
      remaining[i] = keeps[i];
      uint32_t h = 0x7fff;
      for (;; --h) {
        if (high[i][h] >= remaining[i]) break;
        remaining[i] -= high[i][h];
        cuts[i].above += high[i][h];
      }
      bucket[i] = h;
      high[i] = {};
      low[i].assign(1 << 16, 0);
    }
    for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
      const Eigen::Index m = std::min(kBlock, n - j0);
      for (size_t i : todo) {
        sources[i](j0, m, block.data());
        Eigen::Index* l = low[i].data();
        const uint32_t h = bucket[i];
        for (Eigen::Index k = 0; k < m; ++k) {
          const uint32_t b = bits(block[static_cast<size_t>(k)]);
          if ((b >> 16) == h) ++l[b & 0xffffU];
        }
      }
    }
    for (size_t i : todo) {
      uint32_t l = 0xffff;
      for (;; --l) {
        if (low[i][l] >= remaining[i]) break;
        remaining[i] -= low[i][l];
        cuts[i].above += low[i][l];
      }
      finish(i, (bucket[i] << 16) | l);
    }
  } else {
    for (size_t i = 0; i < count; ++i) {
      Vec<T> mags(n);
      for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) sources[i](j0, std::min(kBlock, n - j0), mags.data() + j0);
      mags = mags.cwiseAbs();
      T* begin = mags.data();
      const Eigen::Index keep = keeps[i];
      std::nth_element(begin, begin + (keep - 1), begin + n, [](T a, T b) { return a > b; });
      cuts[i].cutoff = mags[keep - 1];
      for (Eigen::Index j = 0; j < n; ++j) cuts[i].above += mags[j] > cuts[i].cutoff;
    }
  }
  return cuts;
}

template <class T>
TopKCut<T> top_k_cut(Eigen::Index n, Eigen::Index keep, const BlockSource<T>& values) {
  return top_k_cuts<T>(n, {keep}, {values})[0];
}

template <class T>
void apply_top_k(T* x, Eigen::Index m, T cutoff, Eigen::Index& equal_left) {
  Eigen::Index equal = 0;
  for (Eigen::Index k = 0; k < m; ++k) equal += std::abs(x[k]) == cutoff;
  if (equal == 0) {  // the usual block: a plain, vectorisable select
    for (Eigen::Index k = 0; k < m; ++k) x[k] = std::abs(x[k]) > cutoff ? x[k] : T(0);
    return;
  }
  for (Eigen::Index k = 0; k < m; ++k) {
    const T a = std::abs(x[k]);
    if (a > cutoff) continue;
    if (a == cutoff && equal_left > 0) {
      --equal_left;
      continue;
    }
    x[k] = T(0);
  }
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
  const TopKCut<T> cut = top_k_cut<T>(n, keep, [&](Eigen::Index j0, Eigen::Index m, T* dst) {
    std::copy(tau.data() + j0, tau.data() + j0 + m, dst);
  });
  Eigen::Index equal_left = keep - cut.above;
  apply_top_k(out.data(), n, cut.cutoff, equal_left);
  return out;
}

template TopKCut<float> top_k_cut<float>(Eigen::Index, Eigen::Index, const BlockSource<float>&);
template TopKCut<double> top_k_cut<double>(Eigen::Index, Eigen::Index, const BlockSource<double>&);
template std::vector<TopKCut<float>> top_k_cuts<float>(Eigen::Index, const std::vector<Eigen::Index>&,
                                                       const std::vector<BlockSource<float>>&);
template std::vector<TopKCut<double>> top_k_cuts<double>(Eigen::Index, const std::vector<Eigen::Index>&,
                                                         const std::vector<BlockSource<double>>&);
template void apply_top_k<float>(float*, Eigen::Index, float, Eigen::Index&);
template void apply_top_k<double>(double*, Eigen::Index, double, Eigen::Index&);
template Vec<float> trim_by_magnitude<float>(const VecView<float>&, double, TrimRule);
template Vec<double> trim_by_magnitude<double>(const VecView<double>&, double, TrimRule);
template double trim_threshold<float>(const VecView<float>&, double);
template double trim_threshold<double>(const VecView<double>&, double);

}  // namespace mergelab::merge
