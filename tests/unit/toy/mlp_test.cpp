// The 2-h-1 MLP toy: shapes, a hand-computed forward pass, gradient descent lowering the loss,
// the grid against the direct loss, and the barrier demo at the defaults.
#include "core/toy/mlp.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/toy/article.h"

namespace mergelab::toy {
namespace {

TEST(Mlp, ForwardPassByHand) {
  // h = 1: theta = [W1 = (1, -1) | b1 = 0.5 | w2 = 2 | b2 = -1]; x = (1, 2):
  // logit = -1 + 2 tanh(1 - 2 + 0.5) = -1 + 2 tanh(-0.5).
  Eigen::VectorXd theta(5);
  theta << 1, -1, 0.5, 2, -1;
  Eigen::MatrixXd X(1, 2);
  X << 1, 2;
  EXPECT_NEAR(mlp_logits(X, theta, 1)[0], -1 + 2 * std::tanh(-0.5), 1e-15);
  Dataset d{X, Eigen::VectorXd::Constant(1, 1.0)};
  const double z = -1 + 2 * std::tanh(-0.5);
  EXPECT_NEAR(mlp_loss(d, theta, 1), std::log1p(std::exp(-z)), 1e-12);
  EXPECT_EQ(mlp_accuracy(d, theta, 1), 0.0);  // z < 0 predicts 0, label is 1
  EXPECT_THROW(mlp_logits(X, theta, 2), std::invalid_argument);
}

TEST(Mlp, InitIsSeededAndHasZeroBiases) {
  RandomState r1(5), r2(5);
  const Eigen::VectorXd a = mlp_init(r1, 3, 1.0), b = mlp_init(r2, 3, 1.0);
  EXPECT_EQ(a.size(), mlp_param_count(3));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.segment(6, 3), Eigen::VectorXd::Zero(3));
  EXPECT_EQ(a[12], 0.0);
}

TEST(Mlp, GradientMatchesFiniteDifferences) {
  const InterpolationToy art = train_interpolation_toy(InterpolationSetup{});
  RandomState rng(3);
  const Eigen::VectorXd theta = mlp_init(rng, 3, 0.7);
  // One step of lr from theta: theta - lr g, so g = (theta - step) / lr.
  const double lr = 1e-3;
  const Eigen::VectorXd g = (theta - train_mlp(art.task1, theta, 3, lr, 1)) / lr;
  for (Eigen::Index k = 0; k < theta.size(); ++k) {
    Eigen::VectorXd p = theta, m = theta;
    p[k] += 1e-6;
    m[k] -= 1e-6;
    const double fd = (mlp_loss(art.task1, p, 3) - mlp_loss(art.task1, m, 3)) / 2e-6;
    EXPECT_NEAR(g[k], fd, 1e-6) << "parameter " << k;
  }
}

TEST(Mlp, GridMatchesDirectLoss) {
  const InterpolationToy art = train_interpolation_toy(InterpolationSetup{});
  const MlpToy toy = train_mlp_toy(MlpSetup{}, art.task1, art.task2);
  const Plane pl = plane_through_origin(toy.w_a, toy.w_b);
  const Eigen::Vector2d a = pl.project(toy.w_a);
  // A 3 x 3 grid whose centre is W_A.
  GridSpec spec{a[0] - 1, a[0] + 1, a[1] - 1, a[1] + 1, 3, 3};
  const Grid g = mlp_loss_grid(art.task1, MlpSetup{}.hidden, pl, spec);
  EXPECT_NEAR(g.at(1, 1), mlp_loss(art.task1, toy.w_a, MlpSetup{}.hidden), 1e-4);
  EXPECT_NEAR(g.at(0, 2), mlp_loss(art.task1, pl.at(a[0] - 1, a[1] + 1), MlpSetup{}.hidden), 1e-4);
}

TEST(Mlp, BarrierByHand) {
  EXPECT_DOUBLE_EQ(loss_barrier({1.0, 0.5, 1.0}), 0.0);   // below the chord at the ends
  EXPECT_DOUBLE_EQ(loss_barrier({1.0, 2.0, 3.0}), 0.0);   // on the chord
  EXPECT_DOUBLE_EQ(loss_barrier({1.0, 3.0, 1.0}), 2.0);   // a ridge of 2 in the middle
}

// The claim the panel makes: at the defaults, specialists from one init are connected by a path
// with no ridge on either task, specialists from different inits are not.
double worst_task_barrier(const MlpSetup& s, const InterpolationToy& art) {
  const MlpToy toy = train_mlp_toy(s, art.task1, art.task2);
  std::vector<double> l1, l2;
  for (int k = 0; k <= 40; ++k) {
    const Eigen::VectorXd w = path_point(toy.w_a, toy.w_b, PathKind::Lerp, k / 40.0);
    l1.push_back(mlp_loss(art.task1, w, s.hidden));
    l2.push_back(mlp_loss(art.task2, w, s.hidden));
  }
  return std::max(loss_barrier(l1), loss_barrier(l2));
}

TEST(Mlp, DifferentInitsShowABarrierSameInitDoesNot) {
  const InterpolationToy art = train_interpolation_toy(InterpolationSetup{});
  MlpSetup same;
  same.same_init = true;
  MlpSetup diff = same;
  diff.same_init = false;
  EXPECT_LT(worst_task_barrier(same, art), 0.02);
  EXPECT_GT(worst_task_barrier(diff, art), 0.5);
}

TEST(Mlp, LogisticLossIsConvexSoNoBarrierEvenFromDifferentInits) {
  InterpolationSetup s;
  s.same_init = false;
  const InterpolationToy toy = train_interpolation_toy(s);
  std::vector<double> l1, l2;
  for (int k = 0; k <= 40; ++k) {
    const Eigen::VectorXd w = path_point(toy.w_a, toy.w_b, PathKind::Lerp, k / 40.0);
    l1.push_back(bce_loss(toy.task1, w));
    l2.push_back(bce_loss(toy.task2, w));
  }
  EXPECT_LE(loss_barrier(l1), 1e-12);
  EXPECT_LE(loss_barrier(l2), 1e-12);
}

TEST(Mlp, TrainingLowersTheLoss) {
  const InterpolationToy art = train_interpolation_toy(InterpolationSetup{});
  const MlpToy toy = train_mlp_toy(MlpSetup{}, art.task1, art.task2, true);
  EXPECT_EQ(toy.path_a.size(), 301u);
  EXPECT_LT(mlp_loss(art.task1, toy.w_a, 8), 0.1 * mlp_loss(art.task1, toy.init_a, 8));
  EXPECT_GT(mlp_accuracy(art.task2, toy.w_b, 8), 0.95);
}

}  // namespace
}  // namespace mergelab::toy
