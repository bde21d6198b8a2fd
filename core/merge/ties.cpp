#include "core/merge/ties.h"

#include <algorithm>
#include <stdexcept>

namespace mergelab::merge {

namespace {
// Raw pointers to the views' data (VecView is contiguous), so the per-entry loops below stay tight.
template <class T>
std::vector<const T*> data_of(const VecViews<T>& views) {
  std::vector<const T*> out;
  out.reserve(views.size());
  for (const auto& v : views) out.push_back(v.data());
  return out;
}
}  // namespace

// Both loops below run over blocks of entries with the models in the inner position, so the per-entry
// accumulators live in small arrays (vectorisable, no dependency chain across models) while every entry
// still adds its models in order 0, 1, ... exactly as a scalar loop would.
constexpr Eigen::Index kBlock = 512;

template <class T>
Eigen::VectorXi elect_sign(const VecViews<T>& weighted, SignRule rule, bool tie_elects_positive) {
  if (weighted.empty()) throw std::invalid_argument("elect_sign: no task vectors");
  const Eigen::Index n = weighted[0].size();
  const auto ptr = data_of(weighted);
  Eigen::VectorXi elected(n);
  double vote[kBlock];
  for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
    const Eigen::Index m = std::min(kBlock, n - j0);
    std::fill(vote, vote + m, 0.0);
    for (const T* tv : ptr) {
      const T* v = tv + j0;
      if (rule == SignRule::Count)
        for (Eigen::Index k = 0; k < m; ++k) vote[k] += sign_of(v[k]);
      else
        for (Eigen::Index k = 0; k < m; ++k) vote[k] += static_cast<double>(v[k]);
    }
    for (Eigen::Index k = 0; k < m; ++k) {
      int s = sign_of(vote[k]);
      if (s == 0 && tie_elects_positive) s = 1;
      elected[j0 + k] = s;
    }
  }
  return elected;
}

template <class T>
Vec<T> disjoint_merge(const VecViews<T>& weighted, const std::vector<double>& weights,
                      const Eigen::VectorXi& elected, bool normalize) {
  if (weighted.size() != weights.size()) throw std::invalid_argument("disjoint_merge: one weight per task vector");
  const Eigen::Index n = elected.size();
  const auto ptr = data_of(weighted);
  Vec<T> out(n);
  double sum[kBlock], divisor[kBlock];
  for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
    const Eigen::Index m = std::min(kBlock, n - j0);
    std::fill(sum, sum + m, 0.0);
    std::fill(divisor, divisor + m, 0.0);
    const int* e = elected.data() + j0;
    for (size_t i = 0; i < ptr.size(); ++i) {
      const T* v = ptr[i] + j0;
      const double w = weights[i];
      for (Eigen::Index k = 0; k < m; ++k) {
        // sign(v) == elected, branch-free (random signs would mispredict); an elected 0 is zeroed below.
        const int sv = (v[k] > T(0)) - (v[k] < T(0));
        const bool agree = sv == e[k];
        sum[k] += agree ? static_cast<double>(v[k]) : 0.0;
        divisor[k] += agree ? w : 0.0;
      }
    }
    for (Eigen::Index k = 0; k < m; ++k) {
      double s = sum[k];
      if (normalize && divisor[k] != 0.0) s /= divisor[k];
      out[j0 + k] = e[k] == 0 ? T(0) : static_cast<T>(s);
    }
  }
  return out;
}

template <class T>
Vec<T> ties_merge(const VecViews<T>& task_vectors, const std::vector<double>& weights, const TiesOptions& options) {
  if (task_vectors.empty()) throw std::invalid_argument("ties_merge: no task vectors");
  if (weights.size() != task_vectors.size()) throw std::invalid_argument("ties_merge: one weight per task vector");
  std::vector<Vec<T>> weighted;
  weighted.reserve(task_vectors.size());
  for (size_t i = 0; i < task_vectors.size(); ++i) {
    if (task_vectors[i].size() != task_vectors[0].size()) throw std::invalid_argument("ties_merge: task vectors differ in size");
    weighted.push_back(trim_by_magnitude(task_vectors[i], options.k, options.trim));
    if (weights[i] != 1.0) weighted.back() *= static_cast<T>(weights[i]);
  }
  VecViews<T> views(weighted.begin(), weighted.end());
  const Eigen::VectorXi elected = elect_sign(views, options.sign, options.tie_elects_positive);
  return disjoint_merge(views, weights, elected, options.normalize);
}

