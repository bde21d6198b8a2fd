// Sweep maps of the Merge Lab against evaluate_lab cell by cell and against the article's numbers
// (tests/data/article_code_output.txt, 04_merge_lab.py: 300 test rows per task).
#include "core/toy/lab_sweep.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/rng.h"
#include "core/toy/datasets.h"

namespace mergelab::toy {
namespace {

const LabToy& article_toy() {
  static const LabToy toy = train_lab_toy(LabSetup{});
  return toy;
}

Eigen::Index index_of(const std::vector<double>& v, double x) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] == x) return static_cast<Eigen::Index>(i);
  return -1;
}

TEST(LabSweep, SweepValuesAreTheDecimalsTheyStandFor) {
  const auto a = default_sweep_alphas();
  ASSERT_EQ(a.size(), 41u);
  EXPECT_EQ(a.front(), 0.0);
  EXPECT_EQ(a.back(), 2.0);
  EXPECT_EQ(a[14], 0.7);  // exact: the article's alpha must be a column
  const auto k = default_sweep_values(SweepAxis::K);
  ASSERT_EQ(k.size(), 20u);
  EXPECT_EQ(k[3], 0.2);
  EXPECT_EQ(k.back(), 1.0);
  const auto p = default_sweep_values(SweepAxis::P);
  EXPECT_EQ(p[18], 0.9);
  EXPECT_EQ(p.front(), 0.0);
  EXPECT_EQ(sweep_values(0.3, 0.3, 1), std::vector<double>{0.3});
  EXPECT_TRUE(sweep_values(0, 1, 0).empty());
}

TEST(LabSweep, FastAccuracyEqualsAccuracyIncludingTinyLogits) {
  RandomState rng(5);
  Dataset d;
  d.X = Eigen::MatrixXd(200, 2);
  d.y = Eigen::VectorXd(200);
  for (int i = 0; i < 200; ++i) {
    d.X(i, 0) = rng.standard_normal();
    d.X(i, 1) = i % 3 == 0 ? 0.0 : rng.standard_normal() * std::pow(10.0, -(i % 20));  // logits down to 1e-19
    d.y[i] = i % 2;
  }
  for (int trial = 0; trial < 50; ++trial) {
    Eigen::VectorXd w(2);
    w << (trial % 5 == 0 ? 0.0 : rng.standard_normal()), rng.standard_normal();
    if (trial % 7 == 0) w[0] = 0.0;  // only the tiny column: logits in (0, 1e-14] do occur
    EXPECT_EQ(fast_accuracy(d, w), accuracy(d, w)) << "trial " << trial;
  }
}

TEST(LabSweep, EveryCellEqualsEvaluateLab) {
  const LabSettings base;
  struct Case {
    const char* method;
    SweepAxis axis;
  };
  for (const Case c : {Case{"ties", SweepAxis::K}, Case{"dare_ties", SweepAxis::P}, Case{"dare_linear", SweepAxis::P},
                       Case{"linear", SweepAxis::K}, Case{"task_arithmetic", SweepAxis::P}, Case{"slerp", SweepAxis::K}}) {
    const auto alphas = default_sweep_alphas();
    const auto values = default_sweep_values(c.axis);
    const SweepMap map = sweep_lab_map(article_toy(), c.method, base, c.axis, alphas, values);
    ASSERT_EQ(map.combined.rows(), static_cast<Eigen::Index>(values.size()));
    ASSERT_EQ(map.combined.cols(), static_cast<Eigen::Index>(alphas.size()));
    for (size_t r = 0; r < values.size(); ++r)
      for (size_t col = 0; col < alphas.size(); ++col) {
        LabSettings s = base;
        s.alpha = alphas[col];
        (c.axis == SweepAxis::K ? s.k : s.p) = values[r];
        EXPECT_EQ(map.combined(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(col)),
                  evaluate_lab_method(article_toy(), c.method, s).combined)
            << c.method << " alpha " << alphas[col] << " value " << values[r];
      }
  }
}

