// Layer order of tensor names (core/lm/layer_order.h): digit runs compared by value, and the per-layer summary.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/lm/layer_order.h"

using namespace mergelab::lm;

TEST(LayerOrder, NaturalLessComparesDigitRunsByValue) {
  EXPECT_TRUE(natural_less("model.layers.2.mlp", "model.layers.10.mlp"));
  EXPECT_FALSE(natural_less("model.layers.10.mlp", "model.layers.2.mlp"));
  EXPECT_TRUE(natural_less("h.9.attn", "h.10.attn"));
  EXPECT_TRUE(natural_less("layers.1.a", "layers.1.b"));  // equal numbers: the rest decides
  EXPECT_TRUE(natural_less("a", "a.0"));                  // a prefix first
  EXPECT_FALSE(natural_less("x.3", "x.3"));               // irreflexive
  EXPECT_TRUE(natural_less("x.3", "x.03"));               // same value, fewer leading zeros first
  EXPECT_FALSE(natural_less("x.03", "x.3"));
  EXPECT_TRUE(natural_less("x.99999999999999999999", "x.100000000000000000000"));  // longer than any integer type
}

TEST(LayerOrder, SortsAStackOfTwelveLayers) {
  std::vector<std::string> names;
  for (int i = 0; i < 12; ++i) names.push_back("model.layers." + std::to_string(i) + ".mlp.up_proj.weight");
  names.push_back("model.norm.weight");
  names.push_back("model.embed_tokens.weight");
  std::sort(names.begin(), names.end());  // the header's order: 0, 1, 10, 11, 2, ...
  ASSERT_EQ(names[3], "model.layers.10.mlp.up_proj.weight");
  std::sort(names.begin(), names.end(), natural_less);
  EXPECT_EQ(names.front(), "model.embed_tokens.weight");
  for (int i = 0; i < 12; ++i) EXPECT_EQ(names[1 + i], "model.layers." + std::to_string(i) + ".mlp.up_proj.weight");
  EXPECT_EQ(names.back(), "model.norm.weight");
}

TEST(LayerOrder, SummaryPerLayerThenTheRest) {
  const std::vector<TensorEntry> t{{"model.layers.10.a", 4, 16}, {"model.embed_tokens.weight", 100, 400},
                                   {"model.layers.2.a", 4, 8},   {"model.layers.2.b", 6, 12},
                                   {"model.norm.weight", 5, 20}};
  const auto s = summarize_layers(t);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].layer, 2);
  EXPECT_EQ(s[0].tensors, 2u);
  EXPECT_EQ(s[0].elements, 10u);
  EXPECT_EQ(s[0].bytes, 20u);
  EXPECT_EQ(s[1].layer, 10);
  EXPECT_EQ(s[1].elements, 4u);
  EXPECT_EQ(s[2].layer, -1);
  EXPECT_EQ(s[2].tensors, 2u);
  EXPECT_EQ(s[2].elements, 105u);
  EXPECT_TRUE(summarize_layers({}).empty());
}
