#include "core/merge/trim.h"

#include <gtest/gtest.h>

#include "golden.h"

using namespace mergelab::merge;
using mergelab::testing::golden;

TEST(NumpyQuantile, MatchesNumpyLinearMethodBitForBit) {
  const double qs[] = {0.0, 0.1, 0.25, 0.5, 0.8, 0.9, 0.95, 1.0};
  for (int n : {1, 2, 5, 7, 200, 1001}) {
    const auto& input = golden("numpy_merge_golden.txt", "quantile_input_" + std::to_string(n));
    const auto& expect = golden("numpy_merge_golden.txt", "quantile_output_" + std::to_string(n));
    for (size_t i = 0; i < 8; ++i) EXPECT_EQ(numpy_quantile(input, qs[i]), expect[i]) << "n=" << n << " q=" << qs[i];
  }
}

TEST(NumpyQuantile, HandDerivedInterpolation) {
  // (n-1)*q = 3*0.5 = 1.5 -> halfway between the 2nd and 3rd smallest.
  EXPECT_DOUBLE_EQ(numpy_quantile({4.0, 1.0, 3.0, 2.0}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(numpy_quantile({4.0, 1.0, 3.0, 2.0}, 1.0), 4.0);
  EXPECT_THROW(numpy_quantile({}, 0.5), std::invalid_argument);
}

TEST(TrimQuantile, StrictLessKeepsTiesAtTheThreshold) {
  // |tau| = 1,2,2,2,3: quantile(0.6) = value at index 2.4 between 2 and 2 = 2; nothing at 2 is < 2.
  Eigen::VectorXd tau(5);
  tau << 1, -2, 2, -2, 3;
  const Eigen::VectorXd out = trim_by_magnitude<double>(tau, 0.4, TrimRule::Quantile);
  Eigen::VectorXd expect(5);
  expect << 0, -2, 2, -2, 3;
  EXPECT_EQ(out, expect);  // 4 of 5 survive although k = 0.4
}

TEST(TrimTopK, KeepsExactlyFloorKnWithLowerIndexWinningTies) {
  Eigen::VectorXf tau(6);
  tau << 0.5f, -2.f, 1.f, 1.f, -1.f, 3.f;
  // k = 0.5 -> floor(3) = 3 kept: 3, -2, then one of the three 1-magnitudes: index 2.
  const Eigen::VectorXf out = trim_by_magnitude<float>(tau, 0.5, TrimRule::TopK);
  Eigen::VectorXf expect(6);
  expect << 0.f, -2.f, 1.f, 0.f, 0.f, 3.f;
  EXPECT_EQ(out, expect);
  EXPECT_EQ(trim_by_magnitude<float>(tau, 1.0, TrimRule::TopK), tau);
  EXPECT_EQ(trim_by_magnitude<float>(tau, 0.1, TrimRule::TopK), Eigen::VectorXf::Zero(6));  // floor(0.6) = 0
}
