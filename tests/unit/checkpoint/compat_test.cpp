// Compatibility report on the digits fixtures and on hand-made mismatching checkpoints.
#include <gtest/gtest.h>

#include "core/checkpoint/compat.h"
#include "core/checkpoint/writer.h"
#include "tests/unit/checkpoint/test_util.h"

namespace mergelab::ckpt {
namespace {

using test::model;

TEST(Compat, DiffInitModelsAreFlaggedFineTunesAreNot) {
  const Checkpoint base = Checkpoint::open(model("base"));
  std::vector<Checkpoint> cks;
  const std::vector<std::string> names = {"ft_task0", "ft_task1-bf16", "ft_task2-sharded", "multitask-f16",
                                          "diffinit_task0", "diffinit_multitask-sharded"};
  for (const auto& n : names) cks.push_back(Checkpoint::open(model(n)));
  const LoraAdapter lora = LoraAdapter::open(model("lora_task2"));
  std::vector<ModelRef> refs;
  for (const auto& c : cks) refs.push_back({&c, nullptr, ""});
  refs.push_back({nullptr, &lora, ""});
  const CompatReport r = check_compatibility(base, refs);
  ASSERT_EQ(r.models.size(), 7u);
  for (int i = 0; i < 7; ++i) {
    const bool diffinit = i == 4 || i == 5;
    EXPECT_EQ(r.models[i].not_a_finetune, diffinit) << r.models[i].path << " " << r.models[i].cosine_to_base;
    EXPECT_EQ(r.models[i].mergeable(), !diffinit);
    EXPECT_TRUE(r.models[i].missing.empty());
    EXPECT_TRUE(r.models[i].extra.empty());
  }
  EXPECT_GT(r.models[0].cosine_to_base, 0.99);
  EXPECT_LT(r.models[4].cosine_to_base, 0.1);
  EXPECT_EQ(r.models[1].dtype_mismatches.size(), 4u);  // BF16 vs F32: reported, not blocking
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.to_text().find("not a fine-tune"), std::string::npos);
}

TEST(Compat, ASingleDiffInitModelIsFlaggedByTheAbsoluteRule) {
  const Checkpoint base = Checkpoint::open(model("base"));
  const Checkpoint d = Checkpoint::open(model("diffinit_multitask"));
  const Checkpoint f = Checkpoint::open(model("multitask"));
  EXPECT_TRUE(check_compatibility(base, {{&d, nullptr, ""}}).models[0].not_a_finetune);
  EXPECT_FALSE(check_compatibility(base, {{&f, nullptr, ""}}).models[0].not_a_finetune);
  EXPECT_TRUE(check_compatibility(base, {{&f, nullptr, ""}}).ok());
}

TEST(Compat, MissingExtraShapeAndIntegerTensorsAreListed) {
  test::TempDir dir;
  const std::string b = dir.file("b.safetensors"), m = dir.file("m.safetensors");
  write_safetensors(b, {{{"w", DType::F32, {2, 2}}, {1, 2, 3, 4}}, {{"gone", DType::F32, {1}}, {1}},
                        {{"v", DType::F32, {3}}, {1, 1, 1}}});
  write_safetensors(m, {{{"w", DType::F16, {2, 2}}, {1, 2, 3, 5}}, {{"new", DType::F32, {1}}, {1}},
                        {{"v", DType::F32, {1, 3}}, {1, 1, 1}}});
  const Checkpoint bc = Checkpoint::open(b), mc = Checkpoint::open(m);
  const ModelCompat r = check_compatibility(bc, {{&mc, nullptr, "m"}}).models[0];
  EXPECT_EQ(r.path, "m");
  EXPECT_EQ(r.missing, std::vector<std::string>{"gone"});
  EXPECT_EQ(r.extra, std::vector<std::string>{"new"});
  ASSERT_EQ(r.shape_mismatches.size(), 1u);
  EXPECT_EQ(r.shape_mismatches[0].tensor, "v");
  EXPECT_EQ(r.shape_mismatches[0].base, "[3]");
  EXPECT_EQ(r.shape_mismatches[0].model, "[1, 3]");
  ASSERT_EQ(r.dtype_mismatches.size(), 1u);
  EXPECT_EQ(r.dtype_mismatches[0].model, "F16");
  // cosine over w only: (1+4+9+20) / (sqrt(30) sqrt(39))
  EXPECT_NEAR(r.cosine_to_base, 34.0 / std::sqrt(30.0 * 39.0), 1e-12);
  EXPECT_FALSE(r.mergeable());
}

}  // namespace
}  // namespace mergelab::ckpt
