// Planning a `slices:` recipe (mergekit's plan.py): which input tensors feed each output tensor.
//
//   SlicedPlan s = plan_slices(recipe, seed, forced_dtype);   // opens the inputs, reads headers only
//
// Output layers are numbered in output order, slice after slice; output layer j of a slice whose sources span
// layers [a_s, a_s + n) is merged from layer a_s + i of every source s (i = j - first output layer of the slice),
// with the gradient position t = i / (n - 1) (t = 1 when n = 1). Tensors before the layer stack come from the
// first slice's sources, tensors after it from the last slice's, both at t = 0 (as plan.py's ConfigReader(t=0)).
// The method's base / models in each slice follow recipe::slice_layout; a base_model that a slice needs must be
// one of its sources. A layer_range that reaches past a model's layers, a tensor missing from a source, shapes
// or kinds (float / non-float) that differ are refused as EngineError naming the model, the slice and the tensor.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/arch/architecture.h"
#include "core/checkpoint/checkpoint.h"
#include "core/engine/engine.h"

namespace mergelab::engine {

/// The path made absolute and canonical (lexically normalised when it does not exist yet).
std::string canonical_path(const std::string& path);

struct SlicedPlan {
  std::vector<std::string> paths;               ///< distinct inputs (resolved paths), in first-use order
  std::vector<ckpt::Checkpoint> checkpoints;    ///< opened, same order (headers read, no tensor data)
  std::vector<arch::Architecture> archs;        ///< same order
  std::vector<TensorPlan> tensors;              ///< with base_source / model_sources set
  int n_layers = 0;                             ///< layers of the output's stack
  std::uint64_t input_bytes = 0, output_bytes = 0;
  std::vector<std::string> warnings;
};

/// Plans every output tensor of a `slices:` recipe (recipe.slices non-empty, already validated). `forced` is the
/// output dtype when the recipe sets one. Throws EngineError.
SlicedPlan plan_slices(const recipe::Recipe& recipe, std::uint32_t seed, std::optional<ckpt::DType> forced);

}  // namespace mergelab::engine
