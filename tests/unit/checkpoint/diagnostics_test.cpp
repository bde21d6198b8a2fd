// Per-tensor diagnostics on a hand-computed case and on the fixtures.
#include <gtest/gtest.h>

#include <cmath>

#include "core/checkpoint/diagnostics.h"
#include "core/checkpoint/writer.h"
#include "tests/unit/checkpoint/test_util.h"

namespace mergelab::ckpt {
namespace {

TEST(Diagnostics, HandComputedTwoModels) {
  test::TempDir dir;
  const std::string b = dir.file("b.safetensors"), m1 = dir.file("m1.safetensors"), m2 = dir.file("m2.safetensors");
  write_safetensors(b, {{{"w", DType::F32, {2, 2}}, {1, 1, 1, 1}}, {{"i", DType::F32, {1}}, {0}}});
  write_safetensors(m1, {{{"w", DType::F32, {2, 2}}, {2, -1, 1, 4}}, {{"i", DType::F32, {2}}, {0, 0}}});
  write_safetensors(m2, {{{"w", DType::BF16, {2, 2}}, {3, 2, 1, 0}}, {{"i", DType::F32, {1}}, {0}}});
  const Checkpoint cb = Checkpoint::open(b), c1 = Checkpoint::open(m1), c2 = Checkpoint::open(m2);
  // tau1 = [1, -2, 0, 3], tau2 = [2, 1, 0, -1]
  const auto d = tensor_diagnostics(cb, {{&c1, nullptr, ""}, {&c2, nullptr, ""}}, 0.5);
  ASSERT_EQ(d.size(), 1u);  // "i" has another shape in m1: skipped
  EXPECT_EQ(d[0].tensor, "w");
  EXPECT_NEAR(d[0].norms[0], std::sqrt(14.0), 1e-12);
  EXPECT_NEAR(d[0].norms[1], std::sqrt(6.0), 1e-12);
  EXPECT_NEAR(d[0].cosines(0, 1), -3.0 / std::sqrt(84.0), 1e-12);
  EXPECT_NEAR(d[0].mean_cosine(), -3.0 / std::sqrt(84.0), 1e-12);
  EXPECT_DOUBLE_EQ(d[0].sign_conflict, 0.5);  // entries 1 and 3 disagree; entry 2 is 0 in both
  // density 0.5 keeps int(0.5 * 4) = 2 entries: tau1 {3, -2}, tau2 {2, 1 (lower index wins the tie)}
  EXPECT_DOUBLE_EQ(d[0].kept[0], 0.5);
  EXPECT_DOUBLE_EQ(d[0].kept[1], 0.5);
  EXPECT_NEAR(d[0].norm_kept[0], std::sqrt(13.0 / 14.0), 1e-12);
  EXPECT_NEAR(d[0].norm_kept[1], std::sqrt(5.0 / 6.0), 1e-12);
  // density 1 keeps everything; the zero entry of tau1 does not count as kept
  const auto all = tensor_diagnostics(cb, {{&c1, nullptr, ""}, {&c2, nullptr, ""}}, 1.0);
  EXPECT_DOUBLE_EQ(all[0].kept[0], 0.75);
  EXPECT_DOUBLE_EQ(all[0].norm_kept[0], 1.0);
  EXPECT_THROW(tensor_diagnostics(cb, {{&c1, nullptr, ""}}, 1.5), std::invalid_argument);
}

TEST(Diagnostics, LoraTaskVectorIsItsDelta) {
  const Checkpoint base = Checkpoint::open(test::model("base"));
  const LoraAdapter ad = LoraAdapter::open(test::model("lora_task0"));
  const auto d = tensor_diagnostics(base, {{nullptr, &ad, ""}}, 0.2);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].tensor, "fc1.bias");
  EXPECT_EQ(d[0].norms[0], 0.0);  // bias not adapted
  EXPECT_NEAR(d[1].norms[0], ad.delta_flat("fc1.weight").cast<double>().norm(), 1e-9);
  EXPECT_TRUE(std::isnan(d[1].mean_cosine()));
}

}  // namespace
}  // namespace mergelab::ckpt
