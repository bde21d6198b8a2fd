#include "core/merge/sce.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace mergelab::merge {

template <class T>
Eigen::Matrix<std::uint8_t, Eigen::Dynamic, 1> sce_select_mask(const VecViews<T>& tvs, double select_topk) {
  const Eigen::Index n = tvs.empty() ? 0 : tvs[0].size();
  using Mask = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, 1>;
  if (select_topk <= 0.0) return Mask::Zero(n);
  if (select_topk >= 1.0) return Mask::Ones(n);
  const auto n_models = static_cast<double>(tvs.size());
  std::vector<T> var(static_cast<size_t>(n));
  Eigen::Index nonzero = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    double mean = 0.0;
    for (const auto& t : tvs) mean += static_cast<double>(t[j]);
    mean /= n_models;
    double ss = 0.0;
    for (const auto& t : tvs) {
      const double d = static_cast<double>(t[j]) - mean;
      ss += d * d;
    }
    var[static_cast<size_t>(j)] = static_cast<T>(ss / n_models);
    nonzero += var[static_cast<size_t>(j)] != T(0);
  }
  const auto k = static_cast<Eigen::Index>(static_cast<double>(nonzero) * select_topk);
  Mask mask = Mask::Zero(n);
  if (k == 0) return mask;
  std::vector<Eigen::Index> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  // Largest variance first; equal variances by index.
  std::nth_element(order.begin(), order.begin() + (k - 1), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    const T va = var[static_cast<size_t>(a)], vb = var[static_cast<size_t>(b)];
    return va > vb || (va == vb && a < b);
  });
  for (Eigen::Index r = 0; r < k; ++r) mask[order[static_cast<size_t>(r)]] = 1;
  return mask;
}

template <class T>
std::vector<double> sce_weights(const VecViews<T>& tvs) {
  std::vector<double> w(tvs.size());
  double sum = 0.0;
  for (size_t i = 0; i < tvs.size(); ++i) {
    const Eigen::Index n = tvs[i].size();
    w[i] = n ? tvs[i].template cast<double>().squaredNorm() / static_cast<double>(n) : 0.0;
    sum += w[i];
  }
  for (double& v : w) v = std::abs(sum) < 1e-6 ? 1.0 / static_cast<double>(tvs.size()) : v / sum;
  return w;
}

template <class T>
Vec<T> sce_merge(const VecView<T>& base, const VecViews<T>& tvs_in, double select_topk) {
  const Eigen::Index n = base.size();
  if (tvs_in.empty()) return base;
  for (const auto& t : tvs_in)
    if (t.size() != n) throw std::invalid_argument("sce: task vectors differ in size from the base");
  std::vector<Vec<T>> selected;
  VecViews<T> tvs = tvs_in;
  if (select_topk < 1.0) {
    const auto mask = sce_select_mask<T>(tvs_in, select_topk);
    for (const auto& t : tvs_in) selected.push_back(t.cwiseProduct(mask.template cast<T>()));
    tvs = VecViews<T>(selected.begin(), selected.end());
  }
  const std::vector<double> w = sce_weights<T>(tvs);
  Vec<T> out(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    T sum = T(0);
    for (const auto& t : tvs) sum += t[j];
    const int elected = sum >= T(0) ? 1 : -1;
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < tvs.size(); ++i) {
      if (sign_of(tvs[i][j]) != elected) continue;
      num += w[i] * static_cast<double>(tvs[i][j]);
      den += w[i];
    }
    out[j] = static_cast<T>(static_cast<double>(base[j]) + num / std::max(den, 1e-6));
  }
  return out;
}

template Eigen::Matrix<std::uint8_t, Eigen::Dynamic, 1> sce_select_mask<float>(const VecViews<float>&, double);
template Eigen::Matrix<std::uint8_t, Eigen::Dynamic, 1> sce_select_mask<double>(const VecViews<double>&, double);
template std::vector<double> sce_weights<float>(const VecViews<float>&);
template std::vector<double> sce_weights<double>(const VecViews<double>&);
template Vec<float> sce_merge<float>(const VecView<float>&, const VecViews<float>&, double);
template Vec<double> sce_merge<double>(const VecView<double>&, const VecViews<double>&, double);

}  // namespace mergelab::merge

// ---- registry entry --------------------------------------------------------------------------
#include "core/merge/param_specs.h"
#include "core/merge/registry.h"

namespace mergelab::merge {
namespace {
template <class T>
Vec<T> run_sce(const MergeInputs<T>& in, const Params& p) {
  const auto tvs = task_vectors_of(in);
  return sce_merge<T>(base_view(in), views_of(tvs), p.get("select_topk"));
}
}  // namespace

MethodSpec sce_method() {
  MethodSpec m;
  m.name = "sce";
  m.label = "SCE";
  m.summary = "keep the entries whose task vectors vary most, weight each model by its mean squared task vector, "
              "erase minority signs";
  m.formula = "mask: top select_topk of var_i(tau_ij); w_i = mean(tau_i^2)/sum; theta_0 + sum_i w_i e_ij tau_ij / sum_i w_i e_ij";
  m.needs_base = true;
  m.min_models = 1;
  m.params = {params::limited({"select_topk", "select top-k",
                               "fraction of the entries with nonzero variance across the task vectors that is kept "
                               "(largest variance first); 1 = all",
                               ParamSpec::Kind::Real, 1.0, 0.0, 1.0, {}, false},
                              0.0, 1.0)};
  m.presets = {{"mergekit", {{"select_topk", 1.0}}}};
  m.run_f = &run_sce<float>;
  m.run_d = &run_sce<double>;
  return m;
}

}  // namespace mergelab::merge
