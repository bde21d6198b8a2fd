// TIES anatomy: the article's 200-parameter demo (03_ties.py output) and a hand-derived case.
#include "core/toy/ties_anatomy.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/toy/article.h"
#include "core/toy/experiments.h"

namespace mergelab::toy {
namespace {

TEST(TiesAnatomy, ArticleDemoNumbers) {
  const auto tvs = make_ties_demo_vectors(TiesDemoSetup{});
  const TiesAnatomy a = ties_anatomy(tvs);
  // 03_ties.py: 158/200 conflicts, 85.5% / 61.5% agreement, 57% of params zeroed.
  EXPECT_EQ(a.conflicts, 158);
  EXPECT_DOUBLE_EQ(a.average_agreement, 171.0 / 200.0);
  EXPECT_DOUBLE_EQ(a.ties_agreement, 123.0 / 200.0);
  EXPECT_GE(a.sparsity, 0.565);
  EXPECT_LT(a.sparsity, 0.575);
  // The same numbers as the `mergelab article` experiment.
  const TiesExperiment ex = run_ties_experiment();
  EXPECT_EQ(a.conflicts, ex.conflicts);
  EXPECT_EQ(a.average_agreement, ex.average_agreement);
  EXPECT_EQ(a.ties_agreement, ex.ties_agreement);
  EXPECT_EQ(a.sparsity, ex.ties_sparsity);
}

TEST(TiesAnatomy, MergedRowEqualsTiesMerge) {
  const auto tvs = make_ties_demo_vectors(TiesDemoSetup{});
  for (double k : {0.1, 0.2, 0.5, 1.0}) {
    const TiesAnatomy a = ties_anatomy(tvs, TiesAnatomyOptions{k});
    merge::TiesOptions o;
    o.k = k;
    const Eigen::VectorXd ref = merge::ties_merge<double>(merge::VecViews<double>(tvs.begin(), tvs.end()), {1, 1, 1}, o);
    EXPECT_EQ(a.merged, ref) << "k " << k;
    // Quantile trim keeps about k of each row: k * 200 entries (no ties among random magnitudes).
    for (Eigen::Index i = 0; i < 3; ++i)
      EXPECT_EQ((a.trimmed.row(i).array() != 0).count(), static_cast<Eigen::Index>(std::lround(k * 200)))
          << "k " << k;
  }
}

TEST(TiesAnatomy, HandDerivedThreeByFive) {
  // k = 0.6 of 5 entries: quantile(|tau|, 0.4) of 5 sorted magnitudes = the 2nd smallest + 0.6 * gap.
  std::vector<Eigen::VectorXd> tvs(3, Eigen::VectorXd(5));
  tvs[0] << 1.0, -2.0, 0.1, 3.0, -0.2;   // |.| sorted 0.1 0.2 1 2 3 -> q(0.4) = 0.2 + 0.6*0.8 = 0.68: keeps 1,-2,3
  tvs[1] << -1.5, -1.0, 0.3, -4.0, 0.05;  // 0.05 0.3 1 1.5 4 -> 0.3 + 0.6*0.7 = 0.72: keeps -1.5,-1,-4
  tvs[2] << 2.0, 0.5, -0.4, 1.0, 3.0;    // 0.4 0.5 1 2 3 -> 0.5 + 0.6*0.5 = 0.8: keeps 2,1,3
  TiesAnatomyOptions o;
  o.k = 0.6;
  const TiesAnatomy a = ties_anatomy(tvs, o);
  EXPECT_NEAR(a.thresholds[0], 0.68, 1e-12);
  EXPECT_NEAR(a.thresholds[1], 0.72, 1e-12);
  EXPECT_NEAR(a.thresholds[2], 0.8, 1e-12);
  Eigen::MatrixXd trimmed(3, 5);
  trimmed << 1.0, -2.0, 0, 3.0, 0,  //
      -1.5, -1.0, 0, -4.0, 0,       //
      2.0, 0, 0, 1.0, 3.0;
  EXPECT_EQ(a.trimmed, trimmed);
  // Votes (count): col0 +1-1+1 = + ; col1 -1-1 = - ; col2 none = 0 ; col3 +1-1+1 = + ; col4 + .
  Eigen::VectorXi elected(5);
  elected << 1, -1, 0, 1, 1;
  EXPECT_EQ(a.elected, elected);
  Eigen::VectorXd merged(5);
  merged << 1.5, -1.5, 0.0, 2.0, 3.0;  // mean of the agreeing entries
  EXPECT_EQ(a.merged, merged);
  EXPECT_EQ(a.kept, 9);
  EXPECT_EQ(a.outvoted, 2);  // -1.5 in col0, -4 in col3
  EXPECT_EQ(a.tied_votes, 1);
  EXPECT_EQ(a.contributes.sum(), 7);
  EXPECT_EQ(a.contributes(1, 0), 0);
  EXPECT_EQ(a.contributes(1, 1), 1);
  // Before trimming the signs disagree in every column (col1 is -, -, +).
  EXPECT_EQ(a.conflicts, 5);
  EXPECT_DOUBLE_EQ(a.sparsity, 0.2);
  // The sum rule elects by value: col3 is 3 - 4 + 1 = 0 -> tie -> 0.
  o.sign = merge::SignRule::Sum;
  const TiesAnatomy s = ties_anatomy(tvs, o);
  EXPECT_EQ(s.elected[3], 0);
  EXPECT_EQ(s.merged[3], 0.0);
  o.tie_elects_positive = true;
  EXPECT_EQ(ties_anatomy(tvs, o).elected[3], 1);
}

TEST(TiesAnatomy, RejectsBadInput) {
  EXPECT_THROW(ties_anatomy({}), std::invalid_argument);
  EXPECT_THROW(ties_anatomy({Eigen::VectorXd::Ones(3), Eigen::VectorXd::Ones(4)}), std::invalid_argument);
}

}  // namespace
}  // namespace mergelab::toy

