// Slider ranges vs hard limits: mergekit accepts any real weight or lambda, so a config with weight 3, lambda 5
// or negative weights must load and merge; fractions (density, gamma) and della's epsilon keep their limits.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/merge/param_specs.h"
#include "core/merge/registry.h"
#include "core/recipe/mergekit_yaml.h"
#include "core/recipe/recipe.h"

using namespace mergelab;
using namespace mergelab::recipe;

namespace {

Recipe parse(const std::string& text) { return parse_mergekit_yaml(text, "limits.yml", "/models", {.check_paths = false}); }

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const RecipeError& e) {
    return e.what();
  }
  return "";
}

/// Merges one tiny tensor per model with the recipe's parameters as the engine resolves them (t = 0, no filter).
Eigen::VectorXd merge_tiny(const Recipe& r, const Eigen::VectorXd* base, const std::vector<Eigen::VectorXd>& models) {
  const MergeLayout layout = merge_layout(r);
  const merge::Params p = resolve_params(r, layout, "w", 0.0, 0);
  merge::MergeInputs<double> in;
  in.base = base ? base->data() : nullptr;
  for (const auto& m : models) in.models.push_back(m.data());
  in.size = models.front().size();
  return merge::run_merge(method_of(r), in, p);
}

}  // namespace

TEST(ParamLimits, SliderRangesSitInsideTheHardLimits) {
  for (const auto& m : merge::method_registry())
    for (const auto& p : m.params) {
      SCOPED_TRACE(m.name + "." + p.name);
      EXPECT_LE(p.hard_min(), p.min_value);
      EXPECT_GE(p.hard_max(), p.max_value);
      EXPECT_TRUE(p.value_problem(p.default_value).empty()) << p.value_problem(p.default_value);
    }
  const merge::MethodSpec* ties = merge::find_method("ties");
  ASSERT_NE(ties, nullptr);
  // The slider stays where it was; only validation is unbounded.
  EXPECT_EQ(ties->param("weight")->min_value, -2.0);
  EXPECT_EQ(ties->param("weight")->max_value, 2.0);
  EXPECT_TRUE(std::isinf(ties->param("weight")->hard_min()));
  EXPECT_TRUE(std::isinf(ties->param("weight")->hard_max()));
  EXPECT_TRUE(std::isinf(ties->param("lambda")->hard_min()));
  EXPECT_TRUE(std::isinf(ties->param("lambda")->hard_max()));
  EXPECT_EQ(ties->param("density")->hard_min(), 0.0);
  EXPECT_EQ(ties->param("density")->hard_max(), 1.0);
  // slerp's t: slider [0, 1], any finite value accepted (mergekit extrapolates the arc).
  const merge::ParamSpec* t = merge::find_method("slerp")->param("t");
  EXPECT_EQ(t->max_value, 1.0);
  EXPECT_EQ(t->value_problem(1.5), "");
  EXPECT_EQ(t->value_problem(-0.5), "");
  // A parameter without explicit limits is limited to its slider range.
  const merge::ParamSpec plain{"x", "x", "", merge::ParamSpec::Kind::Real, 0.5, 0.0, 1.0, {}, false};
  EXPECT_FALSE(plain.limit_min.has_value());
  EXPECT_EQ(plain.value_problem(1.5), "is 1.5, outside [0, 1]");
}

TEST(ParamLimits, ValueProblemsNameTheValueAndTheLimits) {
  const merge::ParamSpec d = merge::params::trim_density(1.0);
  EXPECT_EQ(d.value_problem(1.5), "is 1.5, outside [0, 1]");
  EXPECT_EQ(d.value_problem(-0.1), "is -0.1, outside [0, 1]");
  EXPECT_EQ(d.value_problem(0.0), "");
  EXPECT_EQ(d.value_problem(1.0), "");
  EXPECT_EQ(d.value_problem(std::numeric_limits<double>::quiet_NaN()), "is not a finite number");
  const merge::ParamSpec w = merge::params::weight();
  EXPECT_EQ(w.value_problem(3.0), "");
  EXPECT_EQ(w.value_problem(-1e6), "");
  EXPECT_EQ(w.value_problem(std::numeric_limits<double>::infinity()), "is not a finite number");
  merge::ParamSpec half = merge::params::limited(merge::params::lambda(), 0.0, merge::ParamSpec::kUnbounded);
  EXPECT_EQ(half.value_problem(-2.0), "is -2, below the limit 0");
  EXPECT_EQ(merge::params::normalize(true).value_problem(2.0), "must be true or false");
}

