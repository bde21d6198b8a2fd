// passthrough: one model times scale, on hand-computed values; the registry refuses anything but one model.
#include <gtest/gtest.h>

#include "core/merge/passthrough.h"
#include "core/merge/registry.h"

using namespace mergelab::merge;

TEST(Passthrough, ScalesTheOneModelAndKeepsItBitForBitAtScaleOne) {
  const MethodSpec* spec = find_method("passthrough");
  ASSERT_NE(spec, nullptr);
  EXPECT_FALSE(spec->needs_base);
  Eigen::VectorXf m(4);
  m << 1.5f, -2.0f, 0.1f, 3.0f;
  MergeInputs<float> in{nullptr, {m.data()}, 4, {}};
  Params p = make_params(*spec);
  EXPECT_EQ(run_merge(*spec, in, p), m);  // default scale 1
  p.set_model(0, "scale", 0.5);
  const Eigen::VectorXf half = run_merge(*spec, in, p);
  EXPECT_FLOAT_EQ(half[0], 0.75f);
  EXPECT_FLOAT_EQ(half[1], -1.0f);
  EXPECT_FLOAT_EQ(half[2], 0.05f);
  EXPECT_FLOAT_EQ(half[3], 1.5f);
}

TEST(Passthrough, RefusesTwoModels) {
  const MethodSpec* spec = find_method("passthrough");
  Eigen::VectorXf a = Eigen::VectorXf::Ones(3), b = Eigen::VectorXf::Zero(3);
  MergeInputs<float> in{nullptr, {a.data(), b.data()}, 3, {}};
  try {
    run_merge(*spec, in, make_params(*spec));
    FAIL() << "two models accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "passthrough: takes 1 model, got 2");
  }
}
