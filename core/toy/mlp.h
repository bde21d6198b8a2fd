// A tiny 2-h-1 MLP toy (tanh hidden layer, sigmoid output) on the article's 2-D tasks.
//
// Why it exists: the article says models trained from different initialisations have a loss
// ridge on the straight path between them, but its logistic model has a convex loss, so along
// any straight line the loss is convex and no ridge can appear. A hidden layer breaks convexity
// (hidden units can be permuted; averaging two unrelated sets of units cancels them), so two MLPs
// from different inits do show a barrier, while two from the same init stay in one basin.
//
// Flat parameters theta (4h + 1):  [W1 (h x 2, row-major) | b1 (h) | w2 (h) | b2]
//   logit(x) = b2 + sum_k w2_k tanh(W1_k . x + b1_k)
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "core/toy/landscape.h"
#include "core/toy/logistic.h"

namespace mergelab::toy {

/// 4h + 1.
int mlp_param_count(int hidden);

/// Initial parameters: W1 and w2 ~ randn * scale (drawn in that order), biases 0.
Eigen::VectorXd mlp_init(RandomState& rng, int hidden, double scale);

/// Logits for every row of X (n x 2) -> n.
Eigen::VectorXd mlp_logits(const Eigen::MatrixXd& X, const Eigen::VectorXd& theta, int hidden);

/// Binary cross-entropy with the article's clipping of p to [1e-7, 1 - 1e-7].
double mlp_loss(const Dataset& data, const Eigen::VectorXd& theta, int hidden);

/// Fraction of rows with (logit > 0) == y.
double mlp_accuracy(const Dataset& data, const Eigen::VectorXd& theta, int hidden);

/// Full-batch gradient descent on the cross-entropy (gradient of the unclipped loss, as the
/// article's logistic training does). `trajectory` receives theta before the first step and after each.
Eigen::VectorXd train_mlp(const Dataset& data, const Eigen::VectorXd& theta0, int hidden, double lr, int steps,
                          std::vector<Eigen::VectorXd>* trajectory = nullptr);

struct MlpSetup {
  int hidden = 8;           ///< h, hidden units
  double init_scale = 3.0;  ///< W1, w2 ~ randn * init_scale (large: unrelated inits differ a lot)
  double lr = 0.5;          ///< gradient-descent step
  int steps = 300;          ///< gradient-descent steps
  uint32_t init_seed = 2;   ///< seed of the initial weights (the data come from the article's seed)
  /// true: B starts from A's init. false: B draws its own init after A's from the same stream.
  bool same_init = true;
};

struct MlpToy {
  Eigen::VectorXd init_a, init_b, w_a, w_b;     ///< 4h + 1 each
  std::vector<Eigen::VectorXd> path_a, path_b;  ///< trajectories (if asked)
};

/// Trains A on task1 and B on task2.
MlpToy train_mlp_toy(const MlpSetup& setup, const Dataset& task1, const Dataset& task2,
                     bool keep_trajectories = false);

/// mlp_loss at every grid point of a plane in parameter space. The hidden pre-activations are linear
/// in (a, b), so each point costs O(n h); computed in float (the heat map needs ~1e-5 accuracy).
Grid mlp_loss_grid(const Dataset& data, int hidden, const Plane& plane, const GridSpec& spec);

/// Height of the loss barrier on a path: max over samples of L(t) - ((1 - t) L(0) + t L(1)), with
/// t_k = k / (n - 1). <= 0 when the loss along the path is convex (no ridge). n >= 2.
double loss_barrier(const std::vector<double>& losses);

}  // namespace mergelab::toy
