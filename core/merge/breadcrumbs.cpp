#include "core/merge/breadcrumbs.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace mergelab::merge {

template <class T>
Eigen::Matrix<uint8_t, Eigen::Dynamic, 1> rank_range_mask(const VecView<T>& tau, Eigen::Index lo, Eigen::Index hi) {
  const Eigen::Index n = tau.size();
  Eigen::Matrix<uint8_t, Eigen::Dynamic, 1> mask = Eigen::Matrix<uint8_t, Eigen::Dynamic, 1>::Zero(n);
  lo = std::max<Eigen::Index>(lo, 0);
  hi = std::min(hi, n);
  if (lo >= hi) return mask;
  // The magnitudes at ranks lo and hi - 1 bound the kept range; entries equal to a bound are ranked
  // among themselves by index.
  std::vector<T> mags(static_cast<size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) mags[static_cast<size_t>(i)] = std::abs(tau[i]);
  std::vector<T> work = mags;
  std::nth_element(work.begin(), work.begin() + lo, work.end());
  const T v_lo = work[static_cast<size_t>(lo)];
  std::nth_element(work.begin(), work.begin() + (hi - 1), work.end());
  const T v_hi = work[static_cast<size_t>(hi - 1)];
  Eigen::Index less_lo = 0, less_hi = 0;
  for (T m : mags) {
    less_lo += m < v_lo;
    less_hi += m < v_hi;
  }
  Eigen::Index seen_lo = 0, seen_hi = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const T m = mags[static_cast<size_t>(i)];
    if (m < v_lo || m > v_hi) continue;
    Eigen::Index rank;
    if (m == v_lo) rank = less_lo + seen_lo++;
    else if (m == v_hi) rank = less_hi + seen_hi++;
    else rank = lo;  // strictly between the bounds: inside the range
    mask[i] = rank >= lo && rank < hi;
  }
  return mask;
}

bool breadcrumbs_drops_tensor(std::uint64_t n, double density, double gamma) {
  return density < 1.0 && static_cast<std::uint64_t>(gamma * static_cast<double>(n)) == 0;
}

template <class T>
Vec<T> trim_outliers(const VecView<T>& tau, double density, double gamma, bool drop_small_tensors) {
  if (!(density >= 0.0) || !(gamma >= 0.0 && gamma <= 1.0))
    throw std::invalid_argument("breadcrumbs: density must be >= 0 and gamma in [0, 1]");
  if (density >= 1.0) return tau;
  const Eigen::Index n = tau.size();
  const auto keep = static_cast<Eigen::Index>(density * static_cast<double>(n));
  auto n_top = static_cast<Eigen::Index>(gamma * static_cast<double>(n));
  Eigen::Index n_bot = n - keep - n_top;
  if (n_bot < 0) {
    n_top += n_bot;
    n_bot = 0;
  }
  if (drop_small_tensors && breadcrumbs_drops_tensor(static_cast<std::uint64_t>(n), density, gamma)) return Vec<T>::Zero(n);
  const auto mask = rank_range_mask<T>(tau, n_bot, n - n_top);
  Vec<T> out(n);
  for (Eigen::Index i = 0; i < n; ++i) out[i] = mask[i] ? tau[i] : T(0);
  return out;
}

template Vec<float> trim_outliers<float>(const VecView<float>&, double, double, bool);
template Vec<double> trim_outliers<double>(const VecView<double>&, double, double, bool);
template Eigen::Matrix<uint8_t, Eigen::Dynamic, 1> rank_range_mask<float>(const VecView<float>&, Eigen::Index, Eigen::Index);
template Eigen::Matrix<uint8_t, Eigen::Dynamic, 1> rank_range_mask<double>(const VecView<double>&, Eigen::Index, Eigen::Index);

}  // namespace mergelab::merge

// ---- registry entries ------------------------------------------------------------------------
#include "core/merge/dare.h"
#include "core/merge/param_specs.h"
#include "core/merge/registry.h"
#include "core/merge/rescale.h"
#include "core/merge/task_arithmetic.h"
#include "core/merge/ties.h"

namespace mergelab::merge {
namespace {
template <class T>
std::vector<Vec<T>> breadcrumb_task_vectors(const MergeInputs<T>& in, const Params& p) {
  auto tvs = task_vectors_of(in);
  const auto rescale = static_cast<DareRescale>(p.choice("rescale"));
  const bool drop_small = p.flag("drop_small_tensors");
  for (size_t i = 0; i < tvs.size(); ++i) {
    const int m = static_cast<int>(i);
    const double density = p.get("density", m);
    Vec<T> sparse = trim_outliers<T>(tvs[i], density, p.get("gamma", m), drop_small);
    if (density < 1.0 && rescale == DareRescale::L1) match_l1_norm<T>(sparse, tvs[i]);
    else if (density < 1.0 && rescale == DareRescale::InverseKeep) sparse /= static_cast<T>(std::max(density, 1e-10));
    tvs[i] = std::move(sparse);
  }
  return tvs;
}

template <class T>
Vec<T> run_breadcrumbs(const MergeInputs<T>& in, const Params& p) {
  return linear_task_merge(in, p, breadcrumb_task_vectors(in, p));
}

template <class T>
Vec<T> run_breadcrumbs_ties(const MergeInputs<T>& in, const Params& p) {
  return consensus_merge(in, p, breadcrumb_task_vectors(in, p));
}

ParamSpec breadcrumbs_density() {
  ParamSpec d = params::trim_density(1.0);
  d.label = "density (kept fraction)";
  d.help = "fraction of each task vector kept after removing the gamma largest and the smallest magnitudes";
  return d;
}
}  // namespace

MethodSpec breadcrumbs_method() {
  MethodSpec m;
  m.name = "breadcrumbs";
  m.label = "Model Breadcrumbs";
  m.summary = "drop each task vector's largest (outliers) and smallest magnitudes, add the weighted rest";
  m.formula = "theta = theta_0 + lambda * sum_i w_i mask_i * tau_i,  mask_i keeps ranks [n - keep - top, n - top)";
  m.needs_base = true;
  m.params = {params::weight(), breadcrumbs_density(), params::gamma(), params::lambda(1.0), params::normalize(false),
              params::rescale(0), params::drop_small_tensors(true)};
  m.presets = {{"mergekit", {{"normalize", 0}, {"rescale", 0}, {"drop_small_tensors", 1}}}};
  m.run_f = &run_breadcrumbs<float>;
  m.run_d = &run_breadcrumbs<double>;
  return m;
}

MethodSpec breadcrumbs_ties_method() {
  MethodSpec m = breadcrumbs_method();
  m.name = "breadcrumbs_ties";
  m.label = "Model Breadcrumbs + TIES";
  m.summary = "breadcrumbs' two-tailed sparsification, then TIES's sign election and disjoint merge";
  m.formula = "tau_i' = mask_i * tau_i; theta = theta_0 + lambda * sum_{agreeing} w_i tau_i' [/ sum w_i]";
  m.params = {params::weight(),          breadcrumbs_density(),   params::gamma(),
              params::lambda(1.0),       params::normalize(false), params::sign_rule(1),
              params::tie_positive(true), params::rescale(0),      params::drop_small_tensors(true)};
  m.presets = {
               {"mergekit", {{"normalize", 0}, {"sign_rule", 1}, {"tie_positive", 1}, {"rescale", 0}, {"drop_small_tensors", 1}}}};
  m.run_f = &run_breadcrumbs_ties<float>;
  m.run_d = &run_breadcrumbs_ties<double>;
  return m;
}

}  // namespace mergelab::merge
