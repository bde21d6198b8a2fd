#include "core/merge/task_arithmetic.h"

#include <stdexcept>

namespace mergelab::merge {

template <class T>
Vec<T> task_vector(const VecView<T>& model, const VecView<T>& base) {
  if (model.size() != base.size()) throw std::invalid_argument("task_vector: model and base differ in size");
  return model - base;
}

template <class T>
Vec<T> weighted_task_sum(const VecViews<T>& task_vectors, const std::vector<double>& lambdas) {
  if (task_vectors.empty()) throw std::invalid_argument("task arithmetic: no task vectors");
  if (lambdas.size() != task_vectors.size()) throw std::invalid_argument("task arithmetic: one lambda per task vector");
  Vec<T> out = Vec<T>::Zero(task_vectors[0].size());
  for (size_t i = 0; i < task_vectors.size(); ++i) {
    if (task_vectors[i].size() != out.size()) throw std::invalid_argument("task arithmetic: task vectors differ in size");
    out += static_cast<T>(lambdas[i]) * task_vectors[i];
  }
  return out;
}

template <class T>
Vec<T> task_arithmetic(const VecView<T>& base, const VecViews<T>& task_vectors, const std::vector<double>& lambdas) {
  Vec<T> out = weighted_task_sum(task_vectors, lambdas);
  if (out.size() != base.size()) throw std::invalid_argument("task arithmetic: base and task vectors differ in size");
  out += base;
  return out;
}

template Vec<float> task_vector<float>(const VecView<float>&, const VecView<float>&);
template Vec<double> task_vector<double>(const VecView<double>&, const VecView<double>&);
template Vec<float> weighted_task_sum<float>(const VecViews<float>&, const std::vector<double>&);
template Vec<double> weighted_task_sum<double>(const VecViews<double>&, const std::vector<double>&);
template Vec<float> task_arithmetic<float>(const VecView<float>&, const VecViews<float>&, const std::vector<double>&);
template Vec<double> task_arithmetic<double>(const VecView<double>&, const VecViews<double>&, const std::vector<double>&);

}  // namespace mergelab::merge

// ---- registry entry --------------------------------------------------------------------------
#include <algorithm>
#include <cmath>

#include "core/merge/param_specs.h"

namespace mergelab::merge {
namespace {
// One pass over cache-sized blocks, without materialising the task vectors: per element the same
// operations in the same order as linear_task_merge (sum_i w_i (theta_i - theta_0), / sum w, * lambda, + theta_0).
template <class T>
Vec<T> run_task_arithmetic(const MergeInputs<T>& in, const Params& p) {
  using Arr = Eigen::Array<T, Eigen::Dynamic, 1>;
  const auto w = per_model_values(p, "weight", in.models.size());
  double total = 0.0;
  for (double x : w) total += x;
  const bool divide = p.flag("normalize") && std::abs(total) >= 1e-8;
  const T lambda = static_cast<T>(p.get("lambda"));
  Vec<T> out(in.size);
  constexpr Eigen::Index kBlock = 2048;
  Arr acc(kBlock);
  for (Eigen::Index start = 0; start < in.size; start += kBlock) {
    const Eigen::Index len = std::min(kBlock, in.size - start);
    const auto base = Eigen::Map<const Arr>(in.base + start, len);
    auto a = acc.head(len);
    a.setZero();
    for (size_t i = 0; i < in.models.size(); ++i)
      a += static_cast<T>(w[i]) * (Eigen::Map<const Arr>(in.models[i] + start, len) - base);
    if (divide) a /= static_cast<T>(total);
    out.segment(start, len).array() = base + lambda * a;
  }
  return out;
}
}  // namespace

template <class T>
Vec<T> linear_task_merge(const MergeInputs<T>& in, const Params& p, const std::vector<Vec<T>>& task_vectors) {
  const auto w = per_model_values(p, "weight", in.models.size());
  Vec<T> mixed = weighted_task_sum(views_of(task_vectors), w);
  if (p.flag("normalize")) {
    double total = 0.0;
    for (double x : w) total += x;
    if (std::abs(total) >= 1e-8) mixed /= static_cast<T>(total);
  }
  return base_view(in) + static_cast<T>(p.get("lambda")) * mixed;
}

template Vec<float> linear_task_merge<float>(const MergeInputs<float>&, const Params&, const std::vector<Vec<float>>&);
template Vec<double> linear_task_merge<double>(const MergeInputs<double>&, const Params&, const std::vector<Vec<double>>&);

MethodSpec task_arithmetic_method() {
  MethodSpec m;
  m.name = "task_arithmetic";
  m.label = "Task arithmetic";
  m.summary = "add (or subtract) scaled task vectors tau_i = theta_i - theta_0 to the base";
  m.formula = "theta = theta_0 + alpha * sum_i w_i tau_i";
  m.needs_base = true;
  m.params = {params::weight(-1.5, 1.5), params::lambda(1.0), params::normalize(false)};
  m.presets = {{"article", {{"lambda", 0.7}}}, {"mergekit", {{"lambda", 1.0}, {"normalize", 0}}}};
  m.run_f = &run_task_arithmetic<float>;
  m.run_d = &run_task_arithmetic<double>;
  return m;
}
}  // namespace mergelab::merge
