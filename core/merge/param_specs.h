// Parameter descriptors shared by several methods (one definition of each meaning).
#pragma once

#include "core/merge/registry.h"

namespace mergelab::merge::params {

inline ParamSpec weight(double lo = -2.0, double hi = 2.0) {
  return {"weight", "weight", "w_i: this model's coefficient in the weighted sum", ParamSpec::Kind::Real, 1.0, lo, hi, {}, true};
}
inline ParamSpec lambda(double def = 1.0) {
  return {"lambda", "alpha (lambda)", "scaling of the merged task vector: theta_0 + alpha * tau_merged",
          ParamSpec::Kind::Real, def, -4.0, 4.0, {}, false};
}
inline ParamSpec normalize(bool def) {
  return {"normalize", "normalize", "divide by the sum of the (agreeing) weights", ParamSpec::Kind::Bool, def ? 1.0 : 0.0, 0, 1, {}, false};
}
inline ParamSpec trim_density(double def) {
  return {"density", "k (kept fraction)",
          "k = fraction of each task vector KEPT by magnitude (mergekit: density; the article's trim_pct 0.8 is k 0.2)",
          ParamSpec::Kind::Real, def, 0.0, 1.0, {}, true};
}
inline ParamSpec keep_density(double def) {
  return {"density", "1 - p (keep probability)",
          "each task-vector entry survives with probability density = 1 - p (p = DARE drop rate)",
          ParamSpec::Kind::Real, def, 0.0, 1.0, {}, true};
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
  return {"gamma", "gamma (outliers)",
          "breadcrumbs: fraction of the LARGEST-magnitude entries removed as outliers, before the smallest are cut to density",
          ParamSpec::Kind::Real, def, 0.0, 1.0, {}, true};
}
inline ParamSpec epsilon(double def = 0.15) {
  return {"epsilon", "epsilon",
          "della: keep probabilities spread over [density - eps, density + eps] by magnitude rank within a row",
          ParamSpec::Kind::Real, def, 0.0, 0.5, {}, true};
}
inline ParamSpec filter_wise(bool def = false) {
  return {"filter_wise", "filter-wise",
          "model_stock: one interpolation ratio per row (last dimension) instead of one per tensor", ParamSpec::Kind::Bool,
          def ? 1.0 : 0.0, 0, 1, {}, false};
}
inline ParamSpec drop_small_tensors(bool def = false) {
  return {"drop_small_tensors", "drop small tensors (mergekit bug)",
          "breadcrumbs: mergekit zeroes the whole task vector of a tensor with fewer than 1/gamma entries "
          "(int(gamma*n) = 0); false keeps it (removes no outlier), true reproduces mergekit",
          ParamSpec::Kind::Bool, def ? 1.0 : 0.0, 0, 1, {}, false};
}

}  // namespace mergelab::merge::params
