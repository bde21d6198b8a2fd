// Compatibility of a base checkpoint and the models to merge with it, checked before any merge.
//
// Per model: tensors missing (in the base, not in the model) and extra (in the model, not in the base), shape and
// dtype mismatches, non-float tensors (integer/bool/F8) that will be copied from the base or that block the merge,
// and whether the model looks like a fine-tune of the base at all.
// Non-float tensors are never merged; the merge copies the base's bytes (as mergekit does). That needs every
// model's copy to hold the same dtype and bytes (mergekit refuses a difference too); a model without the tensor
// is fine (the base's copy is written). A tensor that is float on one side and not on the other cannot be merged. A fine-tune stays close to its base: the cosine of the full flattened weights (all common
// float tensors of equal shape, accumulated in double) is near 1 (0.994-0.998 on the digits fixtures), while a
// model trained from another initialisation is near 0 (0.02-0.03). A model is flagged "not a fine-tune" when
//   cosine < min_cosine (default 0.5), or
//   with >= 2 other models: 1 - cosine > outlier_factor (default 10) x the median of the others' 1 - cosine
//   and cosine < outlier_max_cosine (default 0.95): far below the others.
// Tensors are streamed one at a time; memory stays at one tensor per model.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/lora.h"

namespace mergelab::ckpt {

struct TensorMismatch {
  std::string tensor;
  std::string base;   ///< "[64, 64]" or "F32"
  std::string model;  ///< the model's
};

struct ModelCompat {
  std::string path;
  std::vector<std::string> missing;  ///< in the base, absent from the model
  std::vector<std::string> extra;    ///< in the model, absent from the base
  std::vector<TensorMismatch> shape_mismatches;
  std::vector<TensorMismatch> dtype_mismatches;  ///< informative: F16 vs F32 still merges (converted to f32)
  std::vector<std::string> copied;         ///< non-float tensors equal to the base's (or absent): copied unchanged
  std::vector<std::string> not_mergeable;  ///< non-float tensors that differ from the base's, float vs non-float
  double cosine_to_base = std::numeric_limits<double>::quiet_NaN();
  double relative_distance = std::numeric_limits<double>::quiet_NaN();  ///< |theta - base| / |base|
  bool not_a_finetune = false;
  std::string finetune_note;  ///< why it was flagged (empty when not)

  /// True when the model can be merged with the base: nothing missing, no shape mismatch, nothing unmergeable,
  /// and not flagged. Extra tensors and dtype differences do not block a merge.
  bool mergeable() const {
    return missing.empty() && shape_mismatches.empty() && not_mergeable.empty() && !not_a_finetune;
  }
};

struct CompatOptions {
  double min_cosine = 0.5;
  double outlier_factor = 10.0;
  double outlier_max_cosine = 0.95;
};

struct CompatReport {
  std::string base;
  std::vector<ModelCompat> models;
  bool ok() const;
  /// Human-readable lines, one finding per line ("ok" lines for clean models).
  std::string to_text() const;
};

/// Models may be full checkpoints or LoRA adapters (seen as base + Delta W; only adapted tensors differ).
struct ModelRef {
  const Checkpoint* checkpoint = nullptr;
  const LoraAdapter* adapter = nullptr;
  std::string path;
};

CompatReport check_compatibility(const Checkpoint& base, const std::vector<ModelRef>& models,
                                 const CompatOptions& options = {});

}  // namespace mergelab::ckpt
