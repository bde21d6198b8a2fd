// The methods added for mergekit parity, on hand-computed cases.
#include <gtest/gtest.h>

#include <cmath>

#include "core/merge/breadcrumbs.h"
#include "core/merge/della.h"
#include "core/merge/model_stock.h"
#include "core/merge/registry.h"
#include "core/merge/rescale.h"
#include "core/merge/trim.h"
#include "core/rng.h"

using namespace mergelab::merge;

namespace {
Eigen::VectorXf vec(std::initializer_list<float> v) {
  Eigen::VectorXf out(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (float x : v) out[i++] = x;
  return out;
}
}  // namespace

TEST(Breadcrumbs, KeepsTheMiddleOfTheMagnitudeRanking) {
  const Eigen::VectorXf tau = vec({1, -2, 3, -4, 5, -6, 7, -8, 9, -10});
  // n 10, keep int(0.5*10) = 5, n_top int(0.1*10) = 1, n_bot = 4: ranks [4, 9) = magnitudes 5..9.
  EXPECT_EQ(trim_outliers<float>(tau, 0.5, 0.1), vec({0, 0, 0, 0, 5, -6, 7, -8, 9, 0}));
  // n_top + keep > n: fewer outliers are removed so that `keep` survive (n_top 6 -> 5, n_bot 0).
  EXPECT_EQ(trim_outliers<float>(tau, 0.5, 0.6), vec({1, -2, 3, -4, 5, 0, 0, 0, 0, 0}));
  // density 1 leaves the vector untouched, outliers included (mergekit returns early).
  EXPECT_EQ(trim_outliers<float>(tau, 1.0, 0.3), tau);
}

TEST(Breadcrumbs, SmallTensorsFollowMergekitUnlessTheFixIsAskedFor) {
  const Eigen::VectorXf tau = vec({1, -2, 3, -4, 5, -6, 7, -8, 9, -10});
  // gamma 0.01 on 10 entries: int(0.1) = 0 outliers. mergekit's indices[n_bot:-0] is empty, dropping the whole
  // task vector (the default) ...
  EXPECT_EQ(trim_outliers<float>(tau, 0.5, 0.01), Eigen::VectorXf::Zero(10));
  EXPECT_TRUE(breadcrumbs_drops_tensor(10, 0.5, 0.01));
  EXPECT_FALSE(breadcrumbs_drops_tensor(100, 0.5, 0.01));
  EXPECT_FALSE(breadcrumbs_drops_tensor(10, 1.0, 0.01));
  // ... drop_small_tensors false keeps ranks [5, 10).
  EXPECT_EQ(trim_outliers<float>(tau, 0.5, 0.01, false), vec({0, 0, 0, 0, 0, -6, 7, -8, 9, -10}));
}

TEST(Breadcrumbs, EqualMagnitudesAreRankedByIndex) {
  // keep 2, n_top 1, n_bot 1: ranks 1 and 2 of four equal magnitudes are indices 1 and 2.
  EXPECT_EQ(trim_outliers<float>(vec({1, -1, 1, -1}), 0.5, 0.25), vec({0, -1, 1, 0}));
  const auto mask = rank_range_mask<float>(vec({2, 2, 1, 2, 3}), 1, 3);  // ascending: 1(i2) 2(i0) 2(i1) 2(i3) 3(i4)
  EXPECT_EQ(mask.cast<int>(), (Eigen::VectorXi(5) << 1, 1, 0, 0, 0).finished());
}

TEST(Della, KeepProbabilitiesRiseWithTheMagnitudeRankWithinEachRow) {
  // |tau| = 3, 1, 2: ranks 2, 0, 1 of 3 -> p = 0.4 + 0.2 * rank / 2.
  const Eigen::VectorXd p = della_keep_probabilities<float>(vec({3, -1, 2}), {}, 0.5, 0.1);
  EXPECT_NEAR(p[0], 0.6, 1e-12);
  EXPECT_NEAR(p[1], 0.4, 1e-12);
  EXPECT_NEAR(p[2], 0.5, 1e-12);
  // Shape [2, 3]: each row ranked on its own.
  const Eigen::VectorXd q = della_keep_probabilities<float>(vec({3, -1, 2, 0, 5, 4}), {2, 3}, 0.5, 0.1);
  EXPECT_NEAR(q[3], 0.4, 1e-12);
  EXPECT_NEAR(q[4], 0.6, 1e-12);
  EXPECT_NEAR(q[5], 0.5, 1e-12);
  // Shape [1, 2, 2]: rows run along dimension 1, i.e. elements {0, 2} and {1, 3}.
  const Eigen::VectorXd r = della_keep_probabilities<float>(vec({1, 5, 2, 4}), {1, 2, 2}, 0.5, 0.1);
  EXPECT_NEAR(r[0], 0.4, 1e-12);
  EXPECT_NEAR(r[2], 0.6, 1e-12);
  EXPECT_NEAR(r[1], 0.6, 1e-12);
  EXPECT_NEAR(r[3], 0.4, 1e-12);
}

TEST(Della, RescaleRulesAndLimits) {
  Eigen::VectorXf tau = Eigen::VectorXf::LinSpaced(20000, 0.5f, 1.5f);
  // L1 (mergekit): the norm is kept exactly.
  const Eigen::VectorXf l1 = della_magprune<float>(tau, {}, 0.4, 0.2, DareRescale::L1, 3);
  EXPECT_NEAR(l1.cwiseAbs().cast<double>().sum(), tau.cast<double>().sum(), 1e-3);
  // Inverse (the paper): survivors divided by their own p; the expectation is tau, so the sum is close.
  const Eigen::VectorXf inv = della_magprune<float>(tau, {}, 0.4, 0.2, DareRescale::InverseKeep, 3);
  EXPECT_NEAR(inv.cast<double>().sum() / tau.cast<double>().sum(), 1.0, 0.03);
  // Same seed, same mask; the kept fraction is close to density.
  const Eigen::VectorXf none = della_magprune<float>(tau, {}, 0.4, 0.2, DareRescale::None, 3);
  EXPECT_EQ((none.array() != 0).count(), (l1.array() != 0).count());
  EXPECT_NEAR(static_cast<double>((none.array() != 0).count()) / 20000.0, 0.4, 0.02);
  // Larger magnitudes survive more often: p runs from 0.2 to 0.6 along the ramp.
  EXPECT_GT((none.tail(5000).array() != 0).count(), 2 * (none.head(5000).array() != 0).count());
  EXPECT_EQ(della_magprune<float>(tau, {}, 1.0, 0.2, DareRescale::L1, 3), tau);
  EXPECT_THROW(della_magprune<float>(tau, {}, 0.1, 0.15, DareRescale::L1, 3), std::invalid_argument);
}

TEST(ModelStock, RatioFromTheAngleOfTheTaskVectors) {
  // Orthogonal task vectors: cos 0, t 0 -> the base.
  const Eigen::VectorXf base = vec({0, 0}), a = vec({1, 0}), b = vec({0, 1});
  EXPECT_EQ(model_stock<float>(base, {a, b}), base);
  // cos(45 deg) = 1/sqrt(2): t = 2c / (1 + c); average (1, 0.5).
  const double c = 1.0 / std::sqrt(2.0), t = 2 * c / (1 + c);
  const Eigen::VectorXf m = model_stock<float>(base, {vec({1, 1}), vec({1, 0})});
  EXPECT_NEAR(m[0], t * 1.0, 1e-6);
  EXPECT_NEAR(m[1], t * 0.5, 1e-6);
  // Row-wise (filter_wise): row 0 orthogonal (t 0), row 1 parallel (t 1: the average).
  const Eigen::VectorXf rows = model_stock<float>(vec({1, 1, 1, 1}), {vec({2, 1, 2, 2}), vec({1, 2, 3, 3})}, 2);
  EXPECT_NEAR(rows[0], 1.0, 1e-6);
  EXPECT_NEAR(rows[1], 1.0, 1e-6);
  EXPECT_NEAR(rows[2], 2.5, 1e-6);
  EXPECT_NEAR(rows[3], 2.5, 1e-6);
  EXPECT_NEAR(model_stock_ratio(1.0, 3), 1.0, 1e-12);
}

TEST(RegistryAdditions, MergekitDefaultsPerMethod) {
  for (const char* name : {"breadcrumbs", "breadcrumbs_ties", "della", "della_linear", "model_stock"}) {
    SCOPED_TRACE(name);
    const MethodSpec* m = find_method(name);
    ASSERT_NE(m, nullptr);
    EXPECT_TRUE(m->needs_base);
  }
  auto def = [](const char* method, const char* param) { return find_method(method)->param(param)->default_value; };
  EXPECT_EQ(def("ties", "normalize"), 1.0);
  EXPECT_EQ(def("dare_ties", "normalize"), 0.0);
  EXPECT_EQ(def("dare_ties", "rescale"), 2.0);
  EXPECT_EQ(def("ties", "rescale"), 0.0);
  EXPECT_EQ(def("breadcrumbs", "gamma"), 0.01);
  EXPECT_EQ(def("breadcrumbs_ties", "normalize"), 0.0);
  EXPECT_EQ(def("della", "normalize"), 1.0);
  EXPECT_EQ(def("della", "epsilon"), 0.15);
  EXPECT_EQ(def("della", "rescale"), 2.0);
  EXPECT_EQ(def("della_linear", "normalize"), 0.0);
  EXPECT_EQ(def("model_stock", "filter_wise"), 0.0);
  EXPECT_EQ(def("breadcrumbs", "drop_small_tensors"), 1.0);  // mergekit's result by default
  EXPECT_EQ(def("breadcrumbs_ties", "drop_small_tensors"), 1.0);
  EXPECT_TRUE(find_method("della")->random);
}

TEST(RegistryAdditions, BreadcrumbsTiesThroughTheRegistry) {
  // Two models on a zero base, density 0.5, gamma 0.25 on 4 entries: keep 2, drop the top 1 and bottom 1.
  const Eigen::VectorXf base = Eigen::VectorXf::Zero(4), m1 = vec({4, -1, 2, 3}), m2 = vec({-4, 1, -2, 3});
  const MethodSpec& spec = *find_method("breadcrumbs_ties");
  Params p = make_params(spec);
  p.set("density", 0.5);
  p.set("gamma", 0.25);
  MergeInputs<float> in{base.data(), {m1.data(), m2.data()}, 4, {}, {}};
  // m1 keeps ranks 1,2 of |.| = (1, 2, 3, 4): entries 2, 3 -> (0, 0, 2, 3); m2 likewise -> (0, 0, -2, 3).
  // Entry 2: sum 0 elects +, only m1 agrees -> 2. Entry 3: both +3 -> sum 6 (normalize off).
  EXPECT_EQ(run_merge(spec, in, p), vec({0, 0, 2, 6}));
  p.set("normalize", 1);
  EXPECT_EQ(run_merge(spec, in, p), vec({0, 0, 2, 3}));
}

TEST(CoreSpeedups, DareMasksAreNumpysBinomialDraws) {
  for (double keep : {0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0})
    for (uint32_t seed : {0u, 1u, 7u}) {
      const KeepMask mask = dare_mask(5000, keep, seed);
      mergelab::RandomState rng(seed);
      for (Eigen::Index i = 0; i < mask.size(); ++i)
        ASSERT_EQ(mask[i], rng.binomial(1, keep)) << "keep " << keep << " seed " << seed << " entry " << i;
    }
}

TEST(CoreSpeedups, TopKCutOffIsTheSameInFloatAndDouble) {
  // Integer-valued magnitudes: many ties at every cut-off; float (radix select) and double (nth_element)
  // must keep exactly the same entries, exactly int(k n) of them.
  mergelab::RandomState rng(5);
  Eigen::VectorXf tau(20000);
  for (auto& v : tau) v = static_cast<float>(static_cast<int>(rng.random_sample() * 50) - 25) + 0.5f;
  for (double k : {0.01, 0.2, 0.5, 0.77}) {
    const Eigen::VectorXf f = trim_by_magnitude<float>(tau, k, TrimRule::TopK);
    const Eigen::VectorXd d = trim_by_magnitude<double>(tau.cast<double>(), k, TrimRule::TopK);
    EXPECT_EQ(f.cast<double>(), d) << k;
    EXPECT_EQ((f.array() != 0).count(), static_cast<Eigen::Index>(k * 20000)) << k;
  }
}
