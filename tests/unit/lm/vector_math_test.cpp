// The vectorised exp/max against std::exp in double: relative error bound, tails (n not a multiple of 16).
#include "core/lm/vector_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace mergelab::lm {
namespace {

TEST(VectorMath, ExpAndMaxMatchTheLibrary) {
  for (bool generic : {true, false}) {
    const bool old = detail::use_generic_vector_math(generic);
    std::mt19937 gen(5);
    std::uniform_real_distribution<float> u(-80.0f, 10.0f);
    for (int n : {1, 15, 16, 17, 100, 641}) {
      std::vector<float> x(n);
      for (auto& v : x) v = u(gen);
      float mx = x[0];
      for (float v : x) mx = std::max(mx, v);
      EXPECT_EQ(max_of(x.data(), n), mx);
      const float scale = 0.75f, shift = 2.5f;
      double expected = 0, expected_sum = 0;
      for (float v : x) {
        expected += std::exp(double(v) * scale - shift);
        expected_sum += std::exp(double(v) - shift);
      }
      EXPECT_NEAR(exp_sum(x.data(), n, shift), expected_sum, 1e-6 * expected_sum);
      std::vector<float> y = x;
      const double s = exp_in_place(y.data(), n, scale, shift);
      EXPECT_NEAR(s, expected, 1e-6 * expected);
      for (int j = 0; j < n; ++j) {
        // The argument scale·x - shift is itself rounded to f32 (half an ulp of |arg|, i.e. |arg|·2^-24 relative
        // in the result), then exp adds at most ~2e-7.
        const double arg = double(x[j]) * scale - shift;
        const double e = std::exp(arg);
        ASSERT_NEAR(y[j], e, e * (2e-7 + std::abs(arg) * 6e-8) + 1e-37) << "n " << n << " j " << j << " generic " << generic;
      }
    }
    detail::use_generic_vector_math(old);
  }
}

}  // namespace
}  // namespace mergelab::lm