TEST(LabSweep, ArticleSettingCellsEqualTheArticleTable) {
  // 04_merge_lab.py at alpha 0.7, trim 0.8 (k 0.2), drop 0.9: correct rows out of 300 per task.
  const auto alphas = default_sweep_alphas();
  const SweepMap ties = sweep_lab_map(article_toy(), "ties", LabSettings{}, SweepAxis::K, alphas,
                                      default_sweep_values(SweepAxis::K));
  const Eigen::Index a07 = index_of(alphas, 0.7);
  const Eigen::Index k02 = index_of(ties.values, 0.2);
  ASSERT_GE(a07, 0);
  ASSERT_GE(k02, 0);
  EXPECT_NEAR(ties.combined(k02, a07), (206.0 + 227.0 + 205.0) / 900.0, 1e-12);  // 68.7 75.7 68.3 -> 70.9%

  const SweepMap dare = sweep_lab_map(article_toy(), "dare_ties", LabSettings{}, SweepAxis::P, alphas,
                                      default_sweep_values(SweepAxis::P));
  const Eigen::Index p09 = index_of(dare.values, 0.9);
  ASSERT_GE(p09, 0);
  EXPECT_NEAR(dare.combined(p09, a07), (202.0 + 137.0 + 208.0) / 900.0, 1e-12);  // 67.3 45.7 69.3 -> 60.8%

  // The lerp row does not depend on k: every row at alpha 0.7 is 75.7 68.7 84.3 -> 76.2%.
  const SweepMap lerp = sweep_lab_map(article_toy(), "linear", LabSettings{}, SweepAxis::K, alphas, ties.values);
  for (Eigen::Index r = 0; r < lerp.combined.rows(); ++r)
    EXPECT_NEAR(lerp.combined(r, a07), (227.0 + 206.0 + 253.0) / 900.0, 1e-12);
}

TEST(LabSweep, BestCellIsTheFirstMaximum) {
  const SweepMap m = sweep_lab_map(article_toy(), "ties", LabSettings{}, SweepAxis::K, sweep_values(0, 2, 9),
                                   sweep_values(0.1, 1.0, 10));
  const double best = m.combined.maxCoeff();
  EXPECT_EQ(m.combined(m.best_row, m.best_col), best);
  for (Eigen::Index r = 0; r < m.combined.rows(); ++r)
    for (Eigen::Index c = 0; c < m.combined.cols(); ++c)
      if (r < m.best_row || (r == m.best_row && c < m.best_col)) {
        EXPECT_LT(m.combined(r, c), best);
      }
  // At alpha 0 every method is the pretrained vector: the whole first column is equal.
  for (Eigen::Index r = 1; r < m.combined.rows(); ++r) EXPECT_EQ(m.combined(r, 0), m.combined(0, 0));
}

TEST(LabSweep, WhichMethodsUseWhichAxis) {
  EXPECT_TRUE(lab_method_uses("ties", SweepAxis::K));
  EXPECT_TRUE(lab_method_uses("dare_ties", SweepAxis::K));
  EXPECT_TRUE(lab_method_uses("dare_ties", SweepAxis::P));
  EXPECT_TRUE(lab_method_uses("dare_linear", SweepAxis::P));
  EXPECT_FALSE(lab_method_uses("ties", SweepAxis::P));
  EXPECT_FALSE(lab_method_uses("linear", SweepAxis::K));
  EXPECT_FALSE(lab_method_uses("task_arithmetic", SweepAxis::P));
  EXPECT_TRUE(lab_method_uses(default_sweep_method(SweepAxis::K), SweepAxis::K));
  EXPECT_TRUE(lab_method_uses(default_sweep_method(SweepAxis::P), SweepAxis::P));
}

TEST(LabSweep, RejectsBadInput) {
  EXPECT_THROW(sweep_lab_map(article_toy(), "nope", LabSettings{}, SweepAxis::K, {0.5}, {0.5}), std::invalid_argument);
  EXPECT_THROW(sweep_lab_map(article_toy(), "ties", LabSettings{}, SweepAxis::K, {}, {0.5}), std::invalid_argument);
  LabSettings none;
  none.tasks.clear();
  EXPECT_THROW(sweep_lab_map(article_toy(), "ties", none, SweepAxis::K, {0.5}, {0.5}), std::invalid_argument);
}

}  // namespace
}  // namespace mergelab::toy
