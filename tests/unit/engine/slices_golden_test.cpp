// Configs from the wild, unchanged but for local paths, against tests/data/tinylm/slices_golden.txt: every
// output tensor's method parameter (t, scale) and values, as mergekit's rules give them (the numpy script beside
// the golden file re-does plan.py, ConfigReader and slerp.py / passthrough.py).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "core/checkpoint/checkpoint.h"
#include "core/engine/engine.h"
#include "core/recipe/mergekit_yaml.h"
#include "tests/unit/engine/run_options.h"
#include "tests/unit/temp_dir.h"

using namespace mergelab;

namespace {
const std::string kTiny = std::string(MERGELAB_TEST_DATA) + "/tinylm";

struct Golden {
  double value = 0;  // t or scale
  size_t n = 0;
  double c = 0, a = 0;  // sum c_i y_i, sum |c_i y_i|, c_i = (i mod 7) - 3
};

std::map<std::string, Golden> golden_of(const std::string& recipe) {
  std::ifstream in(kTiny + "/slices_golden.txt");
  std::map<std::string, Golden> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string r, name;
    Golden g;
    s >> r >> name >> g.value >> g.n >> g.c >> g.a;
    if (r == recipe) out[name] = g;
  }
  return out;
}

/// Runs `recipe` and checks every output tensor against the golden lines; `rel` bounds the per-value error
/// relative to |y| (the output dtype's rounding plus float32 arithmetic).
void check_against_golden(const std::string& recipe, const std::string& param, double rel) {
  SCOPED_TRACE(recipe);
  mergelab::testing::TempDir tmp;
  const engine::MergePlan plan = engine::plan_merge(recipe::read_mergekit_yaml(kTiny + "/recipes/" + recipe));
  engine::run_merge(plan, mergelab::testing::quiet(tmp / "out"));
  const auto out = ckpt::Checkpoint::open(tmp / "out");
  const auto golden = golden_of(recipe);
  ASSERT_FALSE(golden.empty());
  ASSERT_EQ(out.tensors().size(), golden.size());
  ASSERT_EQ(plan.tensors.size(), golden.size());
  for (const auto& t : plan.tensors) {
    SCOPED_TRACE(t.name);
    ASSERT_TRUE(golden.count(t.name));
    const Golden& g = golden.at(t.name);
    EXPECT_NEAR(t.params.get(param, 0), g.value, 1e-12);
    const Eigen::VectorXf y = out.read_vector(t.name);
    ASSERT_EQ(static_cast<size_t>(y.size()), g.n);
    double c = 0;
    for (Eigen::Index i = 0; i < y.size(); ++i) c += static_cast<double>(i % 7 - 3) * static_cast<double>(y[i]);
    EXPECT_LE(std::abs(c - g.c), rel * g.a) << c << " vs " << g.c;
  }
}
}  // namespace

TEST(SlicesGolden, LazyMergekitSlerpTemplateWithItsTGradients) {
  // dtype bfloat16: round to nearest even, at most 2^-9 of |y|; float32 arithmetic adds ~1e-6.
  check_against_golden("lazymergekit_slerp.yml", "t", std::ldexp(1.0, -9) + 1e-5);
}

TEST(SlicesGolden, PassthroughFrankenmergeWithScaleByFilter) {
  check_against_golden("frankenmerge.yml", "scale", 1e-7);
}
