#include "core/merge/arcee_fusion.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mergelab::merge {

namespace {
/// softmax(x) + 1e-8 over `len` values.
template <class T>
Eigen::VectorXd softmax_plus_eps(const T* x, Eigen::Index len) {
  Eigen::VectorXd out(len);
  double top = -std::numeric_limits<double>::infinity();
  for (Eigen::Index j = 0; j < len; ++j) top = std::max(top, static_cast<double>(x[j]));
  double sum = 0.0;
  for (Eigen::Index j = 0; j < len; ++j) sum += out[j] = std::exp(static_cast<double>(x[j]) - top);
  for (Eigen::Index j = 0; j < len; ++j) out[j] = out[j] / sum + 1e-8;
  return out;
}
}  // namespace

template <class T>
Eigen::VectorXd arcee_fusion_importance(const VecView<T>& base, const VecView<T>& model,
                                        const std::vector<std::uint64_t>& shape) {
  const Eigen::Index n = base.size();
  if (model.size() != n) throw std::invalid_argument("arcee_fusion: the model differs in size from the base");
  Eigen::Index len = shape.empty() ? n : static_cast<Eigen::Index>(shape.back());
  if (n == 0) return Eigen::VectorXd(0);
  if (len <= 0 || n % len != 0) throw std::invalid_argument("arcee_fusion: shape does not match the tensor size");
  Eigen::VectorXd importance(n);
  for (Eigen::Index start = 0; start < n; start += len) {
    const Eigen::VectorXd p = softmax_plus_eps(model.data() + start, len);
    const Eigen::VectorXd q = softmax_plus_eps(base.data() + start, len);
    double kl = 0.0;
    for (Eigen::Index j = 0; j < len; ++j) kl += p[j] * std::log(p[j] / q[j]);
    for (Eigen::Index j = start; j < start + len; ++j)
      importance[j] = std::abs(static_cast<double>(model[j]) - static_cast<double>(base[j])) * kl;
  }
  return importance;
}

double arcee_fusion_threshold(const Eigen::VectorXd& importance) {
  const Eigen::Index n = importance.size();
  if (n == 0) return 0.0;
  std::vector<double> sorted(importance.data(), importance.data() + n);
  auto quantile = [&](float q) {
    // mergekit: (q * (n - 1)).long() with q a float32 tensor.
    const auto at = static_cast<size_t>(q * static_cast<float>(n - 1));
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(at), sorted.end());
    return sorted[at];
  };
  const double median = quantile(0.5f), q1 = quantile(0.25f), q3 = quantile(0.75f);
  return median + 1.5 * (q3 - q1);
}

template <class T>
Vec<T> arcee_fusion(const VecView<T>& base, const VecView<T>& model, const std::vector<std::uint64_t>& shape) {
  const Eigen::VectorXd importance = arcee_fusion_importance<T>(base, model, shape);
  const double threshold = arcee_fusion_threshold(importance);
  Vec<T> out(base.size());
  for (Eigen::Index j = 0; j < base.size(); ++j) out[j] = importance[j] >= threshold ? model[j] : base[j];
  return out;
}

template Eigen::VectorXd arcee_fusion_importance<float>(const VecView<float>&, const VecView<float>&,
                                                        const std::vector<std::uint64_t>&);
template Eigen::VectorXd arcee_fusion_importance<double>(const VecView<double>&, const VecView<double>&,
                                                         const std::vector<std::uint64_t>&);
template Vec<float> arcee_fusion<float>(const VecView<float>&, const VecView<float>&, const std::vector<std::uint64_t>&);
template Vec<double> arcee_fusion<double>(const VecView<double>&, const VecView<double>&, const std::vector<std::uint64_t>&);

}  // namespace mergelab::merge

// ---- registry entry --------------------------------------------------------------------------
#include "core/merge/registry.h"

namespace mergelab::merge {
namespace {
template <class T>
Vec<T> run_arcee_fusion(const MergeInputs<T>& in, const Params&) {
  return arcee_fusion<T>(base_view(in), model_views(in)[0], in.shape);
}
}  // namespace

MethodSpec arcee_fusion_method() {
  MethodSpec m;
  m.name = "arcee_fusion";
  m.label = "Arcee Fusion";
  m.summary = "keep the model's changes whose size times its row's KL divergence from the base is an outlier";
  m.formula = "I_j = |tau_j| KL(softmax(theta_1,row) || softmax(theta_0,row)); theta_0 + [I_j >= median + 1.5 IQR] tau_j";
  m.needs_base = true;
  m.min_models = 1;
  m.max_models = 1;
  m.run_f = &run_arcee_fusion<float>;
  m.run_d = &run_arcee_fusion<double>;
  return m;
}

}  // namespace mergelab::merge
