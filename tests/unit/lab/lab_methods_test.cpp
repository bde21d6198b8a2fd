// Every registry method in the Merge Lab on the article's toys: which run at the article's settings, and
// properties of the newer methods that follow from their definitions.
#include <gtest/gtest.h>

#include "core/merge/registry.h"
#include "core/toy/lab.h"

namespace mergelab::toy {
namespace {

const LabToy& article_toy() {
  static const LabToy toy = train_lab_toy(LabSetup{});
  return toy;
}

TEST(LabMethods, EveryMethodRunsAtTheArticleSettingsUnlessItTakesOneModel) {
  const LabSettings s;  // alpha 0.7, k 0.2, p 0.9, all three specialists, SLERP(0, 1) at 0.5
  const auto names = lab_all_methods();
  EXPECT_EQ(names.size(), merge::method_registry().size());
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 6), lab_methods());
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    if (name == "nearswap" || name == "arcee_fusion" || name == "passthrough") {
      try {
        evaluate_lab_method(article_toy(), name, s);
        FAIL() << "expected an error";
      } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()), name + ": takes 1 model, got 3");
      }
      continue;
    }
    const LabRow row = evaluate_lab_method(article_toy(), name, s);
    ASSERT_EQ(row.accuracy.size(), 3u);
    for (double a : row.accuracy) EXPECT_TRUE(a >= 0.0 && a <= 1.0);
    EXPECT_TRUE(row.weights.allFinite());
  }
}

TEST(LabMethods, NewerMethodsOnOneSpecialist) {
  const LabToy& toy = article_toy();
  LabSettings s;
  s.tasks = {1};
  const Eigen::VectorXd& theta0 = toy.pretrained;
  const Eigen::VectorXd& theta1 = toy.finetuned[1];
  // One model: multislerp and karcher return it; ram and sce add its whole task vector.
  EXPECT_TRUE(lab_merge(toy, "multislerp", s).isApprox(theta1, 1e-12));
  EXPECT_TRUE(lab_merge(toy, "karcher", s).isApprox(theta1, 1e-12));
  EXPECT_TRUE(lab_merge(toy, "ram", s).isApprox(theta1, 1e-12));
  EXPECT_TRUE(lab_merge(toy, "sce", s).isApprox(theta1, 1e-12));
  // nearswap (t = 0.001) moves each weight at most t toward the specialist, never past it.
  const Eigen::VectorXd near = lab_merge(toy, "nearswap", s);
  EXPECT_LE((near - theta0).cwiseAbs().maxCoeff(), 0.001 + 1e-15);
  EXPECT_LE((near - theta0).cwiseAbs().maxCoeff(), (theta1 - theta0).cwiseAbs().maxCoeff());
  // arcee_fusion takes each weight from the base or from the specialist.
  const Eigen::VectorXd fused = lab_merge(toy, "arcee_fusion", s);
  for (Eigen::Index j = 0; j < fused.size(); ++j) EXPECT_TRUE(fused[j] == theta0[j] || fused[j] == theta1[j]) << j;
}

TEST(LabMethods, NuslerpUsesTheSlerpPairsTaskVectors) {
  const LabToy& toy = article_toy();
  LabSettings s;
  s.slerp_a = 2;
  s.slerp_b = 0;
  s.slerp_t = 0.0;
  EXPECT_TRUE(lab_merge(toy, "nuslerp", s).isApprox(toy.finetuned[2], 1e-12));
  s.slerp_t = 1.0;
  EXPECT_TRUE(lab_merge(toy, "nuslerp", s).isApprox(toy.finetuned[0], 1e-12));
}

}  // namespace
}  // namespace mergelab::toy
