#include "core/analysis/directions.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/analysis/landscape.h"
#include "core/rng.h"
#include "fixtures.h"

namespace mergelab::analysis {
namespace {

using testing::digits_models;
using testing::digits_scorer;

double row_norm(const Eigen::VectorXf& v, std::size_t start, std::size_t cols) {
  return v.segment(static_cast<Eigen::Index>(start), static_cast<Eigen::Index>(cols)).cast<double>().norm();
}

TEST(DirectionsTest, EveryRowHasTheNormOfTheWeightRowItPerturbsAndOneDTensorsAreZero) {
  const FlatModels m = digits_models({"multitask"});
  const auto dirs = filter_normalized_directions(m.layout, m.vectors[0], 2, 7);
  ASSERT_EQ(dirs.size(), 2u);
  const auto off = offsets_of(m.layout);
  int rows_checked = 0;
  for (const auto& d : dirs) {
    for (std::size_t t = 0; t < m.layout.size(); ++t) {
      const auto& shape = m.layout[t].shape;
      const std::size_t size = off[t + 1] - off[t];
      if (shape.size() < 2) {  // fc1.bias, fc2.bias
        EXPECT_EQ(d.segment(static_cast<Eigen::Index>(off[t]), static_cast<Eigen::Index>(size)).cwiseAbs().maxCoeff(), 0.0f)
            << m.layout[t].name;
        continue;
      }
      const std::size_t cols = size / shape[0];
      for (std::size_t r = 0; r < shape[0]; ++r) {
        const double w = row_norm(m.vectors[0], off[t] + r * cols, cols);
        EXPECT_NEAR(row_norm(d, off[t] + r * cols, cols), w, 1e-6 * w + 1e-12) << m.layout[t].name << " row " << r;
        ++rows_checked;
      }
    }
  }
  EXPECT_EQ(rows_checked, 2 * (64 + 10));
  // The two directions differ (nearly orthogonal in 4096 + 640 dimensions).
  const double c = dirs[0].cast<double>().dot(dirs[1].cast<double>()) / (dirs[0].norm() * dirs[1].norm());
  EXPECT_LT(std::abs(c), 0.1);
}

TEST(DirectionsTest, SameSeedSameDirectionsAndTheFirstOfTwoIsTheOneDDirection) {
  const FlatModels m = digits_models({"multitask"});
  const auto a = filter_normalized_directions(m.layout, m.vectors[0], 2, 3);
  const auto b = filter_normalized_directions(m.layout, m.vectors[0], 2, 3);
  const auto one = filter_normalized_directions(m.layout, m.vectors[0], 1, 3);
  const auto other = filter_normalized_directions(m.layout, m.vectors[0], 1, 4);
  EXPECT_EQ(a[0], b[0]);
  EXPECT_EQ(a[1], b[1]);
  EXPECT_EQ(a[0], one[0]);
  EXPECT_NE(one[0], other[0]);
}

TEST(DirectionsTest, RowsAreTheNumpyNormalsRescaled) {
  // A 2 x 3 weight and a bias: the direction's rows are RandomState(5)'s first six normals, row by row, times
  // |w_r| / |g_r|; the bias draws nothing.
  const Layout layout{{"a.weight", {2, 3}}, {"a.bias", {2}}};
  Eigen::VectorXf w(8);
  w << 1, 2, 2, 0, 3, 4, 9, 9;  // row norms 3 and 5
  const auto d = filter_normalized_directions(layout, w, 1, 5)[0];
  RandomState rng(5);
  double g[6];
  for (double& x : g) x = static_cast<float>(rng.standard_normal());
  const double n0 = std::sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]), n1 = std::sqrt(g[3] * g[3] + g[4] * g[4] + g[5] * g[5]);
  for (int k = 0; k < 3; ++k) {
    EXPECT_NEAR(d[k], g[k] * 3.0 / n0, 1e-6);
    EXPECT_NEAR(d[3 + k], g[3 + k] * 5.0 / n1, 1e-6);
  }
  EXPECT_EQ(d[6], 0.0f);
  EXPECT_EQ(d[7], 0.0f);
}

TEST(LandscapeTest, CentreIsTheModelAndEveryPointIsThetaPlusTheDirections) {
  const FlatModels m = digits_models({"multitask"});
  const Scorer s = digits_scorer(m.layout);
  const LandscapeResult one = loss_landscape(m.layout, m.vectors[0], s, {.dims = 1, .range = 0.5, .points = 5, .seed = 2}, {.threads = 2});
  ASSERT_EQ(one.x_values, (std::vector<double>{-0.5, -0.25, 0.0, 0.25, 0.5}));
  EXPECT_EQ(one.at(2).combined, s.score(m.vectors[0]).combined);
  const Eigen::VectorXf p = (m.vectors[0].array() + 0.25f * one.directions[0].array()).matrix();
  EXPECT_EQ(one.at(3).metrics, s.score(p).metrics);
  // Leaving the minimum along a full row-norm step raises the loss.
  EXPECT_GT(one.at(0).combined, one.at(2).combined);
  EXPECT_GT(one.at(4).combined, one.at(2).combined);

  const LandscapeResult two = loss_landscape(m.layout, m.vectors[0], s, {.dims = 2, .range = 0.5, .points = 3, .seed = 2}, {.threads = 2});
  ASSERT_EQ(two.cells.size(), 9u);
  EXPECT_EQ(two.directions[0], one.directions[0]);
  EXPECT_EQ(two.at(1, 1).combined, s.score(m.vectors[0]).combined);
  const Eigen::VectorXf q =
      (m.vectors[0].array() + (0.5f * two.directions[0].array() + -0.5f * two.directions[1].array())).matrix();
  EXPECT_EQ(two.at(2, 0).metrics, s.score(q).metrics);
  EXPECT_THROW(loss_landscape(m.layout, m.vectors[0], s, {.dims = 3}), std::invalid_argument);
  EXPECT_THROW(loss_landscape(m.layout, m.vectors[0], s, {.range = 0}), std::invalid_argument);
}

}  // namespace
}  // namespace mergelab::analysis
