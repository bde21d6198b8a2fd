// Parameter descriptors shared by several methods (one definition of each meaning).
//
// Each gives a slider/search range (min_value, max_value) and, where they differ from it, hard limits (limit_min,
// limit_max; see ParamSpec). mergekit puts no bound on weight or lambda (negative weights, weight 3, lambda 5 are
// valid configs), so they are unbounded; density and gamma are fractions of a tensor's entries, [0, 1]; epsilon
// is [0, 0.5] (plus della's joint rule density +/- epsilon in (0, 1), checked by merge::joint_problem).
#pragma once

#include <utility>

#include "core/merge/registry.h"

namespace mergelab::merge::params {

/// Hard limits [lo, hi] on a spec (the slider range stays as it is).
inline ParamSpec limited(ParamSpec p, double lo, double hi) {
  p.limit_min = lo;
  p.limit_max = hi;
  return p;
}

/// No hard limit: any finite value is accepted.
inline ParamSpec unbounded(ParamSpec p) { return limited(std::move(p), -ParamSpec::kUnbounded, ParamSpec::kUnbounded); }

/// Slider [lo, hi]; any finite value is accepted.
inline ParamSpec weight(double lo = -2.0, double hi = 2.0) {
  return unbounded(
      {"weight", "weight", "w_i: this model's coefficient in the weighted sum", ParamSpec::Kind::Real, 1.0, lo, hi, {}, true});
}
/// Slider [-4, 4]; any finite value is accepted.
inline ParamSpec lambda(double def = 1.0) {
  return unbounded({"lambda", "alpha (lambda)", "scaling of the merged task vector: theta_0 + alpha * tau_merged",
                    ParamSpec::Kind::Real, def, -4.0, 4.0, {}, false});
}
inline ParamSpec normalize(bool def) {
  return {"normalize", "normalize", "divide by the sum of the (agreeing) weights", ParamSpec::Kind::Bool, def ? 1.0 : 0.0, 0, 1, {}, false};
}
inline ParamSpec trim_density(double def) {
  return limited({"density", "k (kept fraction)",
                  "k = fraction of each task vector KEPT by magnitude (mergekit: density; the article's trim_pct 0.8 is k 0.2)",
                  ParamSpec::Kind::Real, def, 0.0, 1.0, {}, true},
                 0.0, 1.0);
}
/// density 0 drops every entry (mergekit's bernoulli accepts it; the rescale then has nothing to scale).
inline ParamSpec keep_density(double def) {
  return limited({"density", "1 - p (keep probability)",
                  "each task-vector entry survives with probability density = 1 - p (p = DARE drop rate)",
                  ParamSpec::Kind::Real, def, 0.0, 1.0, {}, true},
                 0.0, 1.0);
}
inline ParamSpec sign_rule(int def) {
  return {"sign_rule", "sign election", "count: sign of the count of signs (article); sum: sign of the summed values (mergekit)",
          ParamSpec::Kind::Choice, static_cast<double>(def), 0, 1, {"count", "sum"}, false};
}
inline ParamSpec trim_rule(int def) {
  return {"trim_rule", "trim rule",
          "quantile: zero |tau| < quantile(|tau|, 1-k) (article); topk: keep exactly floor(k*n) largest (mergekit)",
          ParamSpec::Kind::Choice, static_cast<double>(def), 0, 1, {"quantile", "topk"}, false};
}
inline ParamSpec tie_positive(bool def) {
  return {"tie_positive", "tie elects +", "a tied vote elects + (mergekit) instead of 0 (article)", ParamSpec::Kind::Bool,
          def ? 1.0 : 0.0, 0, 1, {}, false};
}
inline ParamSpec rescale(int def) {
  return {"rescale", "rescale",
          "none; inverse: divide survivors by 1-p (article, paper); l1: match the task vector's L1 norm (mergekit)",
          ParamSpec::Kind::Choice, static_cast<double>(def), 0, 2, {"none", "inverse", "l1"}, false};
}

inline ParamSpec gamma(double def = 0.01) {
  return limited({"gamma", "gamma (outliers)",
                  "breadcrumbs: fraction of the LARGEST-magnitude entries removed as outliers, before the smallest are cut "
                  "to density",
                  ParamSpec::Kind::Real, def, 0.0, 1.0, {}, true},
                 0.0, 1.0);
}
inline ParamSpec epsilon(double def = 0.15) {
  return limited({"epsilon", "epsilon",
                  "della: keep probabilities spread over [density - eps, density + eps] by magnitude rank within a row",
                  ParamSpec::Kind::Real, def, 0.0, 0.5, {}, true},
                 0.0, 0.5);
}
inline ParamSpec filter_wise(bool def = false) {
  return {"filter_wise", "filter-wise",
          "model_stock: one interpolation ratio per row (last dimension) instead of one per tensor", ParamSpec::Kind::Bool,
          def ? 1.0 : 0.0, 0, 1, {}, false};
}
inline ParamSpec drop_small_tensors(bool def = true) {
  return {"drop_small_tensors", "drop small tensors (mergekit)",
          "breadcrumbs: true (mergekit) zeroes the whole task vector of a tensor with fewer than 1/gamma entries "
          "(int(gamma*n) = 0); false keeps it, removing no outlier (MergeLab only; mergekit ignores it)",
          ParamSpec::Kind::Bool, def ? 1.0 : 0.0, 0, 1, {}, false};
}

}  // namespace mergelab::merge::params
