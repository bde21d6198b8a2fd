#include "core/arch/architecture.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/recipe/recipe.h"

namespace mergelab::arch {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string>& known_prefixes() {
  static const std::vector<std::string> p = {"model.layers.",         "transformer.h.",       "h.",
                                             "bert.encoder.layer.",   "roberta.encoder.layer.", "encoder.layer.",
                                             "gpt_neox.layers.",      "model.decoder.layers.", "transformer.blocks.",
                                             "layers."};
  return p;
}

/// The layer number right after `prefix` when name = prefix + digits + "." + more; else -1.
int layer_after(const std::string& name, const std::string& prefix) {
  if (name.compare(0, prefix.size(), prefix) != 0) return -1;
  size_t i = prefix.size(), j = i;
  while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j]))) ++j;
  if (j == i || j - i > 8 || j >= name.size() - 1 || name[j] != '.') return -1;
  return std::stoi(name.substr(i, j - i));
}

/// The heuristic's split: prefix up to the first all-digit component (not the last one).
std::optional<TensorPlace> heuristic_place(const std::string& name) {
  const auto layer = recipe::layer_index(name);
  if (!layer) return std::nullopt;
  size_t start = 0;
  while (start < name.size()) {
    const size_t end = name.find('.', start);
    if (end == std::string::npos) break;
    bool digits = end > start;
    for (size_t i = start; i < end; ++i) digits = digits && std::isdigit(static_cast<unsigned char>(name[i]));
    if (digits) return TensorPlace{Part::Layer, *layer, name.substr(0, start), name.substr(end + 1)};
    start = end + 1;
  }
  return std::nullopt;
}

Part outside_part(const std::string& name) {
  const bool pre = name.find("embed") != std::string::npos || name.find("wte.") != std::string::npos ||
                   name.find("wpe.") != std::string::npos || name.rfind("wte", 0) == 0;
  return pre ? Part::Pre : Part::Post;
}

}  // namespace

TensorPlace Architecture::place(const std::string& tensor) const {
  if (!layer_prefix.empty()) {
    const int l = layer_after(tensor, layer_prefix);
    if (l >= 0) {
      const size_t dot = tensor.find('.', layer_prefix.size());
      return {Part::Layer, l, layer_prefix, tensor.substr(dot + 1)};
    }
  } else if (heuristic) {
    if (auto p = heuristic_place(tensor)) return *p;
  }
  return {outside_part(tensor), -1, "", ""};
}

std::string Architecture::renamed(const std::string& tensor, int layer) const {
  const TensorPlace p = place(tensor);
  if (p.part != Part::Layer) return tensor;
  return p.prefix + std::to_string(layer) + "." + p.suffix;
}

double Architecture::position(const std::string& tensor) const {
  const TensorPlace p = place(tensor);
  if (p.part != Part::Layer) return 0.0;
  if (n_layers <= 1) return 1.0;
  return std::clamp(static_cast<double>(p.layer) / static_cast<double>(n_layers - 1), 0.0, 1.0);
}

std::optional<ConfigLayers> config_layer_count(const std::string& config_json) {
  if (config_json.empty()) return std::nullopt;
  std::ifstream in(config_json, std::ios::binary);
  if (!in) return std::nullopt;
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  // Multimodal configs keep the language model's count in text_config.
  for (const nlohmann::json* scope : {&j, j.contains("text_config") ? &j.at("text_config") : nullptr}) {
    if (!scope || !scope->is_object()) continue;
    for (const char* key : {"num_hidden_layers", "n_layer", "num_layers"})
      if (scope->contains(key) && scope->at(key).is_number_integer() && scope->at(key).get<long long>() >= 0 &&
          scope->at(key).get<long long>() < 1000000)
        return ConfigLayers{static_cast<int>(scope->at(key).get<long long>()), key};
  }
  return std::nullopt;
}

std::string config_json_of(const std::string& checkpoint_path) {
  std::error_code ec;
  fs::path dir = fs::is_directory(checkpoint_path, ec) ? fs::path(checkpoint_path) : fs::path(checkpoint_path).parent_path();
  if (dir.empty()) dir = ".";
  const fs::path c = dir / "config.json";
  return fs::is_regular_file(c, ec) ? c.string() : "";
}

bool is_vocab_tensor(const std::string& t) {
  return t.find("embed_tokens") != std::string::npos || t.find("wte.") != std::string::npos || t.rfind("wte", 0) == 0 ||
         t.find("word_embeddings") != std::string::npos || t.find("lm_head") != std::string::npos ||
         t.find("embed_out") != std::string::npos;
}

Architecture detect_architecture(const std::vector<std::string>& tensors, const std::string& config_json,
                                 const std::string& what) {
  Architecture a;
  const std::string who = what.empty() ? std::string("model") : what;
  int max_layer = -1;
  for (const auto& prefix : known_prefixes()) {
    for (const auto& t : tensors) max_layer = std::max(max_layer, layer_after(t, prefix));
    if (max_layer >= 0) {
      a.layer_prefix = prefix;
      a.scheme = prefix + "N.";
      break;
    }
  }
  if (max_layer < 0) {
    for (const auto& t : tensors)
      if (auto l = recipe::layer_index(t)) max_layer = std::max(max_layer, *l);
    if (max_layer >= 0) {
      a.heuristic = true;
      a.scheme = "name heuristic";
      a.warnings.push_back(who + ": tensor names follow no known layer scheme (model.layers.N., h.N., encoder.layer.N., ...); "
                                 "the first numeric name component is taken as the layer index");
    } else {
      a.scheme = "none";
    }
  }
  const int from_names = max_layer + 1;
  const auto cfg = config_layer_count(config_json);
  if (cfg && max_layer >= 0) {
    a.n_layers = cfg->count;
    a.n_layers_from = "config.json " + cfg->key;
    if (cfg->count != from_names)
      a.warnings.push_back(who + ": config.json gives " + cfg->key + " = " + std::to_string(cfg->count) +
                           " but the tensor names go to layer " + std::to_string(max_layer) + "; " + cfg->key + " is used");
  } else {
    a.n_layers = std::max(from_names, 0);
    a.n_layers_from = max_layer >= 0 ? "tensor names" : "no layer stack";
  }
  return a;
}

}  // namespace mergelab::arch
