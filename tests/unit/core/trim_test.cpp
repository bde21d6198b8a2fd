#include "core/merge/trim.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

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

namespace {
// The keep-th largest magnitude by sorting every magnitude's bits (NaN above +inf), and `above` as `>`.
TopKCut<float> brute_top_k(const std::vector<float>& x, Eigen::Index keep) {
  std::vector<uint32_t> bits;
  for (float v : x) {
    const float a = std::abs(v);
    uint32_t b;
    std::memcpy(&b, &a, sizeof b);
    bits.push_back(b);
  }
  std::sort(bits.begin(), bits.end(), std::greater<>());
  TopKCut<float> cut;
  std::memcpy(&cut.cutoff, &bits[static_cast<size_t>(keep - 1)], sizeof(float));
  for (float v : x) cut.above += std::abs(v) > cut.cutoff;
  return cut;
}

void expect_top_k(const std::vector<float>& x, double q, const std::string& what) {
  const auto n = static_cast<Eigen::Index>(x.size());
  const auto keep = static_cast<Eigen::Index>(q * static_cast<double>(n));
  const TopKCut<float> got = top_k_cut<float>(n, keep, [&](Eigen::Index j0, Eigen::Index m, float* out) {
    std::copy(x.begin() + j0, x.begin() + j0 + m, out);
  });
  const TopKCut<float> want = brute_top_k(x, keep);
  EXPECT_EQ(std::memcmp(&got.cutoff, &want.cutoff, sizeof(float)), 0) << what << " q=" << q << ": " << got.cutoff << " vs " << want.cutoff;
  EXPECT_EQ(got.above, want.above) << what << " q=" << q;
}
}  // namespace

// Large vectors go through a sampled guess of the cut-off's range and fall back to a full radix select
// when the guess misses; every route must give the exact answer.
TEST(TrimTopK, LargeVectorsMatchAFullSortOnEveryRoute) {
  const size_t n = 200003;
  std::mt19937 gen(7);
  std::normal_distribution<float> normal(0.f, 0.01f);
  std::vector<float> gaussian(n);
  for (auto& v : gaussian) v = normal(gen);
  // The guess's sample reads entries t * n / 8192: make those huge so the guessed range misses.
  std::vector<float> misleading = gaussian;
  for (Eigen::Index t = 0; t < 8192; ++t) misleading[static_cast<size_t>(t * static_cast<Eigen::Index>(n) / 8192)] = 1000.f + static_cast<float>(t);
  // Few distinct values: the range holds far more than a quarter of the entries.
  std::vector<float> few(n);
  for (size_t i = 0; i < n; ++i) few[i] = static_cast<float>(static_cast<int>(i % 3) - 1) * 0.5f;
  // NaNs and infinities among ordinary values.
  std::vector<float> special = gaussian;
  for (size_t i = 0; i < n; i += 997) special[i] = std::numeric_limits<float>::quiet_NaN();
  for (size_t i = 5; i < n; i += 1999) special[i] = -std::numeric_limits<float>::infinity();
  for (double q : {0.001, 0.2, 0.5, 0.9, 1.0}) {
    expect_top_k(gaussian, q, "gaussian");
    expect_top_k(misleading, q, "misleading sample");
    expect_top_k(few, q, "few values");
    expect_top_k(special, q, "nan/inf");
  }
}
