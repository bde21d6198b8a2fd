// "When does DARE work?": the Merge Lab's toys grown from 4 to d parameters.
//
// The article's logistic model has 4 weights, so dropping 90% of a task vector (DARE, p = 0.9)
// removes most of what fine-tuning learned. DARE's premise is that real task vectors are highly
// redundant. To make that premise true on purpose, the 4-D inputs are expanded by a fixed seeded
// random projection to d features,
//
//     phi(x) = R x,    R  d x 4 with orthonormal columns (R^T R = I; R = I when d = 4),
//
// and the specialists are retrained at d parameters from a pretrained vector lifted to d,
//
//     w_0 = R p + (I - R R^T) g,    p = the article's 4-D pretrained vector, g = randn(d) * 0.3.
//
// Why this expansion: a model on phi(x) is still linear in x without a bias (w . R x = (R^T w) . x),
// so every task is exactly as learnable as in the article; gradient descent on w moves R^T w exactly
// as it moves the 4-D weights (R^T R = I), so the specialists, task arithmetic and the linear soup
// score the same at every d. What changes with d is only how the task vectors are spread over
// coordinates, which is what the coordinate-wise methods (TIES's trim and sign vote, DARE's random
// drop) act on. DARE's noise on a logit, sum_j x'_j tau_j (m_j / (1 - p) - 1), has variance
// p/(1-p) sum_j x'_j^2 tau_j^2, which shrinks like 1/d as the same function is spread over d
// coordinates: at large d DARE's merge approaches the undropped one.
#pragma once

#include <Eigen/Dense>
#include <functional>
#include <string>
#include <vector>

#include "core/toy/article.h"
#include "core/toy/lab.h"

namespace mergelab::toy {

struct FeatureSetup {
  int d = 4;              ///< number of features = parameters of the model (>= 4)
  uint32_t seed = 11;     ///< seed of the projection R and of the lifted pretrained vector's g
  double lift_scale = 0.3;  ///< g = randn(d) * lift_scale (the article's pretrained scale)
};

/// R: d x 4 with orthonormal columns, from the Householder QR of a seeded Gaussian d x 4 matrix;
/// exactly the identity when d == 4. Throws std::invalid_argument when d < 4.
Eigen::MatrixXd make_feature_projection(const FeatureSetup& setup);

/// Rows phi(x) = R x of an n x 4 input matrix: n x d.
Eigen::MatrixXd expand_features(const Eigen::MatrixXd& X, const Eigen::MatrixXd& R);

/// The lab toy at d parameters: the same tasks (rows, labels) with expanded inputs, the lifted
/// pretrained vector, and specialists retrained with `setup`'s learning rate and steps. With d = 4
/// the result equals `base` exactly (R = I).
LabToy expand_lab_toy(const LabToy& base, const LabSetup& setup, const FeatureSetup& features);

/// Each method's combined accuracy as the model grows.
struct GrowthCurves {
  std::vector<std::string> methods;
  std::vector<int> dims;
  Eigen::MatrixXd combined;  ///< methods x dims; NaN where not computed (cancelled)
  int computed = 0;          ///< how many dims (from the first) are filled in
};

/// 4, 8, 16, ..., 4096.
std::vector<int> default_growth_dims();

/// Combined accuracy of each method at each d (settings as in the Merge Lab). Random methods are
/// averaged over `mask_draws` DARE seeds settings.seed + 1000 j, j = 0..mask_draws-1.
/// `progress(done, total)` is called after each d; returning false stops (the rest stays NaN).
GrowthCurves dare_growth_curves(const LabToy& base, const LabSetup& setup, const LabSettings& settings,
                                const std::vector<std::string>& methods, const std::vector<int>& dims,
                                uint32_t feature_seed, int mask_draws,
                                const std::function<bool(int done, int total)>& progress = {});

/// One column of the curves: combined accuracy of each method on an already expanded toy.
std::vector<double> growth_point(const LabToy& expanded, const LabSettings& settings,
                                 const std::vector<std::string>& methods, int mask_draws);

}  // namespace mergelab::toy
