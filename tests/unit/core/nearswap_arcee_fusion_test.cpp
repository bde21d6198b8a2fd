// nearswap and arcee_fusion (one model beside the base each) on hand-computed cases.
#include <gtest/gtest.h>

#include <cmath>

#include "core/merge/arcee_fusion.h"
#include "core/merge/nearswap.h"
#include "core/merge/registry.h"
#include "tests/unit/core/small_vectors.h"

using namespace mergelab::merge;
using mergelab::testing::dvec;

TEST(Nearswap, CloseEntriesSwapFarOnesMoveByT) {
  const Eigen::VectorXd base = dvec({0, 0, 0, 1}), model = dvec({0.0005, -0.002, 0.01, 1});
  // t 0.001: |d| 0.0005 -> w 1 (the model's); 0.002 -> w 0.5; 0.01 -> w 0.1; equal entries -> the base's.
  EXPECT_VEC_NEAR(nearswap<double>(base, model, 0.001), dvec({0.0005, -0.001, 0.001, 1}), 1e-15);
  EXPECT_VEC_NEAR(nearswap<double>(base, model, 0.0), base, 0);
  EXPECT_VEC_NEAR(nearswap<double>(base, model, 1.0), model, 0);
}

TEST(Nearswap, ExactlyOneModelBesideTheBase) {
  const MethodSpec& spec = *find_method("nearswap");
  const Eigen::VectorXd base = dvec({0, 0}), a = dvec({1, 2});
  MergeInputs<double> two{base.data(), {a.data(), a.data()}, 2, {}};
  try {
    run_merge(spec, two, make_params(spec));
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "nearswap: takes 1 model, got 2");
  }
  Params p = make_params(spec);
  p.set("t", -0.5);
  MergeInputs<double> one{base.data(), {a.data()}, 2, {}};
  EXPECT_THROW(run_merge(spec, one, p), std::invalid_argument);
}

TEST(ArceeFusion, ThresholdIsMedianPlusOneAndAHalfIqr) {
  // n 10: median at int(0.5*9) = 4 -> 5, Q1 at int(0.25*9) = 2 -> 3, Q3 at int(0.75*9) = 6 -> 7: 5 + 1.5*4.
  EXPECT_DOUBLE_EQ(arcee_fusion_threshold(dvec({9, 1, 2, 3, 100, 4, 5, 6, 7, 8})), 11.0);
}

TEST(ArceeFusion, KeepsTheOutlierChanges) {
  // Two rows of 4 on a zero base. Row 0 changes one entry by 1, row 1 two entries by 0.1 and 0.2.
  const Eigen::VectorXd base = Eigen::VectorXd::Zero(8), model = dvec({1, 0, 0, 0, 0.1, 0.2, 0, 0});
  // KL(softmax(1,0,0,0) || uniform) = 0.117993; KL(softmax(0.1,0.2,0,0) || uniform) = 0.0035227.
  const Eigen::VectorXd imp = arcee_fusion_importance<double>(base, model, {2, 4});
  EXPECT_NEAR(imp[0], 0.1179928626, 1e-9);
  EXPECT_NEAR(imp[4], 0.1 * 0.0035227305, 1e-10);
  EXPECT_NEAR(imp[5], 0.2 * 0.0035227305, 1e-10);
  EXPECT_EQ(imp[1], 0.0);
  // Sorted: five zeros, 0.1 K1, 0.2 K1, K0: median (index 3) 0, Q1 (1) 0, Q3 (5) 0.1 K1 -> threshold 0.15 K1:
  // entries 0 and 5 keep the change, entry 4 (0.1) falls back to the base.
  EXPECT_VEC_NEAR(arcee_fusion<double>(base, model, {2, 4}), dvec({1, 0, 0, 0, 0, 0.2, 0, 0}), 0);
  // As one row (a 1-D tensor): the same KL for every entry; sorted 0,0,0,0,0, 0.1, 0.2, 1 times K -> kept 0.2 and 1.
  EXPECT_VEC_NEAR(arcee_fusion<double>(base, model, {}), dvec({1, 0, 0, 0, 0, 0.2, 0, 0}), 0);
  // A zero task vector: importance 0 everywhere, threshold 0, the base.
  EXPECT_VEC_NEAR(arcee_fusion<double>(base, base, {2, 4}), base, 0);
}