// The Task Arithmetic panel's presets (coefficients per task vector, through merge::task_arithmetic)
// reproduce 02_task_arithmetic.py: addition 79.7 / 68.3 / 71.7 %, negation 94.3 / 58.0 %.
#include "core/merge/task_arithmetic.h"
#include "core/toy/lab.h"

namespace mergelab::toy {
namespace {

std::vector<double> coefficients_accuracy(double l0, double l1, double l2) {
  static const LabToy toy = train_lab_toy(LabSetup{});
  const merge::VecViews<double> tvs(toy.task_vectors.begin(), toy.task_vectors.end());
  return lab_scores(toy, merge::task_arithmetic<double>(toy.pretrained, tvs, {l0, l1, l2}));
}

TEST(TaskArithmeticPresets, AdditionAndNegationEqualTheArticle) {
  const auto add = coefficients_accuracy(0.7, 0.7, 0.0);
  EXPECT_DOUBLE_EQ(add[0], 239.0 / 300);  // 79.7%
  EXPECT_DOUBLE_EQ(add[1], 205.0 / 300);  // 68.3%
  EXPECT_DOUBLE_EQ(add[2], 215.0 / 300);  // 71.7%
  const auto neg = coefficients_accuracy(0.7, 0.2, 0.0);
  EXPECT_DOUBLE_EQ(neg[0], 283.0 / 300);  // 94.3%
  EXPECT_DOUBLE_EQ(neg[1], 174.0 / 300);  // 58.0%
  // The same as the article experiment, computed there as (theta_0 + 0.7 (tau_0 + tau_1)) - 0.5 tau_1.
  const TaskArithmeticExperiment ex = run_task_arithmetic_experiment();
  EXPECT_EQ(neg[0], ex.after_negation[0]);
  EXPECT_EQ(neg[1], ex.after_negation[1]);
  EXPECT_EQ(add, ex.merged);
}

}  // namespace
}  // namespace mergelab::toy
