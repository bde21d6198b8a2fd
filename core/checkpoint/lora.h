// PEFT LoRA adapters as task vectors.
//
// A PEFT LoRA folder holds adapter_config.json (r, lora_alpha, target_modules, ...) and
// adapter_model.safetensors with, per adapted module <m>:
//   base_model.model.<m>.lora_A.weight   [r, in]
//   base_model.model.<m>.lora_B.weight   [out, r]
// The adapter changes the base tensor <m>.weight [out, in] by
//   Delta W = scale * B * A,   scale = lora_alpha / r   (lora_alpha / sqrt(r) with use_rslora)
// transposed when fan_in_fan_out is set (Conv1D-style weights stored [in, out]). rank_pattern / alpha_pattern
// override r / lora_alpha for modules whose name equals a key or ends with "." + key. Delta W is computed in
// double and returned as f32, so an adapter can take part in any merge as the task vector of <m>.weight.
// Refused with a CheckpointError: DoRA, bias != "none", modules_to_save, embedding LoRA, keys of any other form,
// A/B pairs that are incomplete or whose ranks disagree.
#pragma once

#include <Eigen/Core>

#include <map>
#include <string>
#include <vector>

#include "core/checkpoint/checkpoint.h"

namespace mergelab::ckpt {

struct LoraConfig {
  int r = 0;
  double lora_alpha = 0;
  std::vector<std::string> target_modules;
  bool fan_in_fan_out = false;
  bool use_rslora = false;
  std::map<std::string, int> rank_pattern;
  std::map<std::string, double> alpha_pattern;
  std::string base_model_name_or_path;
};

/// Reads and validates adapter_config.json. Throws CheckpointError naming the file.
LoraConfig read_lora_config(const std::string& path);

/// True when `dir` holds adapter_config.json and adapter_model.safetensors.
bool is_lora_adapter(const std::string& dir);

class LoraAdapter {
 public:
  /// Opens a PEFT adapter folder (validates config, file and key layout). Throws CheckpointError.
  static LoraAdapter open(const std::string& dir);

  const LoraConfig& config() const { return config_; }
  const Checkpoint& file() const { return file_; }
  /// Names of the base tensors the adapter changes ("fc1.weight", ...), sorted.
  std::vector<std::string> base_tensors() const;
  /// Shape [out, in] of the base tensor `base_tensor` as implied by the adapter.
  std::vector<std::uint64_t> base_shape(const std::string& base_tensor) const;
  /// scale for `base_tensor` (lora_alpha / r, or the rsLoRA / pattern variant).
  double scale(const std::string& base_tensor) const;
  /// Delta W for `base_tensor` as an [out, in] matrix (M(i, j) = Delta W[i][j]).
  Eigen::MatrixXf delta(const std::string& base_tensor) const;
  /// Delta W flattened row-major (the layout of the base tensor in a safetensors file).
  Eigen::VectorXf delta_flat(const std::string& base_tensor) const;

 private:
  struct Module {
    std::string a_key, b_key;
    std::uint64_t r = 0, in = 0, out = 0;
    double scale = 1;
  };
  LoraAdapter(LoraConfig config, Checkpoint file) : config_(std::move(config)), file_(std::move(file)) {}
  const Module& module(const std::string& base_tensor) const;
  LoraConfig config_;
  Checkpoint file_;
  std::map<std::string, Module> modules_;  // keyed by base tensor name
};

}  // namespace mergelab::ckpt
