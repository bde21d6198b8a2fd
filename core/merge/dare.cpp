#include "core/merge/dare.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "core/merge/rescale.h"
#include "core/rng.h"
#include "core/wide_kernel.h"

namespace mergelab::merge {

namespace {
// u = (a * 2^26 + b) / 2^53 of random_sample() as the 53-bit integer a * 2^26 + b (exact).
constexpr uint64_t kTwo53 = uint64_t{1} << 53;
inline double as_uniform(uint64_t u53) { return static_cast<double>(u53) / 9007199254740992.0; }

// The smallest u53 in [lo, hi] for which `pred` holds (pred monotone: false ... false true ... true),
// or hi + 1 when it never holds.
template <class Pred>
uint64_t first_true(uint64_t lo, uint64_t hi, Pred pred) {
  uint64_t end = hi + 1;
  while (lo < end) {
    const uint64_t mid = lo + (end - lo) / 2;
    if (pred(mid)) end = mid;
    else lo = mid + 1;
  }
  return end;
}
}  // namespace

MERGELAB_WIDE_KERNEL void draw_keep_mask(uint8_t* out, Eigen::Index n, double keep, uint32_t seed) {
  if (!(keep >= 0.0 && keep <= 1.0)) throw std::invalid_argument("dare: keep probability 1 - p must be in [0, 1]");
  if (keep == 0.0) {  // numpy draws nothing for p = 0
    std::fill(out, out + n, uint8_t{0});
    return;
  }
  // RandomState::binomial(1, keep) unrolled: numpy's legacy inversion with n = 1 on p' = min(keep, 1 - keep)
  // (then 1 - x when keep > 0.5). x = 0 when u <= q^1; else x = 1 when u - q^1 <= p' q^1 / q; else the
  // draw exceeds the bound (1) and is redrawn.
  const bool flip = keep > 0.5;
  const double p = flip ? 1.0 - keep : keep;
  const double q = 1.0 - p;
  const double qn = std::exp(1.0 * std::log(q));
  const double px1 = (1.0 * p * qn) / (1.0 * q);
  // Both tests are monotone in u (u - qn rounds monotonically), so they become two cut points on the
  // 53-bit integer behind u, found once with the very same double expressions:
  //   u53 < zero_end -> x = 0;  zero_end <= u53 < redraw_from -> x = 1;  u53 >= redraw_from -> redraw.
  const uint64_t zero_end = first_true(0, kTwo53 - 1, [&](uint64_t u) { return !(as_uniform(u) <= qn); });
  const uint64_t redraw_from =
      first_true(zero_end, kTwo53 - 1, [&](uint64_t u) { return !(as_uniform(u) - qn <= px1); });
  const uint8_t flip_bit = flip ? 1 : 0;  // numpy returns 1 - x when flipped
  RandomState rng(seed);
  constexpr Eigen::Index kPairs = 2048;
  uint32_t words[2 * kPairs];
  static_assert(std::endian::native == std::endian::little, "the pair read below assumes little-endian words");
  auto u53_of = [&](Eigen::Index k) {  // (words[2k] >> 5) * 2^26 + (words[2k + 1] >> 6), read as one 64-bit pair
    uint64_t pair;
    std::memcpy(&pair, words + 2 * k, sizeof pair);
    return (((pair & 0xffffffffULL) >> 5) << 26) | (pair >> 38);
  };
  for (Eigen::Index i = 0; i < n;) {
    const Eigen::Index m = std::min(kPairs, n - i);
    rng.fill_uint32(words, static_cast<size_t>(2 * m));
    // One draw per entry unless a draw must be redrawn (practically never): then the block is redone
    // entry by entry, skipping the redrawn pairs, and the rest of the stream follows.
    uint8_t* o = out + i;
    // Branch-free and in 64-bit integer lanes (vectorisable): u >= c exactly when bit 63 of u - c is
    // clear, as u and c are below 2^54.
    uint64_t redraw = 0;
    for (Eigen::Index k = 0; k < m; ++k) {
      const uint64_t u = u53_of(k);
      o[k] = static_cast<uint8_t>((((u - zero_end) >> 63) ^ 1U) ^ flip_bit);
      redraw |= ((u - redraw_from) >> 63) ^ 1U;
    }
    if (!redraw) {
      i += m;
      continue;
    }
    for (Eigen::Index k = 0; k < m && i < n; ++k) {
      const uint64_t u = u53_of(k);
      if (u >= redraw_from) continue;
      out[i++] = static_cast<uint8_t>(static_cast<uint8_t>(u >= zero_end) ^ flip_bit);
    }
  }
}

KeepMask dare_mask(Eigen::Index n, double keep, uint32_t seed) {
  KeepMask mask(n);
  draw_keep_mask(mask.data(), n, keep, seed);
  return mask;
}

template <class T>
Vec<T> dare_apply(const VecView<T>& tau, const KeepMask& mask, double keep, DareRescale rescale) {
  if (mask.size() != tau.size()) throw std::invalid_argument("dare: mask and task vector differ in size");
  Vec<T> out(tau.size());
  for (Eigen::Index i = 0; i < tau.size(); ++i) out[i] = mask[i] ? tau[i] : T(0);
  switch (rescale) {
    case DareRescale::None:
      break;
    case DareRescale::InverseKeep:
      out /= static_cast<T>(std::max(keep, 1e-10));
      break;
    case DareRescale::L1:
      match_l1_norm<T>(out, tau);
      break;
  }
  return out;
}

template <class T>
Vec<T> dare_drop(const VecView<T>& tau, double p, uint32_t seed, DareRescale rescale) {
  if (!(p >= 0.0 && p <= 1.0)) throw std::invalid_argument("dare: drop rate p must be in [0, 1]");
  const double keep = 1.0 - p;
  return dare_apply(tau, dare_mask(tau.size(), keep, seed), keep, rescale);
}

template Vec<float> dare_apply<float>(const VecView<float>&, const KeepMask&, double, DareRescale);
template Vec<double> dare_apply<double>(const VecView<double>&, const KeepMask&, double, DareRescale);
template Vec<float> dare_drop<float>(const VecView<float>&, double, uint32_t, DareRescale);
template Vec<double> dare_drop<double>(const VecView<double>&, double, uint32_t, DareRescale);

}  // namespace mergelab::merge

