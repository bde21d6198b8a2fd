// karcher on hand-computed cases: the Riemannian mean on a circle is the mean angle (not the direction of the
// arithmetic mean), zero models take no part in the direction but count in the norm, and the degenerate ones.
#include "core/merge/karcher.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/merge/registry.h"
#include "core/recipe/mergekit_yaml.h"
#include "core/recipe/recipe.h"
#include "tests/unit/core/small_vectors.h"

using namespace mergelab::merge;
using mergelab::testing::dvec;

namespace {
const double kHalf = std::sqrt(0.5);

Eigen::VectorXd karcher(const std::vector<Eigen::VectorXd>& models, int max_iter = 10, double tol = 1e-5) {
  return karcher_mean<double>(VecViews<double>(models.begin(), models.end()), max_iter, tol);
}
}  // namespace

TEST(Karcher, MeanAngleOnACircle) {
  // Two orthonormal vectors: 45 degrees, norm 1.
  EXPECT_VEC_NEAR(karcher({dvec({1, 0}), dvec({0, 1})}), dvec({kHalf, kHalf}), 1e-12);
  // Angles 0, 0, 90 degrees: the Karcher mean is at 30 degrees (the arithmetic mean points at 26.57).
  EXPECT_VEC_NEAR(karcher({dvec({1, 0}), dvec({1, 0}), dvec({0, 1})}, 50, 1e-12),
                  dvec({std::cos(M_PI / 6), std::sin(M_PI / 6)}), 1e-9);
  // No iteration: the normalised arithmetic mean (2, 1)/sqrt5.
  EXPECT_VEC_NEAR(karcher({dvec({1, 0}), dvec({1, 0}), dvec({0, 1})}, 0), dvec({2, 1}) / std::sqrt(5.0), 1e-12);
  // Norms 2 and 4: the direction of the unit vectors, the mean norm 3.
  EXPECT_VEC_NEAR(karcher({dvec({2, 0}), dvec({0, 4})}), dvec({3 * kHalf, 3 * kHalf}), 1e-12);
}

TEST(Karcher, ZeroParallelAntiParallelAndSingle) {
  // A zero model has no direction but counts in the mean norm: (0 + 2 + 2)/3 along (1, 1)/sqrt2.
  EXPECT_VEC_NEAR(karcher({dvec({0, 0}), dvec({2, 0}), dvec({0, 2})}), dvec({4.0 / 3 * kHalf, 4.0 / 3 * kHalf}), 1e-12);
  EXPECT_VEC_NEAR(karcher({dvec({0, 0}), dvec({0, 0})}), dvec({0, 0}), 0);
  // Parallel: the common direction at the mean norm.
  EXPECT_VEC_NEAR(karcher({dvec({1, 2, 2}), dvec({2, 4, 4})}), dvec({1.5, 3, 3}), 1e-12);
  // Anti-parallel: the mean of the units is 0, so the start is the first model's direction; the second
  // model's tangent there is 0, so it stays: the first direction at the mean norm.
  EXPECT_VEC_NEAR(karcher({dvec({1, 2, 2}), dvec({-2, -4, -4})}), dvec({1.5, 3, 3}), 1e-12);
  EXPECT_VEC_NEAR(karcher({dvec({1, -2})}), dvec({1, -2}), 0);
}

TEST(Karcher, ABaseModelIsMergedAsOneMoreModel) {
  using namespace mergelab::recipe;
  const Recipe r = parse_mergekit_yaml("merge_method: karcher\nbase_model: b\nmodels: [x, y]\n", "k.yml", "/m",
                                       {.check_paths = false});
  const MergeLayout layout = merge_layout(r);
  EXPECT_TRUE(layout.base.empty());
  ASSERT_EQ(layout.models.size(), 3u);
  EXPECT_EQ(layout.models[0], "/m/b");
  EXPECT_EQ(layout.entry, (std::vector<int>{-1, 0, 1}));
  // Listed among the models already: merged once.
  const Recipe twice = parse_mergekit_yaml("merge_method: karcher\nbase_model: b\nmodels: [b, y]\n", "k.yml", "/m",
                                           {.check_paths = false});
  EXPECT_EQ(merge_layout(twice).models.size(), 2u);
  EXPECT_NE(to_mergekit_yaml(r).find("base_model: b"), std::string::npos);
}

TEST(Karcher, IterationLimitsAreChecked) {
  using namespace mergelab::recipe;
  auto error_of = [](const std::string& params) {
    try {
      parse_mergekit_yaml("merge_method: karcher\nmodels: [x, y]\nparameters: {" + params + "}\n", "k.yml", "/m",
                          {.check_paths = false});
    } catch (const RecipeError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error_of("max_iter: 20, tol: 1.0e-6"), "");
  EXPECT_EQ(error_of("max_iter: -1"), "k.yml:3: karcher: parameter max_iter is -1, outside [0, 10000]");
  EXPECT_EQ(error_of("max_iter: 2.5"), "k.yml:3: karcher: parameter max_iter must be a whole number");
  EXPECT_EQ(error_of("tol: -0.1"), "k.yml:3: karcher: parameter tol is -0.1, outside [0, 1]");
}
