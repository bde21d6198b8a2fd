// RandomState against numbers printed by Debian's python3-numpy
// (tests/data/numpy_rng_golden.py -> tests/data/numpy_rng_golden.txt).
#include "core/rng.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::map<std::string, std::vector<double>> load_goldens() {
  std::ifstream in(std::string(MERGELAB_TEST_DATA) + "/numpy_rng_golden.txt");
  std::map<std::string, std::vector<double>> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string name;
    ss >> name;
    double v;
    while (ss >> v) out[name].push_back(v);
  }
  return out;
}

const std::vector<double>& golden(const std::string& name) {
  static const auto table = load_goldens();
  auto it = table.find(name);
  if (it == table.end()) throw std::runtime_error("missing golden " + name);
  return it->second;
}

}  // namespace

TEST(RandomState, RandomSampleMatchesNumpy) {
  mergelab::RandomState r(42);
  for (double expect : golden("random_sample_seed42")) EXPECT_EQ(r.random_sample(), expect);
  r.seed(0);
  for (double expect : golden("random_sample_seed0")) EXPECT_EQ(r.random_sample(), expect);
}

TEST(RandomState, RandnUsesPolarMethodWithCachedSecondValue) {
  mergelab::RandomState r(42);
  for (double expect : golden("randn_seed42")) EXPECT_DOUBLE_EQ(r.standard_normal(), expect);
  r.seed(7);
  for (double expect : golden("randn_seed7_4x1_times0.3")) EXPECT_DOUBLE_EQ(r.standard_normal() * 0.3, expect);
}

TEST(RandomState, CachedGaussianIsKeptAcrossOtherDraws) {
  // randn(3) leaves one Gaussian cached; numpy's random_sample does not touch it.
  const auto& g = golden("randn3_then_sample2_seed123");
  mergelab::RandomState r(123);
  for (int i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(r.standard_normal(), g[i]);
  EXPECT_EQ(r.random_sample(), g[3]);
  EXPECT_EQ(r.random_sample(), g[4]);
}

TEST(RandomState, SeedIsTheFull32BitRange) {
  mergelab::RandomState r(4294967295u);
  for (double expect : golden("randn_seed_max")) EXPECT_DOUBLE_EQ(r.standard_normal(), expect);
}

TEST(RandomState, SeedingResetsTheCachedGaussian) {
  mergelab::RandomState r(42);
  r.standard_normal();  // leaves a cached value
  r.seed(42);
  EXPECT_DOUBLE_EQ(r.standard_normal(), golden("randn_seed42")[0]);
}

TEST(RandomState, BernoulliMasksMatchNumpyLegacyBinomial) {
  const std::vector<std::pair<int, double>> cases = {{0, 0.1}, {1, 0.1}, {2, 0.5}, {3, 0.9}, {5, 0.99}, {6, 0.01}};
  for (auto [seed, p] : cases) {
    std::ostringstream name;
    name << "binomial1_seed" << seed << "_p" << p;
    mergelab::RandomState r(static_cast<uint32_t>(seed));
    for (double expect : golden(name.str())) EXPECT_EQ(static_cast<double>(r.binomial(1, p)), expect) << name.str();
  }
}

TEST(RandomState, SmallBinomialsUseInversion) {
  mergelab::RandomState r(9);
  for (double expect : golden("binomial5_seed9_p0.3")) EXPECT_EQ(static_cast<double>(r.binomial(5, 0.3)), expect);
  r.seed(10);
  for (double expect : golden("binomial7_seed10_p0.8")) EXPECT_EQ(static_cast<double>(r.binomial(7, 0.8)), expect);
}

TEST(RandomState, BinomialAndGaussianShareTheStream) {
  const auto& g = golden("binomial_then_randn_seed11");
  mergelab::RandomState r(11);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(static_cast<double>(r.binomial(1, 0.3)), g[i]);
  for (int i = 5; i < 8; ++i) EXPECT_DOUBLE_EQ(r.standard_normal(), g[i]);
}

TEST(RandomState, BinomialRejectsBadProbabilities) {
  mergelab::RandomState r(0);
  EXPECT_THROW(r.binomial(1, -0.1), std::invalid_argument);
  EXPECT_THROW(r.binomial(1, 1.5), std::invalid_argument);
  EXPECT_EQ(r.binomial(1, 0.0), 0);
  EXPECT_EQ(r.binomial(1, 1.0), 1);
}
