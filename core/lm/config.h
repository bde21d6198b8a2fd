// A causal language model's architecture, read from a Hugging Face config.json.
//
// Supported model_type values and the fields read (every one that changes the forward pass):
//   llama, mistral, qwen2  hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
//                          num_key_value_heads (GQA; default = heads), head_dim (default hidden/heads),
//                          rms_norm_eps, rope_theta, rope_scaling (null, "default", "linear", "llama3"),
//                          max_position_embeddings, hidden_act (silu | gelu | gelu_new | gelu_pytorch_tanh | relu),
//                          attention_bias (llama; qwen2 always has q/k/v biases), mlp_bias (llama),
//                          tie_word_embeddings, vocab_size, sliding_window (+ use_sliding_window for qwen2)
//   gpt2                   n_embd, n_inner (default 4·n_embd), n_layer, n_head, layer_norm_epsilon, n_positions,
//                          activation_function, vocab_size (always tied); scale_attn_by_inverse_layer_idx refused
// Anything the forward pass would need but that is not implemented is refused with one LmError
// "FILE: field F: problem" (never silently ignored): an unknown model_type or activation, a rope_scaling type
// other than the above, a sliding window shorter than the evaluation window, missing or non-positive sizes.
#pragma once

#include <filesystem>
#include <string>

namespace mergelab::lm {

enum class Family { Llama, Gpt2 };  // Llama = llama, mistral, qwen2 (RMSNorm + RoPE + gated MLP)
enum class Act { Silu, GeluErf, GeluTanh, Relu };

struct LmConfig {
  std::string model_type;           // as in the file ("llama", "mistral", "qwen2", "gpt2")
  Family family = Family::Llama;
  int hidden = 0;                   // hidden_size / n_embd
  int intermediate = 0;             // intermediate_size / n_inner
  int layers = 0;
  int heads = 0;
  int kv_heads = 0;                 // grouped-query attention: kv head j serves query heads [j·g, (j+1)·g)
  int head_dim = 0;
  int vocab = 0;                    // rows of the embedding (vocab_size)
  int max_positions = 0;            // max_position_embeddings / n_positions
  double norm_eps = 1e-5;           // rms_norm_eps / layer_norm_epsilon
  double rope_theta = 10000.0;
  std::string rope_type = "default";  // "default" | "linear" | "llama3"
  double rope_factor = 1.0;           // linear and llama3
  double rope_low_freq_factor = 1.0, rope_high_freq_factor = 4.0;  // llama3
  double rope_original_max_positions = 8192;                       // llama3
  Act act = Act::Silu;
  bool qkv_bias = false;            // q/k/v projections have biases (qwen2, llama attention_bias)
  bool o_bias = false;              // o_proj bias (llama attention_bias)
  bool mlp_bias = false;            // gate/up/down biases (llama mlp_bias)
  bool tied = false;                // lm_head = embedding
  int sliding_window = 0;           // 0 = full attention

  int q_width() const { return heads * head_dim; }
  int kv_width() const { return kv_heads * head_dim; }
  /// The default evaluation window: min(256, max_positions).
  int default_window() const { return max_positions < 256 ? max_positions : 256; }
};

/// True when config.json text names a model_type this evaluator knows (cheap test used by the CLI to choose
/// between the LM and the classifier evaluator). Never throws.
bool is_lm_config_text(const std::string& json_text);
/// Same for `<dir>/config.json` (or a PEFT adapter folder whose base is an LM). Never throws.
bool is_lm_model_dir(const std::filesystem::path& dir);

/// Parses config.json text; `file` names it in messages. `window` is the evaluation window the model will run
/// with (0 = default_window()); a sliding window shorter than it is refused. Throws LmError.
LmConfig parse_lm_config(const std::string& json_text, const std::string& file, int window = 0);
/// Reads `<dir>/config.json` (or the .json file given). Throws LmError.
LmConfig load_lm_config(const std::filesystem::path& dir_or_file, int window = 0);

}  // namespace mergelab::lm
