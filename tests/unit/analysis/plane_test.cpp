#include "core/analysis/plane.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/merge/registry.h"
#include "fixtures.h"

namespace mergelab::analysis {
namespace {

using testing::digits_models;
using testing::digits_scorer;

merge::Params task_arithmetic_params(double wi, double wj, double lambda) {
  merge::Params p = merge::make_params(*merge::find_method("task_arithmetic"), "mergekit");
  p.set_model(0, "weight", wi);
  p.set_model(1, "weight", wj);
  p.set("lambda", lambda);
  return p;
}

TEST(PlaneTest, CellIsTheRegistrysTaskArithmeticWithWeightsAAndB) {
  const FlatModels m = digits_models({"base", "ft_task0", "ft_task1"});
  const Eigen::VectorXf ti = m.vectors[1] - m.vectors[0], tj = m.vectors[2] - m.vectors[0];
  const auto* ta = merge::find_method("task_arithmetic");
  for (auto [a, b] : {std::pair{0.0, 0.0}, {1.0, 0.0}, {0.3, 0.7}, {-0.5, 1.5}, {1.1, -0.2}}) {
    const Eigen::VectorXf want =
        merge_flat(*ta, task_arithmetic_params(a, b, 1.0), m.layout, &m.vectors[0], {&m.vectors[1], &m.vectors[2]});
    EXPECT_EQ((plane_point(m.vectors[0], ti, tj, a, b) - want).cwiseAbs().maxCoeff(), 0.0f) << a << ", " << b;
  }
}

TEST(PlaneTest, GridAxesCellOrderAndScoresMatchTheScorer) {
  const FlatModels m = digits_models({"base", "ft_task0", "ft_task1"});
  const Scorer s = digits_scorer(m.layout);
  const PlaneResult r = task_plane(m.layout, m.vectors[0], m.vectors[1], m.vectors[2], s,
                                   {.a0 = -0.5, .a1 = 1.5, .b0 = 0.0, .b1 = 1.0, .grid = 5}, {.threads = 2});
  ASSERT_EQ(r.a_values, (std::vector<double>{-0.5, 0.0, 0.5, 1.0, 1.5}));
  ASSERT_EQ(r.b_values, (std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0}));
  ASSERT_EQ(r.cells.size(), 25u);
  EXPECT_FALSE(r.cancelled);
  // (a, b) = (0, 0) is the base, (1, 0) ft_task0, (0, 1) ft_task1: cells ia + 5 ib.
  EXPECT_EQ(r.at(1, 0).combined, s.score(m.vectors[0]).combined);
  // θ₀ + (θᵢ - θ₀) rounds to θᵢ within an ulp per element, so the models' scores agree to float precision.
  EXPECT_NEAR(r.at(3, 0).combined, s.score(m.vectors[1]).combined, 1e-6);
  EXPECT_NEAR(r.at(1, 4).combined, s.score(m.vectors[2]).combined, 1e-6);
  const Eigen::VectorXf ti = m.vectors[1] - m.vectors[0], tj = m.vectors[2] - m.vectors[0];
  const PointScore direct = s.score(plane_point(m.vectors[0], ti, tj, 1.5, 0.75));
  EXPECT_EQ(r.cells[3 * 5 + 4].metrics, direct.metrics);
}

TEST(PlaneTest, ProjectionOfTaskArithmeticReproducesLambdaTimesTheWeights) {
  const FlatModels m = digits_models({"base", "ft_task0", "ft_task1"});
  const Eigen::VectorXf ti = m.vectors[1] - m.vectors[0], tj = m.vectors[2] - m.vectors[0];
  const auto* ta = merge::find_method("task_arithmetic");
  for (auto [wi, wj, lambda] : {std::tuple{0.5, 0.5, 1.0}, {1.0, 1.0, 0.7}, {0.8, -0.3, 1.2}, {0.0, 1.0, 0.5}}) {
    const Eigen::VectorXf merged =
        merge_flat(*ta, task_arithmetic_params(wi, wj, lambda), m.layout, &m.vectors[0], {&m.vectors[1], &m.vectors[2]});
    const PlaneCoordinates c = project_onto_plane(m.vectors[0], ti, tj, merged);
    // Float precision: the merge is rounded to float once per element (relative 6e-8 of |θ₀|), so a and b are
    // exact to a few 1e-7 and the residual is a float rounding of the merge, far below |d|.
    EXPECT_NEAR(c.a, lambda * wi, 1e-5);
    EXPECT_NEAR(c.b, lambda * wj, 1e-5);
    EXPECT_LT(c.relative_distance, 1e-5);
    EXPECT_LT(c.distance, 1e-5);
  }
  // A point off the plane: the base plus a vector orthogonal to both task vectors, at distance 0.25.
  Eigen::VectorXd u = Eigen::VectorXd::LinSpaced(ti.size(), -1.0, 1.0);
  Eigen::MatrixXd T(ti.size(), 2);
  T.col(0) = ti.cast<double>();
  T.col(1) = tj.cast<double>();
  u -= T * (T.transpose() * T).ldlt().solve(T.transpose() * u);
  u *= 0.25 / u.norm();
  const Eigen::VectorXf off = (m.vectors[0].cast<double>() + 0.3 * T.col(0) + u).cast<float>();
  const PlaneCoordinates c = project_onto_plane(m.vectors[0], ti, tj, off);
  EXPECT_NEAR(c.a, 0.3, 1e-4);
  EXPECT_NEAR(c.b, 0.0, 1e-4);
  EXPECT_NEAR(c.distance, 0.25, 1e-4);
  EXPECT_THROW(project_onto_plane(m.vectors[0], ti, ti, off), std::invalid_argument);
}

TEST(PlaneTest, MarkersPlaceTheModelsAndEveryTwoModelMethod) {
  const FlatModels m = digits_models({"base", "ft_task0", "ft_task1"});
  const Scorer s = digits_scorer(m.layout);
  std::vector<MarkerMethod> methods;
  for (const auto& spec : merge::method_registry())
    methods.push_back({&spec, merge::make_params(spec, spec.presets.count("mergekit") ? "mergekit" : "")});
  const auto markers = plane_markers(m.layout, m.vectors[0], m.vectors[1], m.vectors[2], methods, s, {.threads = 2});
  ASSERT_GE(markers.size(), 3u + 8u);
  EXPECT_EQ(markers[0].name, "base");
  EXPECT_EQ(markers[1].coords.a, 1.0);
  EXPECT_EQ(markers[2].coords.b, 1.0);
  EXPECT_EQ(markers[1].score.combined, s.score(m.vectors[1]).combined);
  for (const auto& mk : markers) {
    EXPECT_TRUE(mk.evaluated) << mk.name;
    EXPECT_TRUE(std::isfinite(mk.coords.a) && std::isfinite(mk.coords.b)) << mk.name;
    if (mk.name == "task_arithmetic") {  // weights 1, lambda 1: (1, 1) on the plane
      EXPECT_NEAR(mk.coords.a, 1.0, 1e-5);
      EXPECT_NEAR(mk.coords.b, 1.0, 1e-5);
      EXPECT_LT(mk.coords.relative_distance, 1e-5);
    }
    if (mk.name == "linear") {  // the soup: (θ_i + θ_j) / 2 = θ₀ + (τ_i + τ_j) / 2
      EXPECT_NEAR(mk.coords.a, 0.5, 1e-5);
      EXPECT_NEAR(mk.coords.b, 0.5, 1e-5);
    }
    if (mk.name == "ties") {  // trimmed and sign-elected: off the plane
      EXPECT_GT(mk.coords.relative_distance, 1e-3);
    }
  }
}

TEST(PlaneTest, RejectsBadOptions) {
  const FlatModels m = digits_models({"base", "ft_task0", "ft_task1"});
  const Scorer s = digits_scorer(m.layout);
  EXPECT_THROW(task_plane(m.layout, m.vectors[0], m.vectors[1], m.vectors[2], s, {.grid = 1}), std::invalid_argument);
  EXPECT_THROW(task_plane(m.layout, m.vectors[0], m.vectors[1], m.vectors[2], s, {.a1 = NAN}), std::invalid_argument);
}

}  // namespace
}  // namespace mergelab::analysis
