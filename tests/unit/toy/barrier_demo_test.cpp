// The classic barrier demo (core/scene/barrier_demo.h): two 2-8-1 MLPs learn the same task. From two
// different inits the straight path between them climbs a clear ridge; from one shared init it does not.
#include "core/scene/barrier_demo.h"

#include <gtest/gtest.h>

#include "core/toy/article.h"
#include "core/toy/landscape.h"

namespace mergelab::scene {
namespace {

struct PathLosses {
  std::vector<double> a, b;  ///< loss on A's and B's data along the LERP path
};

PathLosses walk(const SameTaskPair& p, const toy::Dataset& data_a, int hidden) {
  PathLosses out;
  for (int k = 0; k <= 40; ++k) {
    const Eigen::VectorXd w = toy::path_point(p.toy.w_a, p.toy.w_b, toy::PathKind::Lerp, k / 40.0);
    out.a.push_back(toy::mlp_loss(data_a, w, hidden));
    out.b.push_back(toy::mlp_loss(p.data_b, w, hidden));
  }
  return out;
}

TEST(SameTaskBarrier, DifferentInitsClimbARidgeSameInitDoesNot) {
  const toy::InterpolationToy art = toy::train_interpolation_toy(toy::InterpolationSetup{});
  toy::MlpSetup s = same_task_demo_setup();
  ASSERT_EQ(s.hidden, 8);
  ASSERT_EQ(s.init_seed, 3u);

  s.same_init = false;
  const SameTaskPair diff = train_same_task_pair(s, art.task1, same_task_data_seed(42));
  const PathLosses d = walk(diff, art.task1, s.hidden);
  // Both ends solve the task (loss < 0.05, accuracy >= 98%) ...
  EXPECT_LT(d.a.front(), 0.05);
  EXPECT_LT(d.b.back(), 0.05);
  EXPECT_GE(toy::mlp_accuracy(art.task1, diff.toy.w_a, s.hidden), 0.98);
  EXPECT_GE(toy::mlp_accuracy(diff.data_b, diff.toy.w_b, s.hidden), 0.98);
  // ... and the midpoint is far worse: a barrier of more than 0.5 nats on both data sets
  // (measured 0.97 and 1.12: 20x the endpoint losses).
  EXPECT_GT(toy::loss_barrier(d.a), 0.5);
  EXPECT_GT(toy::loss_barrier(d.b), 0.5);

  s.same_init = true;
  const SameTaskPair same = train_same_task_pair(s, art.task1, same_task_data_seed(42));
  EXPECT_EQ(same.toy.init_a, same.toy.init_b);
  const PathLosses q = walk(same, art.task1, s.hidden);
  // One basin: the path never rises above the line between its ends by more than 0.005 nats.
  EXPECT_LT(toy::loss_barrier(q.a), 0.005);
  EXPECT_LT(toy::loss_barrier(q.b), 0.005);
}

TEST(SameTaskBarrier, BDrawsItsOwnDataOfTheSameTask) {
  const toy::InterpolationToy art = toy::train_interpolation_toy(toy::InterpolationSetup{});
  toy::MlpSetup s = same_task_demo_setup();
  s.steps = 1;
  const SameTaskPair p = train_same_task_pair(s, art.task1, 1042);
  ASSERT_EQ(p.data_b.X.rows(), art.task1.X.rows());
  EXPECT_NE(p.data_b.X, art.task1.X);
  for (Eigen::Index i = 0; i < p.data_b.X.rows(); ++i)
    EXPECT_EQ(p.data_b.y[i], p.data_b.X(i, 0) > 0 ? 1.0 : 0.0);  // Task 1: label = (x1 > 0)
  // Same seed, same draw.
  EXPECT_EQ(train_same_task_pair(s, art.task1, 1042).data_b.X, p.data_b.X);
}

}  // namespace
}  // namespace mergelab::scene
