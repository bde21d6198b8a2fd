// DARE-TIES: DARE's random drop and rescale, then TIES's sign election and disjoint merge.
// The article also trims the dropped vectors by magnitude (k, its trim 0.8); mergekit does not
// (k = 1).
#include "core/merge/dare.h"
#include "core/merge/param_specs.h"
#include "core/merge/registry.h"
#include "core/merge/ties.h"

namespace mergelab::merge {
namespace {
template <class T>
Vec<T> run_dare_ties(const MergeInputs<T>& in, const Params& p) {
  std::vector<KeepMask> masks;
  auto tvs = dare_sparse_task_vectors(in, p, masks);
  const TrimRule rule = p.choice("trim_rule") == 0 ? TrimRule::Quantile : TrimRule::TopK;
  const double k = p.get("k");
  if (k < 1.0)
    for (auto& tv : tvs) {
      tv.trim = true;
      tv.k = k;
      tv.rule = rule;
    }
  return consensus_merge_streamed(in.base, in.size, tvs, consensus_options(p));
}
}  // namespace

MethodSpec dare_ties_method() {
  MethodSpec m;
  m.name = "dare_ties";
  m.label = "DARE-TIES";
  m.summary = "DARE's random drop and rescale, then TIES's sign election and disjoint merge";
  m.formula = "tau_i' = trim_k(m_i * tau_i / (1 - p)); theta = theta_0 + alpha * mean_{agreeing} tau_i'";
  m.needs_base = true;
  m.random = true;
  ParamSpec k = params::trim_density(1.0);
  k.name = "k";
  k.label = "k (kept after drop)";
  k.help = "TIES trim applied after the drop: fraction kept by magnitude (article 0.2; mergekit has no such step: 1)";
  k.per_model = false;
  m.params = {params::weight(), params::keep_density(1.0), k, params::lambda(1.0), params::normalize(false),
              params::sign_rule(1), params::trim_rule(1), params::tie_positive(true), params::rescale(2)};
  m.presets = {
      {"article",
       {{"density", 0.1}, {"k", 0.2}, {"lambda", 0.7}, {"normalize", 1}, {"sign_rule", 0}, {"trim_rule", 0}, {"tie_positive", 0}, {"rescale", 1}}},
      {"mergekit", {{"k", 1.0}, {"normalize", 0}, {"sign_rule", 1}, {"tie_positive", 1}, {"rescale", 2}}},
  };
  m.run_f = &run_dare_ties<float>;
  m.run_d = &run_dare_ties<double>;
  return m;
}
}  // namespace mergelab::merge
