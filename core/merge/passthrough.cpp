#include "core/merge/passthrough.h"

#include "core/merge/param_specs.h"

namespace mergelab::merge {

template <class T>
Vec<T> passthrough_scale(const VecView<T>& model, double scale) {
  if (scale == 1.0) return model;  // mergekit multiplies by 1.0 too; x * 1 == x, so copy without the pass
  return model * static_cast<T>(scale);
}

template Vec<float> passthrough_scale<float>(const VecView<float>&, double);
template Vec<double> passthrough_scale<double>(const VecView<double>&, double);

namespace {
template <class T>
Vec<T> run_passthrough(const MergeInputs<T>& in, const Params& p) {
  return passthrough_scale<T>(model_views(in)[0], p.get("scale", 0));
}
}  // namespace

MethodSpec passthrough_method() {
  MethodSpec m;
  m.name = "passthrough";
  m.label = "Passthrough";
  m.summary = "one model's tensors as they are (times scale): frankenmerges with slices, rescaled parts";
  m.formula = "theta = scale * theta_1";
  m.needs_base = false;
  m.min_models = 1;
  m.max_models = 1;
  m.params = {params::unbounded({"scale", "scale", "factor applied to the model's tensor: theta = scale * theta_1",
                                 ParamSpec::Kind::Real, 1.0, -2.0, 2.0, {}, true})};
  m.presets = {{"article", {}}, {"mergekit", {}}};
  m.run_f = &run_passthrough<float>;
  m.run_d = &run_passthrough<double>;
  return m;
}

}  // namespace mergelab::merge
