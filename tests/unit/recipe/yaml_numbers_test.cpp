// Numbers in written mergekit YAML: the shortest decimal that reads back as the same double, and for values that
// carry only arithmetic noise in their 16th-17th digits (a sweep step 0.1 + 13 x 0.025 = 0.42500000000000004) the
// shortest decimal within 4 ulps, so `lambda: 0.425` is written, not 0.42500000000000004.
#include <gtest/gtest.h>

#include <cmath>

#include "core/recipe/mergekit_yaml.h"

using namespace mergelab::recipe;

namespace {
Recipe with_lambda(double v) {
  Recipe r;
  r.method = "task_arithmetic";
  r.base_model = "base";
  r.models = {{"a", {}}};
  r.params["lambda"] = ParamSetting::scalar(v);
  return r;
}
std::string lambda_line(double v) {
  const std::string y = to_mergekit_yaml(with_lambda(v));
  const size_t at = y.find("lambda: ");
  return at == std::string::npos ? y : y.substr(at, y.find('\n', at) - at);
}
double read_back(double v) {
  return parse_mergekit_yaml(to_mergekit_yaml(with_lambda(v)), "n.yml", "/m", {.check_paths = false})
      .params.at("lambda").entries[0].value.values[0];
}
}  // namespace

TEST(YamlNumbers, ArithmeticNoiseIsWrittenAsTheShortDecimal) {
  const double swept = 0.1 + 13 * 0.025;
  ASSERT_NE(swept, 0.425);  // the noise is real: 0.42500000000000004
  EXPECT_EQ(lambda_line(swept), "lambda: 0.425");
  EXPECT_EQ(lambda_line(0.1 + 0.2), "lambda: 0.3");
  // It reads back within 4 ulps, the same number to every float32 kernel.
  EXPECT_LE(std::abs(read_back(swept) - swept), 4 * std::abs(std::nextafter(swept, 0.0) - swept));
  EXPECT_EQ(static_cast<float>(read_back(swept)), static_cast<float>(swept));
}

TEST(YamlNumbers, ExactValuesRoundTripBitForBit) {
  for (double v : {0.425, 0.3, 1.0, -2.5, 1e-7, 0.1234567890123456, 1.0 / 3.0, 123456789.125}) {
    SCOPED_TRACE(v);
    // Clean decimals, and 16-17 digit values that are not noise (no 15-digit decimal within 4 ulps): exact.
    EXPECT_EQ(read_back(v), v);
  }
  EXPECT_EQ(lambda_line(1.0), "lambda: 1.0");
  EXPECT_EQ(lambda_line(1.0 / 3.0), "lambda: 0.3333333333333333");
}
