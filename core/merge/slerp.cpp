#include "core/merge/slerp.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/merge/linear.h"

namespace mergelab::merge {

namespace {
template <class T>
double norm_d(const VecView<T>& v) {
  return std::sqrt(v.template cast<double>().squaredNorm());
}
template <class T>
double dot_d(const VecView<T>& a, const VecView<T>& b) {
  return a.template cast<double>().dot(b.template cast<double>());
}
}  // namespace

template <class T>
double slerp_angle(const VecView<T>& a, const VecView<T>& b) {
  const double na = norm_d(a) + 1e-10, nb = norm_d(b) + 1e-10;
  return std::acos(std::clamp(dot_d(a, b) / (na * nb), -1.0, 1.0));
}

template <class T>
Vec<T> slerp(const VecView<T>& a, const VecView<T>& b, double t, SlerpRule rule) {
  if (a.size() != b.size()) throw std::invalid_argument("slerp: vectors differ in size");
  double omega = 0.0;
  if (rule == SlerpRule::Article) {
    omega = slerp_angle(a, b);
    if (omega < 1e-6) return lerp(a, b, t);
  } else {
    const double na = norm_d(a), nb = norm_d(b);
    const double ua = na > 1e-8 ? na : 1.0, ub = nb > 1e-8 ? nb : 1.0;
    const double cos_ab = dot_d(a, b) / (ua * ub);
    if (std::abs(cos_ab) > 0.9995) return lerp(a, b, t);
    omega = std::acos(cos_ab);
  }
  const double s = std::sin(omega);
  const double wa = std::sin((1.0 - t) * omega) / s;
  const double wb = std::sin(t * omega) / s;
  return static_cast<T>(wa) * a + static_cast<T>(wb) * b;
}

template Vec<float> slerp<float>(const VecView<float>&, const VecView<float>&, double, SlerpRule);
template Vec<double> slerp<double>(const VecView<double>&, const VecView<double>&, double, SlerpRule);
template double slerp_angle<float>(const VecView<float>&, const VecView<float>&);
template double slerp_angle<double>(const VecView<double>&, const VecView<double>&);

}  // namespace mergelab::merge

// ---- registry entry --------------------------------------------------------------------------
#include "core/merge/param_specs.h"
#include "core/merge/registry.h"

namespace mergelab::merge {
namespace {
template <class T>
Vec<T> run_slerp(const MergeInputs<T>& in, const Params& p) {
  const auto views = model_views(in);
  return slerp(views[0], views[1], p.get("t"), p.choice("rule") == 0 ? SlerpRule::Article : SlerpRule::Mergekit);
}
}  // namespace

MethodSpec slerp_method() {
  MethodSpec m;
  m.name = "slerp";
  m.label = "SLERP";
  m.summary = "spherical interpolation between two models (keeps the norm of equal-norm weights)";
  m.formula = "sin((1-t)W)/sin(W) theta_A + sin(tW)/sin(W) theta_B,  W = arccos(cos(theta_A, theta_B))";
  m.needs_base = false;
  m.min_models = 2;
  m.max_models = 2;
  m.params = {
      // Slider [0, 1]; any finite t is accepted, as in mergekit (outside [0, 1] the arc is extrapolated).
      params::unbounded({"t", "t", "position along the arc: 0 = first model (mergekit: the base), 1 = second",
                         ParamSpec::Kind::Real, 0.5, 0.0, 1.0, {}, false}),
      {"rule", "parallel rule", "article: LERP when the angle < 1e-6; mergekit: LERP when |cos| > 0.9995",
       ParamSpec::Kind::Choice, 1, 0, 1, {"article", "mergekit"}, false},
  };
  m.presets = {{"article", {{"rule", 0}, {"t", 0.5}}}, {"mergekit", {{"rule", 1}}}};
  m.run_f = &run_slerp<float>;
  m.run_d = &run_slerp<double>;
  return m;
}
}  // namespace mergelab::merge
