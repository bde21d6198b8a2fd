#include "core/merge/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/toy/lab.h"

using namespace mergelab::merge;

TEST(Registry, EveryMethodIsCompleteAndConsistent) {
  ASSERT_GE(method_registry().size(), 6u);
  for (const auto& m : method_registry()) {
    SCOPED_TRACE(m.name);
    EXPECT_FALSE(m.label.empty());
    EXPECT_FALSE(m.formula.empty());
    EXPECT_TRUE(m.run_f && m.run_d);
    EXPECT_EQ(find_method(m.name), &m);
    for (const auto& p : m.params) {
      EXPECT_FALSE(p.help.empty()) << p.name;
      EXPECT_LE(p.min_value, p.default_value) << p.name;
      EXPECT_GE(p.max_value, p.default_value) << p.name;
    }
    for (const auto& [preset, values] : m.presets)
      for (const auto& [name, v] : values) EXPECT_NE(m.param(name), nullptr) << preset << "." << name;
  }
  EXPECT_EQ(find_method("nope"), nullptr);
}

TEST(Registry, FloatAndDoubleRunTheSameMethod) {
  const MethodSpec* ties = find_method("ties");
  ASSERT_NE(ties, nullptr);
  Eigen::VectorXd base(5), m1(5), m2(5);
  base << 0, 0, 0, 0, 0;
  m1 << 1, -2, 3, -4, 5;
  m2 << -1, 2, 3, 4, -5;
  Params p = make_params(*ties, "mergekit");
  p.set("density", 0.6);
  MergeInputs<double> in{base.data(), {m1.data(), m2.data()}, 5, {}};
  const Eigen::VectorXd d = run_merge(*ties, in, p);
  const Eigen::VectorXf bf = base.cast<float>(), f1 = m1.cast<float>(), f2 = m2.cast<float>();
  MergeInputs<float> inf{bf.data(), {f1.data(), f2.data()}, 5, {}};
  const Eigen::VectorXf f = run_merge(*ties, inf, p);
  EXPECT_TRUE(f.cast<double>().isApprox(d, 1e-6));
  // TopK 60% of 5 = 3 entries per model: m1 keeps 3,-4,5; m2 keeps 3,4,-5.
  // Sums: p2 = 6 -> +, mean 3; p3 = 0 -> + (tie), m2's 4; p4 = 0 -> +, m1's 5. Others 0.
  Eigen::VectorXd expect(5);
  expect << 0, 0, 3, 4, 5;
  EXPECT_TRUE(d.isApprox(expect));
}

TEST(Registry, RejectsBadInputsWithClearMessages) {
  const MethodSpec* slerp = find_method("slerp");
  Eigen::VectorXd a(2), b(2), c(2);
  a << 1, 0;
  b << 0, 1;
  c << 1, 1;
  Params p = make_params(*slerp);
  MergeInputs<double> three{nullptr, {a.data(), b.data(), c.data()}, 2, {}};
  try {
    run_merge(*slerp, three, p);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "slerp: takes 2 models, got 3");
  }
  MergeInputs<double> two{nullptr, {a.data(), b.data()}, 2, {}};
  // t outside [0, 1] extrapolates along the arc, as mergekit does: a, b orthonormal, angle pi/2, so
  // t = 1.5 gives sin(-pi/4) a + sin(3 pi/4) b = (-1/sqrt2, 1/sqrt2), still of norm 1.
  p.set("t", 1.5);
  const Eigen::VectorXd beyond = run_merge(*slerp, two, p);
  EXPECT_NEAR(beyond[0], -std::sqrt(0.5), 1e-12);
  EXPECT_NEAR(beyond[1], std::sqrt(0.5), 1e-12);
  p.set("t", std::numeric_limits<double>::quiet_NaN());
  EXPECT_THROW(run_merge(*slerp, two, p), std::invalid_argument);
  const MethodSpec* ta = find_method("task_arithmetic");
  Params q = make_params(*ta);
  EXPECT_THROW(run_merge(*ta, two, q), std::invalid_argument);  // needs a base
  q.set("bogus", 1);
  MergeInputs<double> with_base{a.data(), {b.data()}, 2, {}};
  EXPECT_THROW(run_merge(*ta, with_base, q), std::invalid_argument);
}

TEST(Lab, ControlsMapOntoTheRegistry) {
  const auto toy = mergelab::toy::train_lab_toy({});
  mergelab::toy::LabSettings s;
  // alpha = 0 leaves every task-vector method at the pretrained vector.
  s.alpha = 0.0;
  for (const std::string m : {"linear", "task_arithmetic", "ties", "dare_ties", "dare_linear"})
    EXPECT_TRUE(mergelab::toy::lab_merge(toy, m, s).isApprox(toy.pretrained)) << m;
  // Task arithmetic with alpha = 1 and one task is that specialist.
  s.alpha = 1.0;
  s.tasks = {2};
  EXPECT_TRUE(mergelab::toy::lab_merge(toy, "task_arithmetic", s).isApprox(toy.finetuned[2]));
  // SLERP at t = 0 is its first specialist.
  s.slerp_t = 0.0;
  s.slerp_a = 1;
  EXPECT_TRUE(mergelab::toy::lab_merge(toy, "slerp", s).isApprox(toy.finetuned[1]));
  EXPECT_THROW(mergelab::toy::lab_merge(toy, "nope", s), std::invalid_argument);
}

TEST(Registry, PresetValuesSplitGlobalAndPerModelParameters) {
  // TIES under the mergekit preset: density and weight per model, lambda/normalize global; a preset's
  // value wins over the spec's default (checked against the preset table itself).
  const MethodSpec* ties = find_method("ties");
  ASSERT_NE(ties, nullptr);
  const PresetValues v = preset_values(*ties, "mergekit", 3);
  ASSERT_EQ(v.per_model.size(), 3u);
  for (const auto& m : v.per_model) {
    EXPECT_EQ(m.count("weight"), 1u);
    EXPECT_EQ(m.count("density"), 1u);
    EXPECT_EQ(m.count("lambda"), 0u);
  }
  EXPECT_EQ(v.global.count("weight"), 0u);
  EXPECT_EQ(v.global.count("lambda"), 1u);
  EXPECT_EQ(v.global.count("normalize"), 1u);
  const auto& preset = ties->presets.at("mergekit");
  for (const auto& p : ties->params) {
    const double want = preset.count(p.name) ? preset.at(p.name) : p.default_value;
    const double got = p.per_model ? v.per_model[2].at(p.name) : v.global.at(p.name);
    EXPECT_EQ(got, want) << p.name;
  }
  // The article preset differs from mergekit's on the sign rule (count vs sum).
  const PresetValues a = preset_values(*ties, "article", 1);
  EXPECT_NE(a.global.at("sign_rule"), v.global.at("sign_rule"));
  // An unknown preset name gives the defaults.
  const PresetValues d = preset_values(*ties, "none", 0);
  EXPECT_TRUE(d.per_model.empty());
  EXPECT_EQ(d.global.at("lambda"), ties->param("lambda")->default_value);
  // By method name: the same values; an unknown method gives none.
  const PresetValues by_name = preset_values("ties", "mergekit", 3);
  EXPECT_EQ(by_name.global, v.global);
  EXPECT_EQ(by_name.per_model, v.per_model);
  const PresetValues unknown = preset_values("no_such_method", "mergekit", 3);
  EXPECT_TRUE(unknown.global.empty());
  EXPECT_TRUE(unknown.per_model.empty());
}