TEST(ParamLimits, LinearWithWeightThreeAndANegativeWeightLoadsAndMerges) {
  const Recipe r = parse(R"(
merge_method: linear
models:
  - model: a
    parameters: {weight: 3}
  - model: b
    parameters: {weight: -1}
parameters: {normalize: false}
)");
  const Eigen::VectorXd a{{1.0, 2.0}}, b{{3.0, -1.0}};
  // 3 a - b = [3 - 3, 6 + 1]
  EXPECT_TRUE(merge_tiny(r, nullptr, {a, b}).isApprox(Eigen::VectorXd{{0.0, 7.0}}));
  Recipe normalized = r;
  normalized.params["normalize"] = ParamSetting::scalar(1.0);
  // mergekit's default: divided by the weight sum 3 - 1 = 2
  EXPECT_TRUE(merge_tiny(normalized, nullptr, {a, b}).isApprox(Eigen::VectorXd{{0.0, 3.5}}));
}

TEST(ParamLimits, TaskArithmeticWithLambdaFiveAndANegativeWeight) {
  const Recipe r = parse(R"(
merge_method: task_arithmetic
base_model: base
models:
  - model: m1
    parameters: {weight: 1}
  - model: m2
    parameters: {weight: -0.5}
parameters: {lambda: 5}
)");
  const Eigen::VectorXd base{{1.0, 1.0}}, m1{{2.0, 0.0}}, m2{{3.0, 3.0}};
  // tau1 = [1, -1], tau2 = [2, 2]; 1 tau1 - 0.5 tau2 = [0, -2]; base + 5 [0, -2] = [1, -9]
  EXPECT_TRUE(merge_tiny(r, &base, {m1, m2}).isApprox(Eigen::VectorXd{{1.0, -9.0}}));
}

TEST(ParamLimits, TiesAcceptsWeightThreeAndLambdaFive) {
  const Recipe r = parse(R"(
merge_method: ties
base_model: base
models:
  - model: m1
    parameters: {weight: 3, density: 1}
  - model: m2
    parameters: {weight: 3, density: 1}
parameters: {lambda: 5, normalize: true}
)");
  const Eigen::VectorXd base{{0.0, 0.0}}, m1{{1.0, -2.0}}, m2{{3.0, 4.0}};
  // density 1: nothing trimmed. Entry 0: both +, disjoint mean (3*1 + 3*3) / 6 = 2, x5 = 10.
  // Entry 1: signed sum 3*(-2) + 3*4 = 6 > 0 elects +, only m2 agrees: 3*4 / 3 = 4, x5 = 20.
  EXPECT_TRUE(merge_tiny(r, &base, {m1, m2}).isApprox(Eigen::VectorXd{{10.0, 20.0}}));
}

TEST(ParamLimits, FractionsOutsideTheirLimitsAreRefusedWithOneLine) {
  EXPECT_EQ(error_of("merge_method: ties\nbase_model: base\nmodels:\n  - model: a\n    parameters: {density: 1.5}\n"),
            "limits.yml:5: ties: parameter density of model 'a' is 1.5, outside [0, 1]");
  EXPECT_EQ(error_of("merge_method: ties\nbase_model: base\nmodels: [a]\nparameters: {density: -0.1}\n"),
            "limits.yml:4: ties: parameter density is -0.1, outside [0, 1]");
  EXPECT_EQ(error_of("merge_method: dare_linear\nbase_model: base\nmodels: [a]\nparameters: {density: [0.5, 1.2]}\n"),
            "limits.yml:4: dare_linear: parameter density is 1.2, outside [0, 1]");
  EXPECT_EQ(error_of("merge_method: breadcrumbs\nbase_model: base\nmodels: [a]\nparameters: {gamma: 1.2}\n"),
            "limits.yml:4: breadcrumbs: parameter gamma is 1.2, outside [0, 1]");
  EXPECT_EQ(error_of("merge_method: breadcrumbs\nbase_model: base\nmodels: [a]\nparameters: {gamma: -0.01}\n"),
            "limits.yml:4: breadcrumbs: parameter gamma is -0.01, outside [0, 1]");
  EXPECT_EQ(error_of("merge_method: della\nbase_model: base\nmodels: [a]\nparameters: {density: 0.5, epsilon: 0.6}\n"),
            "limits.yml:4: della: parameter epsilon is 0.6, outside [0, 0.5]");
  EXPECT_EQ(error_of("merge_method: della\nbase_model: base\nmodels: [a]\nparameters: {epsilon: -0.1}\n"),
            "limits.yml:4: della: parameter epsilon is -0.1, outside [0, 0.5]");
  EXPECT_EQ(error_of("merge_method: ties\nbase_model: base\nmodels: [a]\nparameters: {normalize: 2}\n"),
            "limits.yml:4: ties: parameter normalize must be true or false");
}

