// A base language model and its fine-tunes held for in-memory merging: the LM side of sweeps and searches.
//
//   LmMergeFamily f = LmMergeFamily::load("models/base", {"models/ft_python", "models/ft_c", "models/lora_python"});
//   LmModel m = f.model(recipe, recipe::merge_layout(recipe), /*seed=*/0);   // nothing written to disk
//   LmReport r = evaluate(m, tasks, {.threads = 2});
//
// The inputs stay memory-mapped (ckpt::Checkpoint): an F32 tensor is read in place, an F16/BF16 one is converted
// tensor by tensor into a small per-call buffer. A PEFT LoRA adapter folder is a model too: its base with
// scale·B·A applied, held in memory (adapters are small next to their base only on disk, so this costs one
// f32 copy of that model). Each candidate is merged tensor by tensor into one flat f32 buffer, packed into an
// LmModel (the model's single f32 copy) and the buffer released, so a candidate costs the model plus, while it
// is being built, one merged copy.
//
// Per-tensor parameters are resolved exactly as `mergelab merge` resolves them (recipe::resolve_params at the
// tensor's name and layer position, L = largest layer number + 1; seeds engine::tensor_seed(seed, name)), so the
// in-memory candidate equals the engine's output for the same recipe and seed. Every model must hold the base's
// weight tensors with the base's shapes. All methods are const and thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/lm/config.h"
#include "core/lm/model.h"
#include "core/merge/registry.h"
#include "core/recipe/recipe.h"

namespace mergelab::lm {

class LmMergeFamily {
 public:
  /// Reads `<base_dir>/config.json` (window as in parse_lm_config) and opens every checkpoint. Throws LmError or
  /// ckpt::CheckpointError naming the file (missing tensor, shape differing from the base's).
  static LmMergeFamily load(const std::filesystem::path& base_dir, const std::vector<std::filesystem::path>& model_dirs,
                            int window = 0);
  LmMergeFamily(LmMergeFamily&&) noexcept;
  LmMergeFamily& operator=(LmMergeFamily&&) noexcept;
  ~LmMergeFamily();

  const LmConfig& config() const;
  std::size_t model_count() const;
  /// The weight tensors merged (the base's floating-point tensors, in its order) and their shapes.
  const std::vector<std::string>& tensor_names() const;
  std::size_t parameter_count() const;  ///< elements of all merged tensors
  /// Layers as the engine counts them (largest layer number in the names + 1) and each tensor's position t.
  int layer_count() const;
  double layer_position(std::size_t tensor) const;

  /// The merged weights of `recipe` (layout = recipe::merge_layout(recipe), whose models must be the family's in
  /// order), flat in tensor_names() order. Throws std::invalid_argument from the registry or on a model count
  /// mismatch.
  std::vector<float> merge(const recipe::Recipe& recipe, const recipe::MergeLayout& layout, std::uint32_t seed = 0) const;
  /// merge() packed into a model (the buffer released). Throws LmError for NaN/inf merged weights.
  LmModel model(const recipe::Recipe& recipe, const recipe::MergeLayout& layout, std::uint32_t seed = 0) const;

 private:
  struct Impl;
  explicit LmMergeFamily(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mergelab::lm
