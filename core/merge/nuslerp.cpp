#include "core/merge/nuslerp.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mergelab::merge {

double nuslerp_t(double w0, double w1) {
  const double sum = w0 + w1;
  return std::abs(sum) < 1e-6 ? 0.5 : w1 / sum;
}

namespace {
/// One pair of vectors: `count` values starting at `start`, `stride` apart.
template <class T>
void slerp_strided(const VecView<T>& a, const VecView<T>& b, Vec<T>& out, Eigen::Index start, Eigen::Index count,
                   Eigen::Index stride, double t) {
  double aa = 0.0, bb = 0.0, ab = 0.0;
  for (Eigen::Index j = 0; j < count; ++j) {
    const double x = static_cast<double>(a[start + j * stride]), y = static_cast<double>(b[start + j * stride]);
    aa += x * x;
    bb += y * y;
    ab += x * y;
  }
  const double na = std::max(std::sqrt(aa), 1e-7), nb = std::max(std::sqrt(bb), 1e-7);
  const double theta = std::acos(std::clamp(ab / (na * nb), -1.0, 1.0));
  const double s = std::sin(theta);
  double wa = 1.0 - t, wb = t;  // (nearly) colinear, anti-parallel included: LERP
  if (std::abs(s) >= 1e-8) {
    wa = std::sin((1.0 - t) * theta) / s;
    wb = std::sin(t * theta) / s;
  }
  for (Eigen::Index j = 0; j < count; ++j) {
    const Eigen::Index i = start + j * stride;
    out[i] = static_cast<T>(wa * static_cast<double>(a[i]) + wb * static_cast<double>(b[i]));
  }
}
}  // namespace

template <class T>
Vec<T> nuslerp(const VecView<T>& a, const VecView<T>& b, const std::vector<std::uint64_t>& shape, double t,
               NuslerpAxis axis) {
  const Eigen::Index n = a.size();
  if (b.size() != n) throw std::invalid_argument("nuslerp: the two tensors differ in size");
  Vec<T> out(n);
  if (n == 0) return out;
  if (axis == NuslerpAxis::Flatten || shape.size() < 2) {
    slerp_strided(a, b, out, 0, n, 1, t);
    return out;
  }
  Eigen::Index count = 1;
  for (auto d : shape) count *= static_cast<Eigen::Index>(d);
  if (count != n) throw std::invalid_argument("nuslerp: shape does not match the tensor size");
  if (axis == NuslerpAxis::LastDim) {
    const auto len = static_cast<Eigen::Index>(shape.back());
    for (Eigen::Index start = 0; start < n; start += len) slerp_strided(a, b, out, start, len, 1, t);
    return out;
  }
  // FirstDim: vectors run along dimension 0; one vector per position in the remaining dimensions.
  const auto len = static_cast<Eigen::Index>(shape.front());
  const Eigen::Index inner = n / len;
  for (Eigen::Index k = 0; k < inner; ++k) slerp_strided(a, b, out, k, len, inner, t);
  return out;
}

template Vec<float> nuslerp<float>(const VecView<float>&, const VecView<float>&, const std::vector<std::uint64_t>&, double,
                                   NuslerpAxis);
template Vec<double> nuslerp<double>(const VecView<double>&, const VecView<double>&, const std::vector<std::uint64_t>&,
                                     double, NuslerpAxis);

}  // namespace mergelab::merge

// ---- registry entry --------------------------------------------------------------------------
#include "core/merge/param_specs.h"
#include "core/merge/registry.h"

namespace mergelab::merge {
namespace {
template <class T>
Vec<T> run_nuslerp(const MergeInputs<T>& in, const Params& p) {
  const double t = nuslerp_t(p.get("weight", 0), p.get("weight", 1));
  const NuslerpAxis axis = p.flag("nuslerp_flatten")    ? NuslerpAxis::Flatten
                           : p.flag("nuslerp_row_wise") ? NuslerpAxis::FirstDim
                                                        : NuslerpAxis::LastDim;
  if (!in.base) {
    const auto m = model_views(in);
    return nuslerp<T>(m[0], m[1], in.shape, t, axis);
  }
  const auto tvs = task_vectors_of(in);
  Vec<T> out = nuslerp<T>(tvs[0], tvs[1], in.shape, t, axis);
  out += base_view(in);
  return out;
}
}  // namespace

MethodSpec nuslerp_method() {
  MethodSpec m;
  m.name = "nuslerp";
  m.label = "NuSLERP";
  m.summary = "SLERP of two models at t = w_1/(w_0+w_1); with a base, SLERP of their task vectors; per tensor, row or column";
  m.formula = "t = w1/(w0+w1); slerp(a, b) = (sin((1-t)W) a + sin(tW) b)/sin W; theta_0 + slerp(tau_0, tau_1) with a base";
  m.needs_base = false;
  m.base_optional = true;
  m.min_models = 2;
  m.max_models = 2;
  ParamSpec weight = params::weight(0.0, 2.0);
  weight.help = "w_i: relative weight; t = w_1 / (w_0 + w_1) (0.5 when the sum is ~0)";
  m.params = {
      weight,
      {"nuslerp_flatten", "flatten", "interpolate the whole tensor as one vector (default); off: one vector per row",
       ParamSpec::Kind::Bool, 1.0, 0, 1, {}, false},
      {"nuslerp_row_wise", "row-wise (dim 0)",
       "with flatten off: vectors along the first dimension (a matrix's columns) instead of the last (its rows)",
       ParamSpec::Kind::Bool, 0.0, 0, 1, {}, false},
  };
  m.presets = {{"mergekit", {{"nuslerp_flatten", 1}, {"nuslerp_row_wise", 0}}}};
  m.run_f = &run_nuslerp<float>;
  m.run_d = &run_nuslerp<double>;
  return m;
}

}  // namespace mergelab::merge
