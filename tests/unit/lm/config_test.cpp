// config.json parsing: every family's fields, and one "FILE: field F: problem" message per refusal.
#include "core/lm/config.h"

#include <gtest/gtest.h>

#include "core/lm/lm_error.h"
#include "tests/unit/lm/lm_paths.h"

namespace mergelab::lm {
namespace {

std::string error_of(const std::string& json, int window = 0) {
  try {
    parse_lm_config(json, "m/config.json", window);
  } catch (const LmError& e) {
    return e.what();
  }
  return "(accepted)";
}

const char* kLlama = R"({"model_type": "llama", "hidden_size": 96, "intermediate_size": 256, "num_hidden_layers": 3,
  "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 640, "max_position_embeddings": 256,
  "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "hidden_act": "silu", "tie_word_embeddings": false)";

std::string llama(const std::string& extra) { return std::string(kLlama) + extra + "}"; }

TEST(LmConfig, ReadsTheTinyLmFixture) {
  const LmConfig c = load_lm_config(testing::kTinyLm / "models" / "base");
  EXPECT_EQ(c.family, Family::Llama);
  EXPECT_EQ(c.hidden, 96);
  EXPECT_EQ(c.intermediate, 256);
  EXPECT_EQ(c.layers, 3);
  EXPECT_EQ(c.heads, 4);
  EXPECT_EQ(c.kv_heads, 2);
  EXPECT_EQ(c.head_dim, 24);
  EXPECT_EQ(c.vocab, 640);
  EXPECT_EQ(c.max_positions, 256);
  EXPECT_EQ(c.default_window(), 256);
  EXPECT_DOUBLE_EQ(c.norm_eps, 1e-5);
  EXPECT_FALSE(c.tied);
  EXPECT_FALSE(c.qkv_bias);
}

TEST(LmConfig, FamiliesAndDefaults) {
  const LmConfig q = load_lm_config(testing::kLmData / "tiny_qwen2");
  EXPECT_TRUE(q.qkv_bias);
  EXPECT_FALSE(q.o_bias);
  EXPECT_TRUE(q.tied);
  EXPECT_EQ(q.sliding_window, 0);  // use_sliding_window false
  const LmConfig g = load_lm_config(testing::kLmData / "tiny_gpt2");
  EXPECT_EQ(g.family, Family::Gpt2);
  EXPECT_EQ(g.intermediate, 4 * 24);  // n_inner null
  EXPECT_EQ(g.act, Act::GeluTanh);
  EXPECT_TRUE(g.tied);
  EXPECT_EQ(g.default_window(), 48);  // min(256, n_positions)
  const LmConfig l = parse_lm_config(llama(R"(, "head_dim": 32, "attention_bias": true, "mlp_bias": true)"), "x");
  EXPECT_EQ(l.head_dim, 32);
  EXPECT_EQ(l.q_width(), 128);
  EXPECT_TRUE(l.qkv_bias && l.o_bias && l.mlp_bias);
  const LmConfig m = parse_lm_config(
      R"({"model_type": "mistral", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
          "num_attention_heads": 4, "vocab_size": 100, "max_position_embeddings": 512, "sliding_window": 4096})", "x");
  EXPECT_EQ(m.kv_heads, 4);  // num_key_value_heads missing = heads
  EXPECT_EQ(m.sliding_window, 4096);
  EXPECT_EQ(m.default_window(), 256);
}

TEST(LmConfig, RefusesWhatTheForwardPassDoesNotImplement) {
  EXPECT_EQ(error_of(R"({"model_type": "mamba"})"),
            "m/config.json: field model_type: 'mamba' is not supported (llama, mistral, qwen2, gpt2)");
  EXPECT_EQ(error_of(R"({"hidden_size": 4})"), "m/config.json: field model_type: missing");
  EXPECT_EQ(error_of(llama(R"(, "rope_scaling": {"rope_type": "yarn", "factor": 4})")),
            "m/config.json: field rope_scaling: type 'yarn' is not implemented (default, linear, llama3)");
  EXPECT_EQ(error_of(llama(R"(, "rope_scaling": {"type": "dynamic", "factor": 2})")),
            "m/config.json: field rope_scaling: type 'dynamic' is not implemented (default, linear, llama3)");
  EXPECT_EQ(error_of(llama(R"(, "rope_scaling": {"rope_type": "linear"})")), "m/config.json: field rope_scaling.factor: missing");
  EXPECT_EQ(error_of(std::string(kLlama) + R"(, "hidden_act": "swiglu_xyz"})"),
            "m/config.json: field hidden_act: activation 'swiglu_xyz' is not implemented (silu, gelu, gelu_new, "
            "gelu_pytorch_tanh, relu)");
  const std::string qwen_sliding =
      R"({"model_type": "qwen2", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
          "num_attention_heads": 4, "vocab_size": 100, "max_position_embeddings": 512, "use_sliding_window": true,
          "sliding_window": 128})";
  EXPECT_EQ(error_of(qwen_sliding),
            "m/config.json: field sliding_window: 128 is shorter than the evaluation window 256 (sliding-window "
            "attention is not implemented)");
  EXPECT_EQ(error_of(qwen_sliding, 128), "(accepted)");  // a window the sliding window covers is exact
  EXPECT_EQ(error_of(R"({"model_type": "llama", "hidden_size": 96, "intermediate_size": 256, "num_hidden_layers": 3,
    "num_attention_heads": 4, "num_key_value_heads": 3, "vocab_size": 640})"),
            "m/config.json: field num_key_value_heads: 3 does not divide num_attention_heads 4");
  EXPECT_EQ(error_of(R"({"model_type": "llama", "hidden_size": 96, "intermediate_size": 0})"),
            "m/config.json: field intermediate_size: must be a positive integer, got 0");
  EXPECT_EQ(error_of(R"({"model_type": "gpt2", "n_embd": 24, "n_layer": 1, "n_head": 4, "vocab_size": 10,
    "n_positions": 32, "scale_attn_by_inverse_layer_idx": true})"),
            "m/config.json: field scale_attn_by_inverse_layer_idx: true is not implemented");
  EXPECT_EQ(error_of(llama(""), 300), "m/config.json: evaluation window 300 is longer than the model's 256 positions");
  EXPECT_EQ(error_of("[1, 2]"), "m/config.json: not a JSON object");
}

TEST(LmConfig, RecognisesLmFolders) {
  EXPECT_TRUE(is_lm_model_dir(testing::kTinyLm / "models" / "base"));
  EXPECT_TRUE(is_lm_model_dir(testing::kTinyLm / "models" / "lora_python"));  // adapter on an LM base
  EXPECT_TRUE(is_lm_model_dir(testing::kLmData / "tiny_gpt2"));
  EXPECT_FALSE(is_lm_model_dir(std::filesystem::path(MERGELAB_TEST_DATA) / "digits" / "models" / "base"));
  EXPECT_FALSE(is_lm_model_dir(testing::kLmData / "no_such_folder"));
}

}  // namespace
}  // namespace mergelab::lm
