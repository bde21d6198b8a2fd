// multislerp on hand-computed cases. For unit vectors the weighted tangent sum at the normalised weighted mean
// vanishes (sum_i w_i (u_i - (u_i.m^) m^) = m - |m| m^ = 0), so the result is the weighted mean direction
// times the weighted mean norm; these cases check exactly that, and the degenerate ones.
#include "core/merge/multislerp.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/merge/registry.h"
#include "tests/unit/core/small_vectors.h"

using namespace mergelab::merge;
using mergelab::testing::dvec;

namespace {
const double kHalf = std::sqrt(0.5);

Eigen::VectorXd run(const std::vector<const Eigen::VectorXd*>& models, const Eigen::VectorXd* base,
                    const std::vector<double>& weights, bool normalize = true) {
  const MethodSpec& spec = *find_method("multislerp");
  Params p = make_params(spec);
  for (size_t i = 0; i < weights.size(); ++i) p.set_model(i, "weight", weights[i]);
  p.set("normalize_weights", normalize);
  MergeInputs<double> in;
  in.base = base ? base->data() : nullptr;
  for (const auto* m : models) in.models.push_back(m->data());
  in.size = models.front()->size();
  return run_merge(spec, in, p);
}
}  // namespace

TEST(Multislerp, WeightedMeanDirectionTimesWeightedMeanNorm) {
  const Eigen::VectorXd a = dvec({1, 0}), b = dvec({0, 1});
  EXPECT_VEC_NEAR(run({&a, &b}, nullptr, {1, 1}), dvec({kHalf, kHalf}), 1e-9);
  // Weights 3:1 -> direction (0.75, 0.25)/|.| = (3, 1)/sqrt(10).
  EXPECT_VEC_NEAR(run({&a, &b}, nullptr, {3, 1}), dvec({3 / std::sqrt(10.0), 1 / std::sqrt(10.0)}), 1e-9);
  // Norms 2 and 4: the mean norm 3 along (1, 1)/sqrt2 (eps = 1e-8 shortens the unit vectors by eps/|x|,
  // which tilts the direction by ~1e-9).
  const Eigen::VectorXd a2 = dvec({2, 0}), b4 = dvec({0, 4});
  EXPECT_VEC_NEAR(run({&a2, &b4}, nullptr, {1, 1}), dvec({3 * kHalf, 3 * kHalf}), 1e-8);
  // Without normalize_weights: weights 1, 1 scale the norm to 2.
  EXPECT_VEC_NEAR(run({&a, &b}, nullptr, {1, 1}, false), dvec({2 * kHalf, 2 * kHalf}), 1e-9);
  // Three models: directions (1,0,0), (0,1,0), (0,0,1) at weights 2:1:1.
  const Eigen::VectorXd x = dvec({1, 0, 0}), y = dvec({0, 1, 0}), z = dvec({0, 0, 1});
  EXPECT_VEC_NEAR(run({&x, &y, &z}, nullptr, {2, 1, 1}), dvec({2, 1, 1}) / std::sqrt(6.0), 1e-9);
}

TEST(Multislerp, WithABaseWorksOnTheTaskVectors) {
  const Eigen::VectorXd base = dvec({1, 1}), a = dvec({2, 1}), b = dvec({1, 2});
  EXPECT_VEC_NEAR(run({&a, &b}, &base, {1, 1}), dvec({1 + kHalf, 1 + kHalf}), 1e-9);
  // A zero task vector (unit vector 0, norm 0): the direction is the other's, the norm halved.
  EXPECT_VEC_NEAR(run({&base, &a}, &base, {1, 1}), dvec({1.5, 1}), 1e-7);
}

TEST(Multislerp, ParallelAntiParallelAndASingleModel) {
  const Eigen::VectorXd a = dvec({1, 2, 2}), b = dvec({2, 4, 4}), c = dvec({-1, -2, -2}), zero = dvec({0, 0, 0});
  // Parallel: the common direction at the mean norm (3 + 6)/2 = the LERP midpoint.
  EXPECT_VEC_NEAR(run({&a, &b}, nullptr, {1, 1}), dvec({1.5, 3, 3}), 1e-9);
  // Antipodal with cancelling weights: two models fall back to w_0 a + w_1 c = 0 ...
  EXPECT_VEC_NEAR(run({&a, &c}, nullptr, {1, 1}), dvec({0, 0, 0}), 1e-12);
  // ... three are refused.
  try {
    run({&a, &c, &zero}, nullptr, {1, 1, 1});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("multislerp: the weighted mean of the models' directions is zero"),
              std::string::npos);
  }
  // Antipodal with unequal weights: the heavier side wins, at the weighted mean norm 3 (0.75 - 0.25 = 0.5 apart).
  EXPECT_VEC_NEAR(run({&a, &c}, nullptr, {3, 1}), a, 1e-9);
  EXPECT_VEC_NEAR(run({&a}, nullptr, {0.3}), a, 0);
}

TEST(Multislerp, WeightsThatSumToZeroAreRefusedWhenNormalised) {
  const Eigen::VectorXd a = dvec({1, 0}), b = dvec({0, 1});
  EXPECT_THROW(run({&a, &b}, nullptr, {1, -1}), std::invalid_argument);
  EXPECT_NO_THROW(run({&a, &b}, nullptr, {1, -1}, false));
}
