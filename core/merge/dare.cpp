#include "core/merge/dare.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/merge/rescale.h"
#include "core/rng.h"

namespace mergelab::merge {

KeepMask dare_mask(Eigen::Index n, double keep, uint32_t seed) {
  if (!(keep >= 0.0 && keep <= 1.0)) throw std::invalid_argument("dare: keep probability 1 - p must be in [0, 1]");
  RandomState rng(seed);
  KeepMask mask(n);
  if (keep == 0.0) {  // numpy draws nothing for p = 0
    mask.setZero();
    return mask;
  }
  // RandomState::binomial(1, keep) unrolled: numpy's legacy inversion with n = 1 on p' = min(keep, 1 - keep)
  // (then 1 - x when keep > 0.5). x = 0 when u <= q^1; else x = 1 when u - q^1 <= p' q^1 / q; else the
  // draw exceeds the bound (1) and is redrawn. Same draws, same results, without the per-call setup.
  const bool flip = keep > 0.5;
  const double p = flip ? 1.0 - keep : keep;
  const double q = 1.0 - p;
  const double qn = std::exp(1.0 * std::log(q));
  const double px1 = (1.0 * p * qn) / (1.0 * q);
  for (Eigen::Index i = 0; i < n; ++i) {
    int x;
    for (;;) {
      const double u = rng.random_sample();
      if (u <= qn) {
        x = 0;
        break;
      }
      if (u - qn <= px1) {
        x = 1;
        break;
      }
    }
    mask[i] = static_cast<uint8_t>(flip ? 1 - x : x);
  }
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
#include "core/merge/task_arithmetic.h"

namespace mergelab::merge {

template <class T>
std::vector<Vec<T>> dare_task_vectors(const MergeInputs<T>& in, const Params& p) {
  auto tvs = task_vectors_of(in);
  const auto rescale = static_cast<DareRescale>(p.choice("rescale"));
  for (size_t i = 0; i < tvs.size(); ++i) {
    const double keep = p.get("density", static_cast<int>(i));
    if (i < in.keep_masks.size() && in.keep_masks[i]) {
      tvs[i] = dare_apply<T>(tvs[i], *in.keep_masks[i], keep, rescale);
    } else {
      const KeepMask mask = dare_mask(in.size, keep, p.seed + static_cast<uint32_t>(i));
      tvs[i] = dare_apply<T>(tvs[i], mask, keep, rescale);
    }
  }
  return tvs;
}

template std::vector<Vec<float>> dare_task_vectors<float>(const MergeInputs<float>&, const Params&);
template std::vector<Vec<double>> dare_task_vectors<double>(const MergeInputs<double>&, const Params&);

namespace {
template <class T>
Vec<T> run_dare_linear(const MergeInputs<T>& in, const Params& p) {
  return linear_task_merge(in, p, dare_task_vectors(in, p));
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
