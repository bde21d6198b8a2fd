// Which tensors of a checkpoint form its layer stack, which come before it (embeddings) and after it (final
// norm, lm_head, heads), and how many layers it has.
//
//   arch::Architecture a = arch::detect_architecture(names, "models/base/config.json");
//   a.place("model.layers.2.mlp.up_proj.weight")   // {Part::Layer, layer 2, "model.layers.", "mlp.up_proj.weight"}
//   a.renamed("model.layers.2.mlp.up_proj.weight", 5) // "model.layers.5.mlp.up_proj.weight"
//   a.position("model.layers.2.mlp.up_proj.weight")  // t = 2 / (L - 1), the gradient position
//
// Layer schemes known by name (checked in this order): `model.layers.N.` (Llama, Mistral, Qwen2, Gemma, Phi-3),
// `transformer.h.N.` and `h.N.` (GPT-2), `encoder.layer.N.` / `bert.encoder.layer.N.` / `roberta.encoder.layer.N.`
// (BERT style), `gpt_neox.layers.N.`, `model.decoder.layers.N.`, `transformer.blocks.N.`, `layers.N.`. A model whose
// names have no numbered component has no layer stack (MergeLab's MLP fixtures: fc1, fc2). Any other numbered
// names fall back to the name heuristic (the first all-digit component is the layer; recipe::layer_index), which
// is announced in `warnings`.
// Layer count: config.json's num_hidden_layers, else n_layer, else num_layers; without a config.json, the highest
// layer index + 1. A config count that disagrees with the names is kept (as mergekit does) and warned about.
// Outside the stack: a tensor whose name holds "embed", "wte." or "wpe." comes before the stack, every other
// one after it (mergekit's pre_weights / post_weights for the schemes above).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mergelab::arch {

enum class Part { Pre, Layer, Post };

/// Where a tensor sits. For a layer tensor, name == prefix + to_string(layer) + "." + suffix.
struct TensorPlace {
  Part part = Part::Post;
  int layer = -1;
  std::string prefix;  ///< "model.layers." (layer tensors only)
  std::string suffix;  ///< "mlp.up_proj.weight" (layer tensors only)
};

struct Architecture {
  std::string scheme;          ///< "model.layers.N.", ..., "name heuristic", "none" (no layer stack)
  std::string layer_prefix;    ///< the known scheme's prefix ("" for the heuristic and for none)
  bool heuristic = false;      ///< layers found by the first-numeric-component rule
  int n_layers = 0;            ///< layers in the stack (0 = none)
  std::string n_layers_from;   ///< "config.json num_hidden_layers", "tensor names", ...
  std::vector<std::string> warnings;

  TensorPlace place(const std::string& tensor) const;
  /// The name of the same tensor in layer `layer` (unchanged for tensors outside the stack).
  std::string renamed(const std::string& tensor, int layer) const;
  /// Gradient position: layer / (L - 1) for a layer tensor (1 when L == 1), 0 outside the stack.
  double position(const std::string& tensor) const;
};

/// Detects the layer scheme from the tensor names and reads the layer count from `config_json` (a config.json
/// path; "" or a missing file = none). `what` names the model in warnings. Never throws on a malformed
/// config.json: it is ignored with a warning.
Architecture detect_architecture(const std::vector<std::string>& tensors, const std::string& config_json,
                                 const std::string& what = "");

/// The layer count written in a config.json (num_hidden_layers, n_layer, num_layers), with the key it came from.
struct ConfigLayers {
  int count = 0;
  std::string key;
};
std::optional<ConfigLayers> config_layer_count(const std::string& config_json);

/// config.json beside a checkpoint path (a folder, or a file in a folder); "" when there is none.
std::string config_json_of(const std::string& checkpoint_path);

/// True for the vocabulary-indexed tensors (rows = tokens): embeddings (embed_tokens, wte, word_embeddings) and
/// output heads (lm_head, embed_out). Position embeddings are not vocabulary tensors.
bool is_vocab_tensor(const std::string& tensor);

}  // namespace mergelab::arch
