// Weights: the LoRA adapter applied equals its dense twin, the BF16 copy is the F32 model rounded, GPT-2 with and
// without the "transformer." prefix, in-memory views equal the checkpoint, and clear errors for bad tensors.
#include "core/lm/model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/lm/forward.h"
#include "core/lm/lm_error.h"
#include "tests/unit/lm/lm_paths.h"

namespace mergelab::lm {
namespace {

using testing::kLmData;
using testing::kTinyLm;

std::vector<std::int32_t> some_ids(int n, int vocab) {
  std::vector<std::int32_t> ids;
  for (int i = 0; i < n; ++i) ids.push_back((i * 131 + 7) % vocab);
  return ids;
}

double nll_of(const LmModel& m, const std::vector<std::int32_t>& ids) {
  Scratch s(m, static_cast<int>(ids.size()));
  return sequence_nll(m, ids, 1, s);
}

std::string error_of(const LmConfig& c, const WeightViews& w) {
  try {
    LmModel::from_weights(c, w, "src");
  } catch (const LmError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(LmModel, LoraAdapterEqualsItsDenseTwin) {
  std::filesystem::path base;
  const OwnedWeights applied = read_lora_applied_weights(kTinyLm / "models" / "lora_python", &base);
  EXPECT_EQ(std::filesystem::canonical(base), std::filesystem::canonical(kTinyLm / "models" / "base"));
  const OwnedWeights twin = read_checkpoint_weights(kTinyLm / "expected" / "lora_python_applied");
  ASSERT_EQ(applied.values.size(), twin.values.size());
  const OwnedWeights plain = read_checkpoint_weights(base);
  for (const auto& [name, v] : twin.values) {
    const auto& a = applied.values.at(name);
    const auto& b = plain.values.at(name);
    ASSERT_EQ(a.size(), v.size()) << name;
    // ΔW = 2·B·A is summed here in double and rounded once; the twin rounded its f32 product, so the two differ by
    // about one f32 ulp of the tensor's largest |ΔW| (plus one of the sum).
    double max_delta = 0;
    for (std::size_t i = 0; i < v.size(); ++i) max_delta = std::max(max_delta, std::abs(double(a[i]) - b[i]));
    for (std::size_t i = 0; i < v.size(); ++i)
      ASSERT_NEAR(a[i], v[i], 2.4e-7 * max_delta + 1.2e-7 * std::abs(v[i])) << name << " " << i;
  }
  const LmModel m1 = LmModel::load(kTinyLm / "models" / "lora_python");
  const LmModel m2 = LmModel::load(kTinyLm / "expected" / "lora_python_applied");
  const auto ids = some_ids(200, 640);
  EXPECT_NEAR(nll_of(m1, ids), nll_of(m2, ids), 1e-6 * nll_of(m2, ids));
}

TEST(LmModel, Bf16CopyIsTheF32ModelRounded) {
  const OwnedWeights f32 = read_checkpoint_weights(kTinyLm / "models" / "ft_python");
  const OwnedWeights bf16 = read_checkpoint_weights(kTinyLm / "models" / "ft_python-bf16");
  for (const auto& [name, v] : f32.values) {
    const auto& b = bf16.values.at(name);
    for (std::size_t i = 0; i < v.size(); ++i) {
      std::uint32_t bits;
      std::memcpy(&bits, &v[i], 4);
      bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000u;  // round to nearest even
      float r;
      std::memcpy(&r, &bits, 4);
      ASSERT_EQ(b[i], r) << name << " " << i;
    }
  }
  // The NLL moves by less than BF16's relative precision (2^-8) allows.
  const auto ids = some_ids(256, 640);
  const double a = nll_of(LmModel::load(kTinyLm / "models" / "ft_python"), ids);
  const double b = nll_of(LmModel::load(kTinyLm / "models" / "ft_python-bf16"), ids);
  EXPECT_NE(a, b);
  EXPECT_NEAR(a, b, a / 256);
}

TEST(LmModel, InMemoryViewsEqualTheCheckpoint) {
  const OwnedWeights w = read_checkpoint_weights(kTinyLm / "models" / "ft_c");
  const LmModel disk = LmModel::load(kTinyLm / "models" / "ft_c");
  const LmModel mem = LmModel::from_weights(load_lm_config(kTinyLm / "models" / "ft_c"), w.views());
  EXPECT_EQ(mem.parameter_count(), 427680u);
  const auto ids = some_ids(256, 640);
  EXPECT_EQ(nll_of(disk, ids), nll_of(mem, ids));
}

TEST(LmModel, Gpt2WithAndWithoutTransformerPrefix) {
  OwnedWeights w = read_checkpoint_weights(kLmData / "tiny_gpt2");
  OwnedWeights bare;
  for (const auto& [name, v] : w.values) {
    ASSERT_EQ(name.rfind("transformer.", 0), 0u);
    if (name.find(".attn.bias") != std::string::npos && w.shapes.at(name).size() == 4) continue;  // mask buffer
    bare.values[name.substr(12)] = v;
    bare.shapes[name.substr(12)] = w.shapes.at(name);
  }
  const LmConfig c = load_lm_config(kLmData / "tiny_gpt2");
  const auto ids = some_ids(48, 41);
  EXPECT_EQ(nll_of(LmModel::from_weights(c, w.views()), ids), nll_of(LmModel::from_weights(c, bare.views()), ids));
}

TEST(LmModel, BadTensorsGetOneClearMessage) {
  const LmConfig c = load_lm_config(kLmData / "tiny_qwen2");
  OwnedWeights w = read_checkpoint_weights(kLmData / "tiny_qwen2");
  EXPECT_EQ(error_of(c, w.views()), "(accepted)");
  {
    OwnedWeights bad = w;
    bad.values.erase("model.layers.1.mlp.up_proj.weight");
    bad.shapes.erase("model.layers.1.mlp.up_proj.weight");
    EXPECT_EQ(error_of(c, bad.views()), "src: tensor 'model.layers.1.mlp.up_proj.weight': missing (expected shape [40, 24])");
  }
  {
    OwnedWeights bad = w;
    bad.shapes["model.layers.0.self_attn.k_proj.weight"] = {24, 8};
    EXPECT_EQ(error_of(c, bad.views()), "src: tensor 'model.layers.0.self_attn.k_proj.weight': shape [24, 8], expected [8, 24]");
  }
  {
    OwnedWeights bad = w;
    bad.values["model.norm.weight"][3] = std::numeric_limits<float>::infinity();
    EXPECT_EQ(error_of(c, bad.views()),
              "src: tensor 'model.norm.weight': holds an infinite value at element 3 (NaN or infinite weights cannot be "
              "evaluated)");
  }
  {
    OwnedWeights bad = w;
    bad.values.erase("model.layers.0.self_attn.q_proj.bias");
    bad.shapes.erase("model.layers.0.self_attn.q_proj.bias");
    EXPECT_EQ(error_of(c, bad.views()), "src: tensor 'model.layers.0.self_attn.q_proj.bias': missing (expected shape [24])");
  }
  {
    // Views without shapes are checked by element count.
    WeightViews v = w.views();
    v["model.embed_tokens.weight"].shape.clear();
    EXPECT_EQ(error_of(c, v), "(accepted)");
    v["model.embed_tokens.weight"].values = v["model.embed_tokens.weight"].values.first(100);
    EXPECT_EQ(error_of(c, v), "src: tensor 'model.embed_tokens.weight': 100 values, expected 888 [37, 24]");
  }
}

TEST(LmModel, RopeInverseFrequenciesFollowTheScalingRules) {
  LmConfig c;
  c.head_dim = 8;
  c.rope_theta = 10000;
  auto inv = rope_inverse_frequencies(c);
  ASSERT_EQ(inv.size(), 4u);
  EXPECT_DOUBLE_EQ(inv[0], 1.0);
  EXPECT_DOUBLE_EQ(inv[1], 0.1);
  EXPECT_NEAR(inv[3], 1e-3, 1e-15);
  c.rope_type = "linear";
  c.rope_factor = 4;
  EXPECT_DOUBLE_EQ(rope_inverse_frequencies(c)[1], 0.025);
  // llama3 with original length 64, low 1, high 4: wavelengths 2π (kept), 20π (smoothed), 200π and 2000π (÷ 8).
  c.rope_type = "llama3";
  c.rope_factor = 8;
  c.rope_low_freq_factor = 1;
  c.rope_high_freq_factor = 4;
  c.rope_original_max_positions = 64;
  inv = rope_inverse_frequencies(c);
  EXPECT_DOUBLE_EQ(inv[0], 1.0);
  const double smooth = (64 / (20 * M_PI) - 1) / 3;
  EXPECT_NEAR(inv[1], (1 - smooth) * 0.1 / 8 + smooth * 0.1, 1e-15);
  EXPECT_NEAR(inv[2], 0.01 / 8, 1e-17);
  EXPECT_NEAR(inv[3], 0.001 / 8, 1e-18);
}

}  // namespace
}  // namespace mergelab::lm
