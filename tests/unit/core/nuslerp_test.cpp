// nuslerp on hand-computed cases: orthogonal, parallel and anti-parallel vectors, the three ways of cutting a
// tensor into vectors, a zero task vector, weights that cancel, and the model-count rule.
#include "core/merge/nuslerp.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/merge/registry.h"
#include "tests/unit/core/small_vectors.h"

using namespace mergelab::merge;
using mergelab::testing::dvec;

namespace {
const double kHalf = std::sqrt(0.5);

Eigen::VectorXd run(const std::vector<const Eigen::VectorXd*>& models, const Eigen::VectorXd* base, double w0, double w1,
                    std::vector<std::uint64_t> shape = {}, bool flatten = true, bool row_wise = false) {
  const MethodSpec& spec = *find_method("nuslerp");
  Params p = make_params(spec);
  p.set_model(0, "weight", w0);
  p.set_model(1, "weight", w1);
  p.set("nuslerp_flatten", flatten);
  p.set("nuslerp_row_wise", row_wise);
  MergeInputs<double> in;
  in.base = base ? base->data() : nullptr;
  for (const auto* m : models) in.models.push_back(m->data());
  in.size = models.front()->size();
  in.shape = std::move(shape);
  return run_merge(spec, in, p);
}
}  // namespace

TEST(Nuslerp, TFromTheWeights) {
  EXPECT_DOUBLE_EQ(nuslerp_t(1, 3), 0.75);
  EXPECT_DOUBLE_EQ(nuslerp_t(0.6, 0.4), 0.4);
  EXPECT_DOUBLE_EQ(nuslerp_t(1, -1), 0.5);      // |sum| < 1e-6: the midpoint
  EXPECT_DOUBLE_EQ(nuslerp_t(2, -1), -1.0);     // extrapolates, as mergekit does
}

TEST(Nuslerp, OrthogonalVectorsFollowTheArc) {
  const Eigen::VectorXd a = dvec({1, 0}), b = dvec({0, 1});
  // theta = pi/2, sin = 1: t = 0.5 -> (sin(pi/4), sin(pi/4)); weights 1:3 -> t 0.75 -> (sin(pi/8), sin(3pi/8)).
  EXPECT_VEC_NEAR(run({&a, &b}, nullptr, 1, 1), dvec({kHalf, kHalf}), 1e-12);
  EXPECT_VEC_NEAR(run({&a, &b}, nullptr, 1, 3), dvec({std::sin(M_PI / 8), std::sin(3 * M_PI / 8)}), 1e-12);
}

TEST(Nuslerp, ParallelAndAntiParallelVectorsInterpolateLinearly) {
  const Eigen::VectorXd a = dvec({1, 2, 2}), b = dvec({2, 4, 4}), c = dvec({-2, -4, -4});
  // cos = 1 (theta 0) and cos = -1 (sin(pi) ~ 1e-16 < 1e-8): (1 - t) a + t b.
  EXPECT_VEC_NEAR(run({&a, &b}, nullptr, 1, 1), dvec({1.5, 3, 3}), 1e-12);
  EXPECT_VEC_NEAR(run({&a, &c}, nullptr, 1, 1), dvec({-0.5, -1, -1}), 1e-12);
  EXPECT_VEC_NEAR(run({&a, &c}, nullptr, 3, 1), dvec({0.25, 0.5, 0.5}), 1e-12);
}

TEST(Nuslerp, WithABaseInterpolatesTheTaskVectors) {
  const Eigen::VectorXd base = dvec({1, 1}), a = dvec({2, 1}), b = dvec({1, 2});
  EXPECT_VEC_NEAR(run({&a, &b}, &base, 1, 1), dvec({1 + kHalf, 1 + kHalf}), 1e-12);
  // A zero task vector has no direction: its unit vector is 0, so cos 0 and theta = pi/2 -> base + sin(t pi/2) tau_1.
  EXPECT_VEC_NEAR(run({&base, &a}, &base, 1, 1), dvec({1 + kHalf, 1}), 1e-12);
}

TEST(Nuslerp, FlattenRowsOrColumns) {
  // [[1, 0], [1, 0]] and [[0, 1], [1, 0]].
  const Eigen::VectorXd a = dvec({1, 0, 1, 0}), b = dvec({0, 1, 1, 0});
  // Whole tensor: cos = 1 / (sqrt2 sqrt2) = 0.5, theta pi/3, both weights sin(pi/6)/sin(pi/3).
  const double w = 0.5 / std::sin(M_PI / 3);
  EXPECT_VEC_NEAR(run({&a, &b}, nullptr, 1, 1, {2, 2}), dvec({w, w, 2 * w, 0}), 1e-12);
  // Rows (last dimension): row 0 orthogonal, row 1 parallel (LERP).
  EXPECT_VEC_NEAR(run({&a, &b}, nullptr, 1, 1, {2, 2}, false), dvec({kHalf, kHalf, 1, 0}), 1e-12);
  // row_wise (first dimension, the columns): column 0 (1,1) vs (0,1) at 45 degrees, both weights
  // sin(pi/8)/sin(pi/4); column 1 (0,0) vs (1,0): a zero vector, theta pi/2.
  const double c = std::sin(M_PI / 8) / std::sin(M_PI / 4);
  EXPECT_VEC_NEAR(run({&a, &b}, nullptr, 1, 1, {2, 2}, false, true), dvec({c, kHalf, 2 * c, 0}), 1e-12);
  // flatten wins over row_wise; a 1-D tensor is one vector in every mode.
  EXPECT_VEC_NEAR(run({&a, &b}, nullptr, 1, 1, {2, 2}, true, true), dvec({w, w, 2 * w, 0}), 1e-12);
  EXPECT_VEC_NEAR(run({&a, &b}, nullptr, 1, 1, {4}, false, true), dvec({w, w, 2 * w, 0}), 1e-12);
}

TEST(Nuslerp, TakesExactlyTwoModels) {
  const MethodSpec& spec = *find_method("nuslerp");
  const Eigen::VectorXd a = dvec({1, 0});
  MergeInputs<double> one{nullptr, {a.data()}, 2, {}};
  try {
    run_merge(spec, one, make_params(spec));
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "nuslerp: takes 2 models, got 1");
  }
}
