#include "core/toy/features.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/merge/registry.h"
#include "core/rng.h"
#include "core/toy/datasets.h"

namespace mergelab::toy {

Eigen::MatrixXd make_feature_projection(const FeatureSetup& setup) {
  if (setup.d < 4) throw std::invalid_argument("features: d must be at least 4 (the inputs are 4-D), got " +
                                               std::to_string(setup.d));
  if (setup.d == 4) return Eigen::MatrixXd::Identity(4, 4);
  RandomState rng(setup.seed);
  Eigen::MatrixXd G(setup.d, 4);
  for (Eigen::Index i = 0; i < G.rows(); ++i)
    for (Eigen::Index j = 0; j < 4; ++j) G(i, j) = rng.standard_normal();
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(G);
  Eigen::MatrixXd R = qr.householderQ() * Eigen::MatrixXd::Identity(setup.d, 4);
  // Fix the signs so that R's columns point like G's (R = G T with T upper triangular, diag > 0).
  const Eigen::MatrixXd Rtop = qr.matrixQR().topLeftCorner(4, 4);
  for (Eigen::Index j = 0; j < 4; ++j)
    if (Rtop(j, j) < 0) R.col(j) = -R.col(j);
  return R;
}

Eigen::MatrixXd expand_features(const Eigen::MatrixXd& X, const Eigen::MatrixXd& R) {
  if (X.cols() != R.cols()) throw std::invalid_argument("features: inputs have " + std::to_string(X.cols()) +
                                                        " columns, the projection expects " + std::to_string(R.cols()));
  return X * R.transpose();
}

LabToy expand_lab_toy(const LabToy& base, const LabSetup& setup, const FeatureSetup& features) {
  if (base.pretrained.size() != 4) throw std::invalid_argument("features: the base toy must have 4 parameters");
  if (features.d == 4) return base;  // R = I: phi(x) = x, w_0 = p; the article's own toy
  const Eigen::MatrixXd R = make_feature_projection(features);
  LabToy toy;
  for (const auto& task : base.tasks) toy.tasks.push_back(Dataset{expand_features(task.X, R), task.y});
  // g from its own stream (seed + 1), so R does not change when lift_scale does.
  RandomState rng(features.seed + 1);
  const Eigen::VectorXd g = randn_vector(rng, features.d, features.lift_scale);
  toy.pretrained = R * base.pretrained + (g - R * (R.transpose() * g));
  for (const auto& task : toy.tasks) {
    toy.finetuned.push_back(train_logistic(task, toy.pretrained, setup.lr, setup.steps));
    toy.task_vectors.push_back(toy.finetuned.back() - toy.pretrained);
  }
  return toy;
}

std::vector<int> default_growth_dims() { return {4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096}; }

std::vector<double> growth_point(const LabToy& expanded, const LabSettings& settings,
                                 const std::vector<std::string>& methods, int mask_draws) {
  if (mask_draws < 1) throw std::invalid_argument("features: mask_draws must be at least 1");
  std::vector<double> out;
  for (const auto& m : methods) {
    const merge::MethodSpec* spec = merge::find_method(m);
    const int draws = spec && spec->random ? mask_draws : 1;
    double sum = 0.0;
    for (int j = 0; j < draws; ++j) {
      LabSettings s = settings;
      s.seed = settings.seed + 1000u * static_cast<uint32_t>(j);
      sum += evaluate_lab_method(expanded, m, s).combined;
    }
    out.push_back(sum / draws);
  }
  return out;
}

GrowthCurves dare_growth_curves(const LabToy& base, const LabSetup& setup, const LabSettings& settings,
                                const std::vector<std::string>& methods, const std::vector<int>& dims,
                                uint32_t feature_seed, int mask_draws,
                                const std::function<bool(int, int)>& progress) {
  GrowthCurves out;
  out.methods = methods;
  out.dims = dims;
  out.combined = Eigen::MatrixXd::Constant(static_cast<Eigen::Index>(methods.size()), static_cast<Eigen::Index>(dims.size()),
                                           std::numeric_limits<double>::quiet_NaN());
  const int total = static_cast<int>(dims.size());
  for (int c = 0; c < total; ++c) {
    FeatureSetup fs;
    fs.d = dims[static_cast<size_t>(c)];
    fs.seed = feature_seed;
    const LabToy toy = expand_lab_toy(base, setup, fs);
    const auto point = growth_point(toy, settings, methods, mask_draws);
    for (size_t m = 0; m < point.size(); ++m) out.combined(static_cast<Eigen::Index>(m), c) = point[m];
    out.computed = c + 1;
    if (progress && !progress(c + 1, total)) break;
  }
  return out;
}

}  // namespace mergelab::toy
