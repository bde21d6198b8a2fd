#include "core/merge/nearswap.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mergelab::merge {

template <class T>
Vec<T> nearswap(const VecView<T>& base, const VecView<T>& model, double t) {
  if (base.size() != model.size()) throw std::invalid_argument("nearswap: the model differs in size from the base");
  const T tt = static_cast<T>(t);
  Vec<T> out(base.size());
  for (Eigen::Index j = 0; j < base.size(); ++j) {
    const T a = base[j], b = model[j];
    const T w = std::clamp(tt / std::max(std::abs(a - b), T(1e-6)), T(0), T(1));
    out[j] = w * b + (T(1) - w) * a;
  }
  return out;
}

template Vec<float> nearswap<float>(const VecView<float>&, const VecView<float>&, double);
template Vec<double> nearswap<double>(const VecView<double>&, const VecView<double>&, double);

}  // namespace mergelab::merge

// ---- registry entry --------------------------------------------------------------------------
#include "core/merge/param_specs.h"
#include "core/merge/registry.h"

namespace mergelab::merge {
namespace {
template <class T>
Vec<T> run_nearswap(const MergeInputs<T>& in, const Params& p) {
  return nearswap<T>(base_view(in), model_views(in)[0], p.get("t"));
}
}  // namespace

MethodSpec nearswap_method() {
  MethodSpec m;
  m.name = "nearswap";
  m.label = "NearSwap";
  m.summary = "take the model's value where it is within t of the base's; elsewhere move only t toward it";
  m.formula = "w_j = clamp(t / |theta_0j - theta_1j|, 0, 1);  theta_j = w_j theta_1j + (1 - w_j) theta_0j";
  m.needs_base = true;
  m.min_models = 1;
  m.max_models = 1;
  // mergekit requires t; MergeLab starts from 0.001 and always writes it into the YAML it exports.
  m.params = {params::limited({"t", "t (swap distance)",
                               "entries within t of the base take the model's value; farther ones move t toward it",
                               ParamSpec::Kind::Real, 0.001, 0.0, 0.1, {}, false},
                              0.0, ParamSpec::kUnbounded)};
  m.presets = {{"mergekit", {{"t", 0.001}}}};
  m.run_f = &run_nearswap<float>;
  m.run_d = &run_nearswap<double>;
  return m;
}

}  // namespace mergelab::merge