template Eigen::VectorXi elect_sign<float>(const VecViews<float>&, SignRule, bool);
template Eigen::VectorXi elect_sign<double>(const VecViews<double>&, SignRule, bool);
template Vec<float> disjoint_merge<float>(const VecViews<float>&, const std::vector<double>&, const Eigen::VectorXi&, bool);
template Vec<double> disjoint_merge<double>(const VecViews<double>&, const std::vector<double>&, const Eigen::VectorXi&, bool);
template Vec<float> ties_merge<float>(const VecViews<float>&, const std::vector<double>&, const TiesOptions&);
template Vec<double> ties_merge<double>(const VecViews<double>&, const std::vector<double>&, const TiesOptions&);

}  // namespace mergelab::merge

// ---- registry entry --------------------------------------------------------------------------
#include <algorithm>

#include "core/merge/dare.h"
#include "core/merge/param_specs.h"
#include "core/merge/rescale.h"

namespace mergelab::merge {

template <class T>
Vec<T> consensus_merge(const MergeInputs<T>& in, const Params& p, std::vector<Vec<T>> sparse) {
  const auto w = per_model_values(p, "weight", in.models.size());
  for (size_t i = 0; i < sparse.size(); ++i)
    if (w[i] != 1.0) sparse[i] *= static_cast<T>(w[i]);
  const auto views = views_of(sparse);
  const Eigen::VectorXi elected =
      elect_sign(views, p.choice("sign_rule") == 0 ? SignRule::Count : SignRule::Sum, p.flag("tie_positive"));
  const Vec<T> merged = disjoint_merge(views, w, elected, p.flag("normalize"));
  return base_view(in) + static_cast<T>(p.get("lambda")) * merged;
}

template Vec<float> consensus_merge<float>(const MergeInputs<float>&, const Params&, std::vector<Vec<float>>);
template Vec<double> consensus_merge<double>(const MergeInputs<double>&, const Params&, std::vector<Vec<double>>);

namespace {
template <class T>
Vec<T> run_ties(const MergeInputs<T>& in, const Params& p) {
  auto tvs = task_vectors_of(in);
  const TrimRule rule = p.choice("trim_rule") == 0 ? TrimRule::Quantile : TrimRule::TopK;
  const auto rescale = static_cast<DareRescale>(p.choice("rescale"));
  for (size_t i = 0; i < tvs.size(); ++i) {
    const double density = p.get("density", static_cast<int>(i));
    Vec<T> trimmed = trim_by_magnitude<T>(tvs[i], density, rule);
    // mergekit's `rescale` for magnitude pruning (off by default); skipped when nothing was trimmed.
    if (density < 1.0 && rescale == DareRescale::L1) match_l1_norm<T>(trimmed, tvs[i]);
    else if (density < 1.0 && rescale == DareRescale::InverseKeep) trimmed /= static_cast<T>(std::max(density, 1e-10));
    tvs[i] = std::move(trimmed);
  }
  return consensus_merge(in, p, std::move(tvs));
}
}  // namespace

MethodSpec ties_method() {
  MethodSpec m;
  m.name = "ties";
  m.label = "TIES";
  m.summary = "trim each task vector to its top-k magnitudes, elect a sign per parameter, average the agreeing entries";
  m.formula = "theta = theta_0 + alpha * mean_{i: sign(tau_i') = gamma} tau_i',  tau_i' = trim_k(tau_i)";
  m.needs_base = true;
  m.params = {params::weight(), params::trim_density(1.0), params::lambda(1.0), params::normalize(true),
              params::sign_rule(1), params::trim_rule(1), params::tie_positive(true), params::rescale(0)};
  m.presets = {
      {"article", {{"density", 0.2}, {"lambda", 0.7}, {"normalize", 1}, {"sign_rule", 0}, {"trim_rule", 0}, {"tie_positive", 0}}},
      {"mergekit", {{"normalize", 1}, {"sign_rule", 1}, {"trim_rule", 1}, {"tie_positive", 1}}},
  };
  m.run_f = &run_ties<float>;
  m.run_d = &run_ties<double>;
  return m;
}
}  // namespace mergelab::merge