// ---- shared DARE step + the dare_linear registry entry ---------------------------------------
#include "core/merge/param_specs.h"
#include "core/merge/registry.h"
#include "core/merge/ties.h"

namespace mergelab::merge {

template <class T>
std::vector<SparseTaskVector<T>> dare_sparse_task_vectors(const MergeInputs<T>& in, const Params& p,
                                                          std::vector<KeepMask>& masks) {
  const auto rescale = static_cast<DareRescale>(p.choice("rescale"));
  const auto w = per_model_values(p, "weight", in.models.size());
  std::vector<SparseTaskVector<T>> tvs(in.models.size());
  masks.assign(in.models.size(), KeepMask());
  for (size_t i = 0; i < tvs.size(); ++i) {
    const double keep = p.get("density", static_cast<int>(i));
    auto& s = tvs[i];
    s.model = in.models[i];
    s.base = in.base;
    if (i < in.keep_masks.size() && in.keep_masks[i]) {
      if (in.keep_masks[i]->size() != in.size) throw std::invalid_argument("dare: mask and task vector differ in size");
      s.mask = in.keep_masks[i]->data();
    } else {
      masks[i] = dare_mask(in.size, keep, p.seed + static_cast<uint32_t>(i));
      s.mask = masks[i].data();
    }
    s.pre = rescale;
    s.pre_keep = keep;
    s.weight = w[i];
  }
  return tvs;
}

template std::vector<SparseTaskVector<float>> dare_sparse_task_vectors<float>(const MergeInputs<float>&, const Params&,
                                                                              std::vector<KeepMask>&);
template std::vector<SparseTaskVector<double>> dare_sparse_task_vectors<double>(const MergeInputs<double>&, const Params&,
                                                                                std::vector<KeepMask>&);

namespace {
template <class T>
Vec<T> run_dare_linear(const MergeInputs<T>& in, const Params& p) {
  std::vector<KeepMask> masks;
  const auto tvs = dare_sparse_task_vectors(in, p, masks);
  return linear_merge_streamed(in.base, in.size, tvs, p.flag("normalize"), p.get("lambda"));
}
}  // namespace

MethodSpec dare_linear_method() {
  MethodSpec m;
  m.name = "dare_linear";
  m.label = "DARE";
  m.summary = "drop each task-vector entry with probability p, rescale the survivors, add the weighted task vectors";
  m.formula = "theta = theta_0 + alpha * sum_i w_i (m_i * tau_i) / (1 - p),  m_i ~ Bernoulli(1 - p)";
  m.needs_base = true;
  m.random = true;
  m.params = {params::weight(), params::keep_density(1.0), params::lambda(1.0), params::normalize(false), params::rescale(2)};
  m.presets = {
      {"article", {{"density", 0.1}, {"lambda", 0.7}, {"normalize", 1}, {"rescale", 1}}},
      {"mergekit", {{"normalize", 0}, {"rescale", 2}}},
  };
  m.run_f = &run_dare_linear<float>;
  m.run_d = &run_dare_linear<double>;
  return m;
}
}  // namespace mergelab::merge