TEST(ParamLimits, DellaDensityPlusMinusEpsilonMustStayInsideZeroOne) {
  // mergekit's della_magprune: density +/- epsilon in (0, 1) unless density >= 1 or <= 0.
  EXPECT_EQ(error_of("merge_method: della\nbase_model: base\nmodels: [a]\nparameters: {density: 0.9, epsilon: 0.15}\n"),
            "limits.yml:4: della: parameter epsilon is 0.15 with density 0.9: density +/- epsilon must lie in (0, 1) "
            "for model 'a'");
  EXPECT_EQ(error_of("merge_method: della_linear\nbase_model: base\nmodels:\n  - model: a\n"
                     "    parameters: {density: 0.1}\nparameters: {epsilon: 0.1}\n"),
            "limits.yml:6: della_linear: parameter epsilon is 0.1 with density 0.1: density +/- epsilon must lie in "
            "(0, 1) for model 'a'");
  // A gradient is checked at each knot: at t = 1 density is 0.9.
  EXPECT_NE(error_of("merge_method: della\nbase_model: base\nmodels: [a]\nparameters: {density: [0.5, 0.9], epsilon: 0.15}\n"),
            "");
  EXPECT_EQ(error_of("merge_method: della\nbase_model: base\nmodels: [a]\nparameters: {density: [0.5, 0.8], epsilon: 0.15}\n"),
            "");
  EXPECT_EQ(error_of("merge_method: della\nbase_model: base\nmodels: [a]\nparameters: {density: 1.0, epsilon: 0.15}\n"), "");
  EXPECT_EQ(error_of("merge_method: della\nbase_model: base\nmodels: [a]\nparameters: {density: 0.0, epsilon: 0.15}\n"), "");
  // Only the models that are merged count: a top-level density the model overrides does not.
  EXPECT_EQ(error_of("merge_method: della\nbase_model: base\nmodels:\n  - model: a\n    parameters: {density: 0.5}\n"
                     "parameters: {density: 0.95, epsilon: 0.15}\n"),
            "");
}

TEST(ParamLimits, RunMergeChecksHardLimitsNotTheSliderRange) {
  const merge::MethodSpec& ties = *merge::find_method("ties");
  const Eigen::VectorXd base{{0.0}}, m{{1.0}};
  merge::MergeInputs<double> in;
  in.base = base.data();
  in.models = {m.data()};
  in.size = 1;
  merge::Params p = merge::make_params(ties);
  p.set("lambda", 5.0);
  p.set_model(0, "weight", 3.0);
  p.set("normalize", 0.0);
  EXPECT_DOUBLE_EQ(merge::run_merge(ties, in, p)[0], 15.0);  // 5 * 3 * 1
  p.set_model(0, "density", 1.5);
  try {
    merge::run_merge(ties, in, p);
    FAIL() << "density 1.5 was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "ties: parameter density is 1.5, outside [0, 1]");
  }
  const merge::MethodSpec& della = *merge::find_method("della");
  merge::Params q = merge::make_params(della);
  q.set("density", 0.95);
  try {
    merge::run_merge(della, in, q);
    FAIL() << "density 0.95 with epsilon 0.15 was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "della: parameter epsilon is 0.15 with density 0.95: density +/- epsilon must lie in (0, 1)");
  }
}

TEST(ParamLimits, WrittenBackAndReadAgainUnchanged) {
  const Recipe r = parse(R"(
merge_method: task_arithmetic
base_model: base
models:
  - model: m1
    parameters: {weight: 3}
  - model: m2
    parameters: {weight: -2.5}
parameters: {lambda: 5}
)");
  const std::string yaml = to_mergekit_yaml(r);
  EXPECT_EQ(parse(yaml), r) << yaml;
}
