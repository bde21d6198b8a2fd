// Layer schemes, layer counts and the parts outside the stack (core/arch/architecture.h).
#include "core/arch/architecture.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/temp_dir.h"

using namespace mergelab::arch;

namespace {
const std::string kTiny = std::string(MERGELAB_TEST_DATA) + "/tinylm/models/base";
}

TEST(Architecture, LlamaNamesAndConfigGiveTheStack) {
  const std::vector<std::string> names = {"model.embed_tokens.weight", "model.layers.0.mlp.up_proj.weight",
                                          "model.layers.2.self_attn.q_proj.weight", "model.norm.weight", "lm_head.weight"};
  const Architecture a = detect_architecture(names, config_json_of(kTiny), "base");
  EXPECT_EQ(a.scheme, "model.layers.N.");
  EXPECT_EQ(a.n_layers, 3);
  EXPECT_EQ(a.n_layers_from, "config.json num_hidden_layers");
  EXPECT_TRUE(a.warnings.empty());
  const TensorPlace p = a.place("model.layers.2.self_attn.q_proj.weight");
  EXPECT_EQ(p.part, Part::Layer);
  EXPECT_EQ(p.layer, 2);
  EXPECT_EQ(p.suffix, "self_attn.q_proj.weight");
  EXPECT_EQ(a.place("model.embed_tokens.weight").part, Part::Pre);
  EXPECT_EQ(a.place("model.norm.weight").part, Part::Post);
  EXPECT_EQ(a.place("lm_head.weight").part, Part::Post);
  EXPECT_EQ(a.renamed("model.layers.2.self_attn.q_proj.weight", 7), "model.layers.7.self_attn.q_proj.weight");
  EXPECT_DOUBLE_EQ(a.position("model.layers.0.mlp.up_proj.weight"), 0.0);
  EXPECT_DOUBLE_EQ(a.position("model.layers.1.mlp.up_proj.weight"), 0.5);
  EXPECT_DOUBLE_EQ(a.position("model.layers.2.mlp.up_proj.weight"), 1.0);
  EXPECT_DOUBLE_EQ(a.position("lm_head.weight"), 0.0);
}

TEST(Architecture, Gpt2BertAndMlpSchemes) {
  const Architecture gpt2 = detect_architecture({"transformer.wte.weight", "transformer.h.0.attn.c_attn.weight",
                                                 "transformer.h.11.mlp.c_fc.weight", "transformer.ln_f.weight"},
                                                "");
  EXPECT_EQ(gpt2.scheme, "transformer.h.N.");
  EXPECT_EQ(gpt2.n_layers, 12);
  EXPECT_EQ(gpt2.n_layers_from, "tensor names");
  EXPECT_EQ(gpt2.place("transformer.wte.weight").part, Part::Pre);
  EXPECT_EQ(gpt2.place("transformer.ln_f.weight").part, Part::Post);
  const Architecture bare = detect_architecture({"wte.weight", "h.3.attn.c_attn.weight", "ln_f.bias"}, "");
  EXPECT_EQ(bare.scheme, "h.N.");
  EXPECT_EQ(bare.n_layers, 4);
  const Architecture bert = detect_architecture({"bert.embeddings.word_embeddings.weight",
                                                 "bert.encoder.layer.1.attention.self.query.weight", "bert.pooler.dense.weight"},
                                                "");
  EXPECT_EQ(bert.scheme, "bert.encoder.layer.N.");
  EXPECT_EQ(bert.place("bert.embeddings.word_embeddings.weight").part, Part::Pre);
  EXPECT_EQ(bert.place("bert.pooler.dense.weight").part, Part::Post);
  const Architecture mlp = detect_architecture({"fc1.weight", "fc1.bias", "fc2.weight"}, "");
  EXPECT_EQ(mlp.scheme, "none");
  EXPECT_EQ(mlp.n_layers, 0);
  EXPECT_TRUE(mlp.warnings.empty());
  EXPECT_DOUBLE_EQ(mlp.position("fc1.weight"), 0.0);
}

TEST(Architecture, UnknownNumberedNamesFallBackToTheHeuristicWithAWarning) {
  const Architecture a = detect_architecture({"net.blocks.0.w", "net.blocks.4.w", "head.w"}, "", "m");
  EXPECT_TRUE(a.heuristic);
  EXPECT_EQ(a.n_layers, 5);
  ASSERT_EQ(a.warnings.size(), 1u);
  EXPECT_EQ(a.warnings[0], "m: tensor names follow no known layer scheme (model.layers.N., h.N., encoder.layer.N., ...); "
                           "the first numeric name component is taken as the layer index");
  EXPECT_EQ(a.renamed("net.blocks.4.w", 2), "net.blocks.2.w");
  EXPECT_DOUBLE_EQ(a.position("net.blocks.1.w"), 0.25);
}

TEST(Architecture, ConfigCountWinsOverNamesWithAWarning) {
  mergelab::testing::TempDir tmp;
  std::ofstream(tmp / "config.json") << "{\"n_layer\": 6}";
  const Architecture a = detect_architecture({"h.0.w", "h.3.w"}, tmp / "config.json", "m");
  EXPECT_EQ(a.n_layers, 6);
  EXPECT_EQ(a.n_layers_from, "config.json n_layer");
  ASSERT_EQ(a.warnings.size(), 1u);
  EXPECT_EQ(a.warnings[0], "m: config.json gives n_layer = 6 but the tensor names go to layer 3; n_layer is used");
  EXPECT_FALSE(config_layer_count(tmp / "missing.json").has_value());
}
