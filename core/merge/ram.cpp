#include "core/merge/ram.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mergelab::merge {

namespace {
/// |v| > epsilon with epsilon rounded to T, as a comparison of a T tensor with a scalar does in mergekit.
template <class T>
bool is_active(T v, double epsilon) {
  return std::abs(v) > static_cast<T>(epsilon);
}

template <class T>
int active_count(const VecViews<T>& tvs, Eigen::Index j, double epsilon) {
  int c = 0;
  for (const auto& t : tvs) c += is_active(t[j], epsilon);
  return c;
}
}  // namespace

template <class T>
Vec<T> ram_merge(const VecView<T>& base, const VecViews<T>& tvs, double epsilon, const std::vector<double>& lambdas) {
  const Eigen::Index n = base.size();
  if (lambdas.size() != tvs.size()) throw std::invalid_argument("ram: one lambda per task vector");
  for (const auto& t : tvs)
    if (t.size() != n) throw std::invalid_argument("ram: task vectors differ in size from the base");
  Vec<T> out(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const int c = active_count(tvs, j, epsilon);
    double sum = 0.0;
    for (size_t i = 0; i < tvs.size(); ++i) {
      if (!is_active(tvs[i][j], epsilon)) continue;
      const double v = static_cast<double>(tvs[i][j]);
      sum += c == 1 ? lambdas[i] * v : v / c;
    }
    out[j] = static_cast<T>(static_cast<double>(base[j]) + sum);
  }
  return out;
}

template <class T>
std::vector<double> ramplus_lambdas(const VecViews<T>& tvs, double epsilon, double r, double alpha) {
  std::vector<double> shared(tvs.size(), 0.0), unique(tvs.size(), 0.0);
  const Eigen::Index n = tvs.empty() ? 0 : tvs[0].size();
  for (Eigen::Index j = 0; j < n; ++j) {
    const int c = active_count(tvs, j, epsilon);
    for (size_t i = 0; i < tvs.size(); ++i)
      if (is_active(tvs[i][j], epsilon)) (c > 1 ? shared : unique)[i] += 1.0;
  }
  std::vector<double> out(tvs.size());
  for (size_t i = 0; i < tvs.size(); ++i) {
    const double rho = shared[i] / std::max(unique[i], epsilon);
    out[i] = 1.0 + r * std::clamp(rho, 0.0, std::max(alpha, 0.0));
  }
  return out;
}

template Vec<float> ram_merge<float>(const VecView<float>&, const VecViews<float>&, double, const std::vector<double>&);
template Vec<double> ram_merge<double>(const VecView<double>&, const VecViews<double>&, double, const std::vector<double>&);
template std::vector<double> ramplus_lambdas<float>(const VecViews<float>&, double, double, double);
template std::vector<double> ramplus_lambdas<double>(const VecViews<double>&, double, double, double);

}  // namespace mergelab::merge

// ---- registry entries ------------------------------------------------------------------------
#include "core/merge/param_specs.h"
#include "core/merge/registry.h"

namespace mergelab::merge {
namespace {
ParamSpec ram_epsilon() {
  return params::limited({"epsilon", "epsilon (change threshold)",
                          "an entry counts as changed by model i when |tau_ij| > epsilon", ParamSpec::Kind::Real, 1e-5,
                          0.0, 1e-2, {}, false},
                         0.0, ParamSpec::kUnbounded);
}

template <class T>
Vec<T> run_ram(const MergeInputs<T>& in, const Params& p) {
  const auto tvs = task_vectors_of(in);
  return ram_merge<T>(base_view(in), views_of(tvs), p.get("epsilon"), std::vector<double>(tvs.size(), 1.0));
}

template <class T>
Vec<T> run_ramplus_tl(const MergeInputs<T>& in, const Params& p) {
  const auto tvs = task_vectors_of(in);
  const auto views = views_of(tvs);
  const double eps = p.get("epsilon");
  return ram_merge<T>(base_view(in), views, eps, ramplus_lambdas<T>(views, eps, p.get("r"), p.get("alpha")));
}
}  // namespace

MethodSpec ram_method() {
  MethodSpec m;
  m.name = "ram";
  m.label = "RAM";
  m.summary = "Reinforced Agent Merging: an entry changed by one model keeps the change, one changed by several their mean";
  m.formula = "a_ij = |tau_ij| > eps, c_j = sum_i a_ij; theta_0 + sum_i a_ij tau_ij ([c_j = 1] + [c_j > 1]/c_j)";
  m.needs_base = true;
  m.min_models = 1;
  m.params = {ram_epsilon()};
  m.presets = {{"mergekit", {{"epsilon", 1e-5}}}};
  m.run_f = &run_ram<float>;
  m.run_d = &run_ram<double>;
  return m;
}

MethodSpec ramplus_tl_method() {
  MethodSpec m = ram_method();
  m.name = "ramplus_tl";
  m.label = "RAM+ (tensor-local)";
  m.summary = "RAM, with each model's unique changes scaled up by how much of its change it shares with others";
  m.formula = "RAM with unique entries x lambda_i = 1 + r clamp(#shared_i / #unique_i, 0, alpha)";
  m.params = {ram_epsilon(),
              params::limited({"r", "r (rescale strength)", "lambda_i = 1 + r * clamp(rho_i, 0, alpha)",
                               ParamSpec::Kind::Real, 0.1, 0.0, 1.0, {}, false},
                              -ParamSpec::kUnbounded, ParamSpec::kUnbounded),
              params::limited({"alpha", "alpha (rho cap)", "rho_i = shared / unique changed entries of model i, capped at alpha",
                               ParamSpec::Kind::Real, 0.2, 0.0, 1.0, {}, false},
                              0.0, ParamSpec::kUnbounded)};
  m.presets = {{"mergekit", {{"epsilon", 1e-5}, {"r", 0.1}, {"alpha", 0.2}}}};
  m.run_f = &run_ramplus_tl<float>;
  m.run_d = &run_ramplus_tl<double>;
  return m;
}

}  // namespace mergelab::merge
