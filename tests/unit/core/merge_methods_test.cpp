// Properties and hand-computed cases of each merge method.
#include <gtest/gtest.h>

#include <cmath>

#include "core/merge/dare.h"
#include "core/merge/linear.h"
#include "core/merge/slerp.h"
#include "core/merge/stats.h"
#include "core/merge/task_arithmetic.h"
#include "core/merge/ties.h"
#include "core/rng.h"
#include "golden.h"

using namespace mergelab::merge;
using mergelab::testing::golden;

namespace {
Eigen::VectorXd vec(std::initializer_list<double> v) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (double x : v) out[i++] = x;
  return out;
}
Eigen::VectorXd random_vector(uint32_t seed, int n) {
  mergelab::RandomState r(seed);
  Eigen::VectorXd v(n);
  for (int i = 0; i < n; ++i) v[i] = r.standard_normal();
  return v;
}
}  // namespace

TEST(Linear, LerpHitsItsEndpointsAndMidpoint) {
  const auto a = random_vector(1, 50), b = random_vector(2, 50);
  EXPECT_TRUE(lerp<double>(a, b, 0.0).isApprox(a));
  EXPECT_TRUE(lerp<double>(a, b, 1.0).isApprox(b));
  EXPECT_TRUE(lerp<double>(a, b, 0.5).isApprox((a + b) / 2));
}

TEST(Linear, SoupIsTheWeightedMean) {
  const auto a = vec({1, 2}), b = vec({3, 6});
  EXPECT_TRUE(linear_merge<double>({a, b}, {1, 3}, true).isApprox(vec({2.5, 5})));
  EXPECT_TRUE(linear_merge<double>({a, b}, {1, 3}, false).isApprox(vec({10, 20})));
  // Weights summing to ~0 are not divided by (mergekit's guard).
  EXPECT_TRUE(linear_merge<double>({a, b}, {1, -1}, true).isApprox(vec({-2, -4})));
  EXPECT_THROW(linear_merge<double>({a, b}, {1}, true), std::invalid_argument);
}

TEST(Slerp, KeepsTheNormOfEqualNormInputs) {
  auto a = random_vector(3, 100), b = random_vector(4, 100);
  b *= a.norm() / b.norm();
  for (double t : {0.0, 0.1, 0.37, 0.5, 0.9, 1.0}) {
    EXPECT_NEAR(slerp<double>(a, b, t).norm(), a.norm(), 1e-9) << t;
    EXPECT_NEAR(slerp<double>(a, b, t, SlerpRule::Mergekit).norm(), a.norm(), 1e-9) << t;
  }
  // LERP's midpoint is shorter by cos(omega / 2).
  const double omega = slerp_angle<double>(a, b);
  EXPECT_NEAR(lerp<double>(a, b, 0.5).norm(), a.norm() * std::cos(omega / 2), 1e-9);
}

TEST(Slerp, HandComputedQuarterTurn) {
  // e1 -> e2 at t = 1/3 is the unit vector at 30 degrees.
  const auto out = slerp<double>(vec({1, 0}), vec({0, 1}), 1.0 / 3.0);
  EXPECT_NEAR(out[0], std::cos(M_PI / 6), 1e-12);
  EXPECT_NEAR(out[1], std::sin(M_PI / 6), 1e-12);
}

