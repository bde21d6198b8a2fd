// "When does DARE work?": the random-feature growth of the lab toys (core/toy/features.h).
#include "core/toy/features.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mergelab::toy {
namespace {

const LabToy& article_toy() {
  static const LabToy toy = train_lab_toy(LabSetup{});
  return toy;
}

TEST(Features, ProjectionIsOrthonormalAndSeeded) {
  for (int d : {5, 64, 1000}) {
    FeatureSetup fs;
    fs.d = d;
    const Eigen::MatrixXd R = make_feature_projection(fs);
    ASSERT_EQ(R.rows(), d);
    ASSERT_EQ(R.cols(), 4);
    EXPECT_TRUE((R.transpose() * R).isApprox(Eigen::MatrixXd::Identity(4, 4), 1e-12)) << "d " << d;
    EXPECT_EQ(R, make_feature_projection(fs)) << "same seed, same projection";
    fs.seed += 1;
    EXPECT_GT((R - make_feature_projection(fs)).norm(), 0.5) << "another seed, another projection";
  }
}

TEST(Features, FourFeaturesAreTheArticleToy) {
  FeatureSetup fs;
  fs.d = 4;
  EXPECT_EQ(make_feature_projection(fs), Eigen::MatrixXd::Identity(4, 4));
  const LabToy t = expand_lab_toy(article_toy(), LabSetup{}, fs);
  EXPECT_EQ(t.pretrained, article_toy().pretrained);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(t.finetuned[i], article_toy().finetuned[i]);
  // So the growth curve starts at the `mergelab lab` table: ties 70.9%, dare_ties 60.8% (correct rows of 900).
  const auto c = dare_growth_curves(article_toy(), LabSetup{}, LabSettings{}, {"ties", "dare_ties", "linear"}, {4}, 11, 1);
  EXPECT_NEAR(c.combined(0, 0), 638.0 / 900.0, 1e-12);
  EXPECT_NEAR(c.combined(1, 0), 547.0 / 900.0, 1e-12);
  EXPECT_NEAR(c.combined(2, 0), 686.0 / 900.0, 1e-12);
}

TEST(Features, ExpansionIsDeterministic) {
  FeatureSetup fs;
  fs.d = 32;
  const LabToy a = expand_lab_toy(article_toy(), LabSetup{}, fs);
  const LabToy b = expand_lab_toy(article_toy(), LabSetup{}, fs);
  EXPECT_EQ(a.pretrained, b.pretrained);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(a.finetuned[i], b.finetuned[i]);
  EXPECT_EQ(a.tasks[0].X.cols(), 32);
}

TEST(Features, LinearMethodsDoNotSeeTheGrowth) {
  // R^T R = I: gradient descent moves R^T w exactly as the 4-D weights, so every prediction of a
  // specialist, of task arithmetic and of the soup is the 4-D one up to rounding (a row may flip
  // when its logit is within rounding of 0: allow one row per task).
  FeatureSetup fs;
  fs.d = 256;
  const LabToy big = expand_lab_toy(article_toy(), LabSetup{}, fs);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_NEAR(accuracy(big.tasks[i], big.finetuned[i]), accuracy(article_toy().tasks[i], article_toy().finetuned[i]),
                1.0 / 300 + 1e-12);
  for (const char* m : {"task_arithmetic", "linear"}) {
    const LabRow small = evaluate_lab_method(article_toy(), m, LabSettings{});
    const LabRow grown = evaluate_lab_method(big, m, LabSettings{});
    for (size_t t = 0; t < 3; ++t) EXPECT_NEAR(grown.accuracy[t], small.accuracy[t], 1.0 / 300 + 1e-12) << m;
  }
}

TEST(Features, RedundancyMakesDareWork) {
  // DARE's premise: with 4 parameters, dropping 90% destroys the task vectors; spread over 2048
  // coordinates the same task vectors survive the drop and DARE approaches the undropped merge.
  const std::vector<std::string> methods = {"dare_linear", "dare_ties", "linear"};
  const auto c = dare_growth_curves(article_toy(), LabSetup{}, LabSettings{}, methods, {4, 2048}, 11, 3);
  ASSERT_EQ(c.computed, 2);
  EXPECT_GT(c.combined(0, 1), c.combined(0, 0) + 0.05) << "DARE at d = 2048 vs d = 4";
  EXPECT_GT(c.combined(1, 1), c.combined(1, 0)) << "DARE-TIES at d = 2048 vs d = 4";
  // At d = 2048 DARE is within 3 points of the undropped soup at the same alpha (article preset: mean).
  EXPECT_NEAR(c.combined(0, 1), c.combined(2, 1), 0.03);
}

TEST(Features, ProgressCanStopTheCurves) {
  int calls = 0;
  const auto c = dare_growth_curves(article_toy(), LabSetup{}, LabSettings{}, {"ties"}, {4, 8, 16}, 11, 1,
                                    [&](int done, int total) {
                                      ++calls;
                                      EXPECT_EQ(total, 3);
                                      return done < 2;
                                    });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(c.computed, 2);
  EXPECT_FALSE(std::isnan(c.combined(0, 1)));
  EXPECT_TRUE(std::isnan(c.combined(0, 2)));
}

TEST(Features, RejectsTooFewFeatures) {
  FeatureSetup fs;
  fs.d = 3;
  EXPECT_THROW(make_feature_projection(fs), std::invalid_argument);
  EXPECT_THROW(expand_lab_toy(article_toy(), LabSetup{}, fs), std::invalid_argument);
}

}  // namespace
}  // namespace mergelab::toy
