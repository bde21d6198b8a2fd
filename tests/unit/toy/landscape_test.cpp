// Paths, planes and loss grids of core/toy/landscape against hand-derived values and the
// article's own numbers (article_code_output.txt).
#include "core/toy/landscape.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/toy/article.h"

namespace mergelab::toy {
namespace {

TEST(Landscape, LerpPathEndpointsAndMidpoint) {
  const Eigen::Vector2d a(3.0, 0.0), b(0.0, 3.0);
  const PathSamples p = sample_path(a, b, PathKind::Lerp, 5);
  ASSERT_EQ(p.t.size(), 5u);
  EXPECT_DOUBLE_EQ(p.t[2], 0.5);
  EXPECT_TRUE(p.w.front().isApprox(a));
  EXPECT_TRUE(p.w.back().isApprox(b));
  // Midpoint (1.5, 1.5): norm 1.5 sqrt(2), shorter than 3 by cos(45 deg).
  EXPECT_NEAR(p.norm[2], 1.5 * std::sqrt(2.0), 1e-12);
}

TEST(Landscape, SlerpKeepsTheNormOfEqualLengthEndpoints) {
  const Eigen::Vector2d a(3.0, 0.0), b(0.0, 3.0);
  const PathSamples p = sample_path(a, b, PathKind::Slerp, 9);
  for (size_t k = 0; k < p.t.size(); ++k) EXPECT_NEAR(p.norm[k], 3.0, 1e-12) << "t=" << p.t[k];
  // A quarter circle: at t = 0.5 the point is at 45 degrees.
  EXPECT_NEAR(p.w[4][0], 3.0 / std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(p.w[4][1], 3.0 / std::sqrt(2.0), 1e-12);
  EXPECT_TRUE(p.w.back().isApprox(b));
}

TEST(Landscape, SampleRejectsTooFewPoints) {
  EXPECT_THROW(sample_path(Eigen::Vector2d(1, 0), Eigen::Vector2d(0, 1), PathKind::Lerp, 1), std::invalid_argument);
}

TEST(Landscape, PlaneProjectionRecoversCoordinates) {
  Eigen::VectorXd theta0(4), tau1(4), tau2(4);
  theta0 << 1, 2, 3, 4;
  tau1 << 1, 0, 1, 0;
  tau2 << 0, 2, 0, -1;
  const Plane pl = task_vector_plane(theta0, tau1, tau2);
  const Eigen::Vector2d ab = pl.project(theta0 + 0.25 * tau1 - 1.5 * tau2);
  EXPECT_NEAR(ab[0], 0.25, 1e-12);
  EXPECT_NEAR(ab[1], -1.5, 1e-12);
  // (0, 0, 0, 1) off the plane: distance is the length of its normal part.
  EXPECT_NEAR(pl.distance(theta0 + tau1), 0.0, 1e-12);
  EXPECT_GT(pl.distance(theta0 + Eigen::Vector4d(0, 0, 0, 1)), 0.1);
}

TEST(Landscape, PlaneThroughOriginIsOrthonormalAndHoldsBothPoints) {
  Eigen::VectorXd a(3), b(3);
  a << 2, 0, 0;
  b << 1, 1, 0;
  const Plane pl = plane_through_origin(a, b);
  EXPECT_NEAR(pl.u.norm(), 1.0, 1e-12);
  EXPECT_NEAR(pl.v.norm(), 1.0, 1e-12);
  EXPECT_NEAR(pl.u.dot(pl.v), 0.0, 1e-12);
  EXPECT_TRUE(pl.project(a).isApprox(Eigen::Vector2d(2, 0)));
  EXPECT_TRUE(pl.project(b).isApprox(Eigen::Vector2d(1, 1)));
  EXPECT_THROW(plane_through_origin(a, 3.0 * a), std::invalid_argument);
}

class ArticleLandscape : public ::testing::Test {
 protected:
  InterpolationToy toy = train_interpolation_toy(InterpolationSetup{});
};

TEST_F(ArticleLandscape, GridValueAtGridPointEqualsBceLoss) {
  // A grid whose point (i=3, j=5) is exactly W_A.
  GridSpec spec;
  spec.na = spec.nb = 11;
  spec.a0 = toy.w_a[0] - 3 * 0.5;
  spec.a1 = spec.a0 + 10 * 0.5;
  spec.b0 = toy.w_a[1] - 5 * 0.5;
  spec.b1 = spec.b0 + 10 * 0.5;
  const Grid g1 = logistic_loss_grid(toy.task1, coordinate_plane(), spec);
  EXPECT_NEAR(g1.at(3, 5), bce_loss(toy.task1, toy.w_a), 1e-9);
  EXPECT_NEAR(g1.at(3, 5), 0.202, 5e-4);  // the article's Task1 at t = 0
  const Grid g2 = logistic_loss_grid(toy.task2, coordinate_plane(), spec);
  EXPECT_NEAR(g2.at(3, 5), 1.472, 5e-4);  // the article's Task2 at t = 0
  const Grid c = add(g1, g2);
  EXPECT_NEAR(c.at(3, 5), 1.674, 1e-3);
  // Every other point too, against the direct formula.
  for (int j = 0; j < spec.nb; j += 3)
    for (int i = 0; i < spec.na; i += 2)
      EXPECT_NEAR(g1.at(i, j), bce_loss(toy.task1, Eigen::Vector2d(spec.a_at(i), spec.b_at(j))), 1e-9);
}

TEST_F(ArticleLandscape, LerpMidpointLossesAreTheArticleNumbers) {
  const Eigen::VectorXd mid = path_point(toy.w_a, toy.w_b, PathKind::Lerp, 0.5);
  EXPECT_NEAR(bce_loss(toy.task1, mid), 0.504, 5e-4);
  EXPECT_NEAR(bce_loss(toy.task2, mid), 0.497, 5e-4);
}

TEST_F(ArticleLandscape, GridOnATaskVectorSliceMatchesDirectLoss) {
  const LabToy lab = train_lab_toy(LabSetup{});
  const Plane pl = task_vector_plane(lab.pretrained, lab.task_vectors[0], lab.task_vectors[1]);
  GridSpec spec{-0.5, 1.5, -0.5, 1.5, 5, 5};
  const Grid g = logistic_loss_grid(lab.tasks[0], pl, spec);
  // (a, b) = (1, -0.5) is grid point (3, 0): the specialist of task 0 minus half of task vector 1.
  EXPECT_NEAR(g.at(3, 0), bce_loss(lab.tasks[0], lab.finetuned[0] - 0.5 * lab.task_vectors[1]), 1e-9);
  EXPECT_NEAR(g.at(1, 1), bce_loss(lab.tasks[0], lab.pretrained), 1e-9);
}

TEST(Landscape, FitSquareBoxSnapsOutward) {
  const auto box = fit_square_box({Eigen::Vector2d(0.2, -0.1), Eigen::Vector2d(3.25, 3.2)}, 0.5, 0.5);
  EXPECT_DOUBLE_EQ(box[1] - box[0], box[3] - box[2]);  // square
  EXPECT_LE(box[0], 0.2 - 0.5);
  EXPECT_GE(box[1], 3.25 + 0.5);
  EXPECT_LE(box[2], -0.1 - 0.5);
  EXPECT_GE(box[3], 3.2 + 0.5);
  EXPECT_DOUBLE_EQ(box[0] / 0.5, std::round(box[0] / 0.5));
}

}  // namespace
}  // namespace mergelab::toy
