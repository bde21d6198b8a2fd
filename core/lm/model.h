// A causal language model's weights, laid out for the forward pass (forward.h).
//
//   LmModel m = LmModel::load("models/base");                 // config.json + safetensors (or a PEFT adapter)
//   LmModel c = LmModel::from_weights(cfg, views, "<merge>");   // from memory: name -> float view (a merge)
//
// Tensor names are Hugging Face's: llama/mistral/qwen2 "model.embed_tokens.weight",
// "model.layers.{i}.self_attn.{q,k,v,o}_proj.{weight,bias}", "model.layers.{i}.mlp.{gate,up,down}_proj.{weight,bias}",
// "model.layers.{i}.{input,post_attention}_layernorm.weight", "model.norm.weight", "lm_head.weight" (absent when
// tied); gpt2 "[transformer.]wte.weight", "wpe.weight", "h.{i}.ln_{1,2}.{weight,bias}",
// "h.{i}.attn.c_{attn,proj}.{weight,bias}", "h.{i}.mlp.c_{fc,proj}.{weight,bias}", "ln_f.{weight,bias}" (Conv1D
// weights stored [in, out]; "attn.bias"/"attn.masked_bias" buffers and other extra tensors are ignored).
// Every tensor used is checked for its shape (a view with an empty shape is checked by element count only) and
// for NaN/inf values; failures throw LmError "SOURCE: tensor 'NAME': problem". The projections are copied into
// packed panels (sgemm.h; q/k/v fused, gate/up fused), so a model owns one f32 copy of its weights and is
// immutable afterwards: one LmModel may be used by many threads at once, each with its own Scratch.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/eval/mlp.h"  // eval::TensorView, eval::WeightViews
#include "core/lm/config.h"

namespace mergelab::lm {

using eval::TensorView;
using eval::WeightViews;

/// A linear map y = x·Wᵀ + b, W packed for sgemm (K = in, N = out); bias empty when there is none.
struct PackedLinear {
  int in = 0, out = 0;
  std::vector<float> packed;
  std::vector<float> bias;
};

struct LayerWeights {
  std::vector<float> attn_norm, attn_norm_bias;  // RMSNorm weight (bias: GPT-2 LayerNorm only)
  PackedLinear qkv;                              // out = q_width + 2·kv_width: [q | k | v]
  PackedLinear o;
  std::vector<float> mlp_norm, mlp_norm_bias;
  PackedLinear gate_up;                          // llama: out = 2·intermediate, [gate | up]; gpt2: c_fc
  PackedLinear down;
};

/// Weights read from disk, owned: name -> row-major floats + shape (what views() hands to from_weights).
struct OwnedWeights {
  std::map<std::string, std::vector<float>> values;
  std::map<std::string, std::vector<std::uint64_t>> shapes;
  WeightViews views() const;
};

/// Every tensor of the checkpoint at `path` (any layout ckpt::Checkpoint::open accepts), converted to f32.
/// Throws ckpt::CheckpointError.
OwnedWeights read_checkpoint_weights(const std::filesystem::path& path);
/// A PEFT LoRA adapter folder: its base (base_model_name_or_path, relative to the adapter folder) with
/// W += scale·B·A on every adapted tensor (ckpt::LoraAdapter). `base_dir` receives the base folder.
OwnedWeights read_lora_applied_weights(const std::filesystem::path& adapter_dir, std::filesystem::path* base_dir);

class LmModel {
 public:
  /// Builds the model from name -> float views (checked, copied). Throws LmError naming `source`.
  static LmModel from_weights(const LmConfig& config, const WeightViews& weights, const std::string& source = "<memory>");
  /// Reads `<dir>/config.json` and the checkpoint in `dir`; a PEFT adapter folder (adapter_config.json, no
  /// config.json) is its base with the adapter applied. `window` as in parse_lm_config. Throws LmError or
  /// ckpt::CheckpointError.
  static LmModel load(const std::filesystem::path& dir, int window = 0);

  const LmConfig& config() const { return config_; }
  /// Number of parameters the forward pass uses (embedding counted once when tied).
  std::size_t parameter_count() const { return parameters_; }

  // Read by the forward pass.
  const std::vector<float>& embedding() const { return embed_; }        // [vocab × hidden] row-major
  const std::vector<float>& positions() const { return pos_embed_; }    // gpt2: [n_positions × hidden]
  const std::vector<LayerWeights>& layers() const { return layers_; }
  const std::vector<float>& final_norm() const { return final_norm_; }
  const std::vector<float>& final_norm_bias() const { return final_norm_bias_; }
  const PackedLinear& lm_head() const { return lm_head_; }
  /// Rotary tables, [rope_rows() × head_dim/2]: cos/sin(pos · inv_freq[i]) computed in double.
  const std::vector<float>& rope_cos() const { return rope_cos_; }
  const std::vector<float>& rope_sin() const { return rope_sin_; }
  /// Longest sequence the model runs: max_positions (capped at 8192 for the rotary tables).
  int max_tokens() const { return max_tokens_; }

 private:
  LmConfig config_;
  std::size_t parameters_ = 0;
  std::vector<float> embed_, pos_embed_, final_norm_, final_norm_bias_;
  std::vector<LayerWeights> layers_;
  PackedLinear lm_head_;
  std::vector<float> rope_cos_, rope_sin_;
  int max_tokens_ = 0;
};

/// inv_freq[i], i < head_dim/2, of the config's rotary embedding (default, linear or llama3 scaling), in double.
std::vector<double> rope_inverse_frequencies(const LmConfig& config);

}  // namespace mergelab::lm