TEST(Slerp, FallsBackToLerpWhenParallel) {
  // The article's rule: omega < 1e-6 -> LERP exactly.
  const Eigen::VectorXd big = 1000.0 * vec({1, 2, 3});
  EXPECT_LT(slerp_angle<double>(big, 2.0 * big), 1e-6);
  EXPECT_EQ(slerp<double>(big, 2.0 * big, 0.25), lerp<double>(big, 2.0 * big, 0.25));
  // Its +1e-10 in the normalisation makes omega ~ 1e-5 for small parallel vectors, so the
  // formula runs instead of the fallback; it then agrees with LERP to ~omega^2.
  const auto a = vec({1, 2, 3});
  const Eigen::VectorXd b = 2.0 * a;
  EXPECT_GT(slerp_angle<double>(a, b), 1e-6);
  EXPECT_TRUE(slerp<double>(a, b, 0.25).isApprox(lerp<double>(a, b, 0.25), 1e-9));
  // Mergekit's rule also falls back for anti-parallel vectors; the article's does not.
  const Eigen::VectorXd c = -a;
  EXPECT_TRUE(slerp<double>(a, c, 0.25, SlerpRule::Mergekit).isApprox(lerp<double>(a, c, 0.25)));
  // Nearly parallel (cos > 0.9995) -> LERP under mergekit's rule.
  const auto d = vec({1, 2, 3.01});
  EXPECT_TRUE(slerp<double>(a, d, 0.3, SlerpRule::Mergekit).isApprox(lerp<double>(a, d, 0.3)));
}

TEST(TaskArithmetic, IsLinearAndNegationUndoesAddition) {
  const auto base = random_vector(5, 40), t1 = random_vector(6, 40), t2 = random_vector(7, 40);
  const Eigen::VectorXd merged = task_arithmetic<double>(base, {t1, t2}, {0.7, 0.3});
  EXPECT_TRUE(merged.isApprox(base + 0.7 * t1 + 0.3 * t2));
  const Eigen::VectorXd removed = task_arithmetic<double>(merged, {t1}, {-0.7});
  EXPECT_TRUE(removed.isApprox(base + 0.3 * t2));
  EXPECT_TRUE(task_vector<double>(base + t1, base).isApprox(t1));
}

TEST(Ties, HandMadeConflictsUnderTheArticlesRule) {
  // Three task vectors, k = 1 (no trim) so only election and disjoint mean act.
  const auto a = vec({1.0, -1.0, 2.0, 0.5}), b = vec({3.0, -2.0, -2.0, -0.5}), c = vec({-1.0, 4.0, 0.0, 0.0});
  TiesOptions opt;
  opt.k = 1.0;
  const Eigen::VectorXd out = ties_merge<double>({a, b, c}, {1, 1, 1}, opt);
  // p0: signs + + - -> +, mean(1, 3) = 2. p1: - - + -> -, mean(-1, -2) = -1.5.
  // p2: + - 0 -> tie -> 0 (article). p3: + - 0 -> tie -> 0.
  EXPECT_TRUE(out.isApprox(vec({2.0, -1.5, 0.0, 0.0})));
  // mergekit: sum of values; a tie (sum 0) elects +.
  opt.sign = SignRule::Sum;
  opt.tie_elects_positive = true;
  const Eigen::VectorXd mk = ties_merge<double>({a, b, c}, {1, 1, 1}, opt);
  // p1: sum = 1 -> +, only c agrees: 4. p2: sum 0 -> +, a: 2. p3: sum 0 -> +, a: 0.5.
  EXPECT_TRUE(mk.isApprox(vec({2.0, 4.0, 2.0, 0.5})));
  // Weighted sum instead of mean (normalize off), weights (1, 2, 1): weighted deltas are a, 2b, c.
  opt.normalize = false;
  const Eigen::VectorXd ws = ties_merge<double>({a, b, c}, {1, 2, 1}, opt);
  // p0: 1 + 6 - 1 = 6 -> +: 1 + 6 = 7. p1: -1 - 4 + 4 = -1 -> -: -5. p2: 2 - 4 = -2 -> -: -4. p3: .5 - 1 -> -: -1.
  EXPECT_TRUE(ws.isApprox(vec({7.0, -5.0, -4.0, -1.0})));
}

