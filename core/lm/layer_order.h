// Tensors of a transformer checkpoint in layer order, and a per-layer summary (what `mergelab inspect` lists).
//
// safetensors headers (and so ckpt::Checkpoint::tensors()) are sorted as plain strings, which puts
// "model.layers.10.mlp..." before "model.layers.2.mlp...". natural_less compares names with every run of digits
// taken as a number ("layers.2" < "layers.10"; equal values with more leading zeros sort after), so the layers
// of a listing come in the order the model runs them: layer 0, 1, 2, ..., 10, ... (names without a layer number
// keep their alphabetical place around them: "lm_head.weight", "model.embed_tokens.weight", ..., "model.norm.weight").
//
//   std::vector<std::string> names = ...;
//   std::sort(names.begin(), names.end(), natural_less);
//   std::vector<LayerSummary> s = summarize_layers(infos);   // one row per layer number, then the rest
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mergelab::lm {

/// Natural order of tensor names: digit runs compared by value. A strict weak ordering.
bool natural_less(std::string_view a, std::string_view b);

/// One tensor as a summary needs it.
struct TensorEntry {
  std::string name;
  std::uint64_t elements = 0, bytes = 0;
};

struct LayerSummary {
  int layer = -1;  ///< the layer number (recipe::layer_index of the names), -1 for tensors outside the stack
  std::size_t tensors = 0;
  std::uint64_t elements = 0, bytes = 0;
};

/// One row per layer number in increasing order, then (when there are any) one row with layer -1 for the tensors
/// outside the layer stack (embeddings, final norm, head).
std::vector<LayerSummary> summarize_layers(const std::vector<TensorEntry>& tensors);

}  // namespace mergelab::lm
