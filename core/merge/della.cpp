#include "core/merge/della.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "core/merge/rescale.h"
#include "core/rng.h"

namespace mergelab::merge {

template <class T>
Eigen::VectorXd della_keep_probabilities(const VecView<T>& tau, const std::vector<std::uint64_t>& shape, double density,
                                         double epsilon) {
  const Eigen::Index n = tau.size();
  // Rows run along dimension 1: element (i, j, k) sits at i * (len * inner) + j * inner + k.
  Eigen::Index len = n, inner = 1;
  if (shape.size() >= 2) {
    len = static_cast<Eigen::Index>(shape[1]);
    inner = 1;
    for (size_t d = 2; d < shape.size(); ++d) inner *= static_cast<Eigen::Index>(shape[d]);
  }
  if (len <= 0 || n % (len * inner) != 0) throw std::invalid_argument("della: shape does not match the tensor size");
  const Eigen::Index outer = n / (len * inner);
  Eigen::VectorXd probs(n);
  std::vector<Eigen::Index> order(static_cast<size_t>(len));
  for (Eigen::Index i = 0; i < outer; ++i)
    for (Eigen::Index k = 0; k < inner; ++k) {
      const Eigen::Index start = i * len * inner + k;
      auto at = [&](Eigen::Index j) { return std::abs(tau[start + j * inner]); };
      std::iota(order.begin(), order.end(), Eigen::Index{0});
      std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return at(a) < at(b); });
      for (Eigen::Index r = 0; r < len; ++r) {
        const double rank_norm = len > 1 ? static_cast<double>(r) / static_cast<double>(len - 1) : 0.5;
        probs[start + order[static_cast<size_t>(r)] * inner] = (density - epsilon) + rank_norm * 2.0 * epsilon;
      }
    }
  return probs;
}

template <class T>
Vec<T> della_magprune(const VecView<T>& tau, const std::vector<std::uint64_t>& shape, double density, double epsilon,
                      DareRescale rescale, uint32_t seed) {
  if (density >= 1.0) return tau;
  if (density <= 0.0) return Vec<T>::Zero(tau.size());
  if (density + epsilon >= 1.0 || density - epsilon <= 0.0)
    throw std::invalid_argument("della: epsilon must be chosen such that density +/- epsilon is in (0, 1)");
  const Eigen::VectorXd probs = della_keep_probabilities(tau, shape, density, epsilon);
  RandomState rng(seed);
  Vec<T> out(tau.size());
  for (Eigen::Index j = 0; j < tau.size(); ++j) {
    const bool keep = rng.random_sample() < probs[j];
    out[j] = keep ? (rescale == DareRescale::InverseKeep ? static_cast<T>(tau[j] / probs[j]) : tau[j]) : T(0);
  }
  if (rescale == DareRescale::L1) match_l1_norm<T>(out, tau);
  return out;
}

template Eigen::VectorXd della_keep_probabilities<float>(const VecView<float>&, const std::vector<std::uint64_t>&, double, double);
template Eigen::VectorXd della_keep_probabilities<double>(const VecView<double>&, const std::vector<std::uint64_t>&, double, double);
template Vec<float> della_magprune<float>(const VecView<float>&, const std::vector<std::uint64_t>&, double, double, DareRescale, uint32_t);
template Vec<double> della_magprune<double>(const VecView<double>&, const std::vector<std::uint64_t>&, double, double, DareRescale, uint32_t);

}  // namespace mergelab::merge

// ---- registry entries ------------------------------------------------------------------------
#include "core/merge/param_specs.h"
#include "core/merge/registry.h"
#include "core/merge/task_arithmetic.h"
#include "core/merge/ties.h"

namespace mergelab::merge {
namespace {
template <class T>
std::vector<Vec<T>> della_task_vectors(const MergeInputs<T>& in, const Params& p) {
  auto tvs = task_vectors_of(in);
  const auto rescale = static_cast<DareRescale>(p.choice("rescale"));
  for (size_t i = 0; i < tvs.size(); ++i) {
    const int m = static_cast<int>(i);
    tvs[i] = della_magprune<T>(tvs[i], in.shape, p.get("density", m), p.get("epsilon", m), rescale,
                               p.seed + static_cast<uint32_t>(i));
  }
  return tvs;
}

template <class T>
Vec<T> run_della(const MergeInputs<T>& in, const Params& p) {
  return consensus_merge(in, p, della_task_vectors(in, p));
}

template <class T>
Vec<T> run_della_linear(const MergeInputs<T>& in, const Params& p) {
  return linear_task_merge(in, p, della_task_vectors(in, p));
}

std::vector<ParamSpec> della_params(bool normalize, bool ties) {
  ParamSpec density = params::keep_density(1.0);
  density.label = "density (mean keep probability)";
  density.help = "mean keep probability; entries keep with p in [density - eps, density + eps] by magnitude rank";
  std::vector<ParamSpec> out = {params::weight(), density, params::epsilon(), params::lambda(1.0),
                                params::normalize(normalize)};
  if (ties) {
    out.push_back(params::sign_rule(1));
    out.push_back(params::tie_positive(true));
  }
  ParamSpec rescale = params::rescale(2);
  rescale.help = "none; inverse: divide each survivor by its own keep probability (the paper); l1: match the L1 norm (mergekit)";
  out.push_back(rescale);
  return out;
}
}  // namespace

MethodSpec della_method() {
  MethodSpec m;
  m.name = "della";
  m.label = "DELLA";
  m.summary = "drop task-vector entries at random with keep probabilities rising with magnitude, then TIES's election";
  m.formula = "p_j = density - eps + 2 eps rank_j/(n-1); tau' = rescale(m * tau); theta_0 + lambda * TIES-merge(tau')";
  m.needs_base = true;
  m.random = true;
  m.params = della_params(true, true);
  m.presets = {{"mergekit", {{"normalize", 1}, {"rescale", 2}, {"sign_rule", 1}, {"tie_positive", 1}}}};
  m.run_f = &run_della<float>;
  m.run_d = &run_della<double>;
  return m;
}

MethodSpec della_linear_method() {
  MethodSpec m;
  m.name = "della_linear";
  m.label = "DELLA (linear)";
  m.summary = "DELLA's magnitude-ranked random drop, then a weighted sum of the task vectors";
  m.formula = "p_j = density - eps + 2 eps rank_j/(n-1); theta = theta_0 + lambda * sum_i w_i rescale(m_i * tau_i)";
  m.needs_base = true;
  m.random = true;
  m.params = della_params(false, false);
  m.presets = {{"mergekit", {{"normalize", 0}, {"rescale", 2}}}};
  m.run_f = &run_della_linear<float>;
  m.run_d = &run_della_linear<double>;
  return m;
}

}  // namespace mergelab::merge