TEST(Ties, MatchesTheArticlesTiesMergeOnItsDemo) {
  mergelab::RandomState r(42);
  std::vector<Eigen::VectorXd> tvs;
  for (int i = 0; i < 3; ++i) {
    Eigen::VectorXd v(200);
    for (int j = 0; j < 200; ++j) v[j] = r.standard_normal() * 0.3;
    tvs.push_back(v);
  }
  const Eigen::VectorXd out = ties_merge<double>(VecViews<double>(tvs.begin(), tvs.end()), {1, 1, 1}, TiesOptions{});
  const auto& expect = golden("numpy_merge_golden.txt", "ties_demo_merged");
  ASSERT_EQ(out.size(), static_cast<Eigen::Index>(expect.size()));
  for (Eigen::Index i = 0; i < out.size(); ++i) EXPECT_DOUBLE_EQ(out[i], expect[static_cast<size_t>(i)]) << i;
}

TEST(Dare, ReproducesTheArticlesDareDrop) {
  Eigen::VectorXd tv(30);
  for (int i = 0; i < 30; ++i) tv[i] = (i + 1) / 10.0;
  const std::vector<std::pair<uint32_t, double>> cases = {{0, 0.9}, {1, 0.5}, {2, 0.3}};
  for (auto [seed, p] : cases) {
    std::ostringstream name;
    name << "dare_seed" << seed << "_p" << p;
    const auto& expect = golden("numpy_merge_golden.txt", name.str());
    const Eigen::VectorXd out = dare_drop<double>(tv, p, seed);
    for (int i = 0; i < 30; ++i) EXPECT_DOUBLE_EQ(out[i], expect[static_cast<size_t>(i)]) << name.str() << " " << i;
  }
}

TEST(Dare, KeepsTheExpectationWithinABound) {
  // E[m * tau / (1 - p)] = tau. Over 100k entries of tau = 1 at p = 0.9 the mean of the kept
  // values is 1 within 4 standard errors: sd of one entry = sqrt(p / (1 - p)) = 3.
  const Eigen::VectorXd tau = Eigen::VectorXd::Ones(100000);
  const Eigen::VectorXd out = dare_drop<double>(tau, 0.9, 123);
  EXPECT_NEAR(out.mean(), 1.0, 4 * 3.0 / std::sqrt(100000.0));
  const double kept = static_cast<double>((out.array() != 0).count()) / 100000.0;
  EXPECT_NEAR(kept, 0.1, 4 * std::sqrt(0.09 / 100000.0));
}

TEST(Dare, L1RescaleMatchesTheOriginalNorm) {
  const auto tau = random_vector(9, 1000);
  const KeepMask mask = dare_mask(1000, 0.3, 5);
  const Eigen::VectorXd out = dare_apply<double>(tau, mask, 0.3, DareRescale::L1);
  EXPECT_NEAR(out.lpNorm<1>(), tau.lpNorm<1>(), 1e-9);
  const Eigen::VectorXd none = dare_apply<double>(tau, mask, 0.3, DareRescale::None);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(none[i], mask[i] ? tau[i] : 0.0);
}

TEST(Stats, SignConflictsAgreementSparsityCosine) {
  const auto a = vec({1, -1, 0, 2}), b = vec({2, 1, 0, 3}), c = vec({1, -3, 1, 1});
  // p0: all +; p1: - + -: conflict; p2: 0 0 +: conflict (0 is a sign of its own); p3: all +.
  EXPECT_EQ(sign_conflicts<double>({a, b, c}), 2);
  const Eigen::VectorXi dom = dominant_sign<double>({a, b, c});
  EXPECT_EQ(dom, (Eigen::VectorXi(4) << 1, -1, 1, 1).finished());
  EXPECT_DOUBLE_EQ(sign_agreement<double>(vec({1, 1, 1, 1}), {a, b, c}), 0.75);
  EXPECT_DOUBLE_EQ(sign_agreement<double>(vec({1, -1, 0, 1}), {a, b, c}, 1e-10), 1.0);
  EXPECT_DOUBLE_EQ(sparsity<double>(vec({0, 1, 0, 0})), 0.75);
  EXPECT_NEAR(cosine<double>(vec({1, 0}), vec({1, 1})), 1 / std::sqrt(2.0), 1e-12);
  EXPECT_DOUBLE_EQ(l2_norm<double>(vec({3, 4})), 5.0);
}
