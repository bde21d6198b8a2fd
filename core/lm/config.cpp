#include "core/lm/config.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "core/lm/lm_error.h"

namespace mergelab::lm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Reader {
  const json& j;
  const std::string& file;

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw LmError(file + ": field " + field + ": " + problem);
  }
  bool present(const char* key) const { return j.contains(key) && !j.at(key).is_null(); }
  int positive_int(const char* key) const {
    if (!present(key)) fail(key, "missing");
    const json& v = j.at(key);
    if (!v.is_number_integer() || v.get<long long>() <= 0 || v.get<long long>() > (1LL << 30))
      fail(key, "must be a positive integer, got " + v.dump());
    return static_cast<int>(v.get<long long>());
  }
  int positive_int_or(const char* key, int fallback) const { return present(key) ? positive_int(key) : fallback; }
  double positive_number_or(const char* key, double fallback) const {
    if (!present(key)) return fallback;
    const json& v = j.at(key);
    if (!v.is_number() || !(v.get<double>() > 0)) fail(key, "must be a positive number, got " + v.dump());
    return v.get<double>();
  }
  bool boolean_or(const char* key, bool fallback) const {
    if (!present(key)) return fallback;
    if (!j.at(key).is_boolean()) fail(key, "must be true or false, got " + j.at(key).dump());
    return j.at(key).get<bool>();
  }
  std::string string_or(const char* key, const std::string& fallback) const {
    if (!present(key)) return fallback;
    if (!j.at(key).is_string()) fail(key, "must be a string, got " + j.at(key).dump());
    return j.at(key).get<std::string>();
  }
};

Act parse_act(const Reader& r, const char* key, const std::string& fallback) {
  const std::string a = r.string_or(key, fallback);
  if (a == "silu" || a == "swish") return Act::Silu;
  if (a == "gelu") return Act::GeluErf;
  if (a == "gelu_new" || a == "gelu_pytorch_tanh" || a == "gelu_fast") return Act::GeluTanh;
  if (a == "relu") return Act::Relu;
  r.fail(key, "activation '" + a + "' is not implemented (silu, gelu, gelu_new, gelu_pytorch_tanh, relu)");
}

void read_rope_scaling(const Reader& r, LmConfig& c) {
  if (!r.present("rope_scaling")) return;
  const json& s = r.j.at("rope_scaling");
  if (!s.is_object()) r.fail("rope_scaling", "must be an object or null");
  std::string type;
  if (s.contains("rope_type") && s.at("rope_type").is_string()) type = s.at("rope_type").get<std::string>();
  else if (s.contains("type") && s.at("type").is_string()) type = s.at("type").get<std::string>();
  else r.fail("rope_scaling", "has no \"rope_type\" (or \"type\")");
  auto number = [&](const char* key, double fallback) {
    if (!s.contains(key) || s.at(key).is_null()) return fallback;
    if (!s.at(key).is_number() || !(s.at(key).get<double>() > 0))
      r.fail(std::string("rope_scaling.") + key, "must be a positive number, got " + s.at(key).dump());
    return s.at(key).get<double>();
  };
  if (type == "default") return;
  if (type == "linear") {
    c.rope_type = type;
    c.rope_factor = number("factor", 0);
    if (!(c.rope_factor > 0)) r.fail("rope_scaling.factor", "missing");
    return;
  }
  if (type == "llama3") {
    c.rope_type = type;
    c.rope_factor = number("factor", 0);
    if (!(c.rope_factor > 0)) r.fail("rope_scaling.factor", "missing");
    c.rope_low_freq_factor = number("low_freq_factor", 1.0);
    c.rope_high_freq_factor = number("high_freq_factor", 4.0);
    c.rope_original_max_positions = number("original_max_position_embeddings", 8192);
    if (!(c.rope_high_freq_factor > c.rope_low_freq_factor))
      r.fail("rope_scaling", "high_freq_factor must be larger than low_freq_factor");
    return;
  }
  r.fail("rope_scaling", "type '" + type + "' is not implemented (default, linear, llama3)");
}

void read_llama_like(const Reader& r, LmConfig& c) {
  c.hidden = r.positive_int("hidden_size");
  c.intermediate = r.positive_int("intermediate_size");
  c.layers = r.positive_int("num_hidden_layers");
  c.heads = r.positive_int("num_attention_heads");
  c.kv_heads = r.positive_int_or("num_key_value_heads", c.heads);
  if (c.heads % c.kv_heads != 0)
    r.fail("num_key_value_heads", std::to_string(c.kv_heads) + " does not divide num_attention_heads " +
                                      std::to_string(c.heads));
  if (r.present("head_dim")) {
    c.head_dim = r.positive_int("head_dim");
  } else {
    if (c.hidden % c.heads != 0) r.fail("num_attention_heads", "does not divide hidden_size and no head_dim is given");
    c.head_dim = c.hidden / c.heads;
  }
  if (c.head_dim % 2 != 0) r.fail("head_dim", "must be even for rotary embeddings");
  c.vocab = r.positive_int("vocab_size");
  c.max_positions = r.positive_int_or("max_position_embeddings", 2048);
  c.norm_eps = r.positive_number_or("rms_norm_eps", 1e-6);
  c.rope_theta = r.positive_number_or("rope_theta", 10000.0);
  c.act = parse_act(r, "hidden_act", "silu");
  c.tied = r.boolean_or("tie_word_embeddings", false);
  if (c.model_type == "qwen2") {
    c.qkv_bias = true;
  } else if (c.model_type == "llama") {
    c.qkv_bias = c.o_bias = r.boolean_or("attention_bias", false);
    c.mlp_bias = r.boolean_or("mlp_bias", false);
  }
  if (r.present("partial_rotary_factor") && r.j.at("partial_rotary_factor") != 1.0)
    r.fail("partial_rotary_factor", "partial rotary embeddings are not implemented");
  read_rope_scaling(r, c);
  // Sliding-window attention: mistral applies sliding_window when it is set, qwen2 only with use_sliding_window.
  const bool sliding = c.model_type == "qwen2" ? r.boolean_or("use_sliding_window", false) : r.present("sliding_window");
  if (sliding && r.present("sliding_window")) c.sliding_window = r.positive_int("sliding_window");
}

void read_gpt2(const Reader& r, LmConfig& c) {
  c.hidden = r.positive_int("n_embd");
  c.intermediate = r.positive_int_or("n_inner", 4 * c.hidden);
  c.layers = r.positive_int("n_layer");
  c.heads = r.positive_int("n_head");
  if (c.hidden % c.heads != 0) r.fail("n_head", "does not divide n_embd");
  c.kv_heads = c.heads;
  c.head_dim = c.hidden / c.heads;
  c.vocab = r.positive_int("vocab_size");
  c.max_positions = r.positive_int_or("n_positions", 1024);
  c.norm_eps = r.positive_number_or("layer_norm_epsilon", 1e-5);
  c.act = parse_act(r, "activation_function", "gelu_new");
  c.tied = true;
  c.qkv_bias = c.o_bias = c.mlp_bias = true;
  if (r.boolean_or("scale_attn_by_inverse_layer_idx", false))
    r.fail("scale_attn_by_inverse_layer_idx", "true is not implemented");
  if (!r.boolean_or("scale_attn_weights", true)) r.fail("scale_attn_weights", "false is not implemented");
}

}  // namespace

LmConfig parse_lm_config(const std::string& json_text, const std::string& file, int window) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    throw LmError(file + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  if (!j.is_object()) throw LmError(file + ": not a JSON object");
  const Reader r{j, file};
  LmConfig c;
  c.model_type = r.string_or("model_type", "");
  if (c.model_type.empty()) r.fail("model_type", "missing");
  if (c.model_type == "llama" || c.model_type == "mistral" || c.model_type == "qwen2") {
    c.family = Family::Llama;
    read_llama_like(r, c);
  } else if (c.model_type == "gpt2") {
    c.family = Family::Gpt2;
    read_gpt2(r, c);
  } else {
    r.fail("model_type", "'" + c.model_type + "' is not supported (llama, mistral, qwen2, gpt2)");
  }
  const int w = window > 0 ? window : c.default_window();
  if (w > c.max_positions)
    throw LmError(file + ": evaluation window " + std::to_string(w) + " is longer than the model's " +
                  std::to_string(c.max_positions) + " positions");
  if (c.sliding_window > 0 && c.sliding_window < w)
    r.fail("sliding_window", std::to_string(c.sliding_window) + " is shorter than the evaluation window " +
                                 std::to_string(w) + " (sliding-window attention is not implemented)");
  return c;
}

LmConfig load_lm_config(const fs::path& dir_or_file, int window) {
  const fs::path file = fs::is_directory(dir_or_file) ? dir_or_file / "config.json" : dir_or_file;
  std::ifstream in(file, std::ios::binary);
  if (!in) throw LmError(file.string() + ": cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_lm_config(ss.str(), file.string(), window);
}

bool is_lm_config_text(const std::string& json_text) {
  const json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("model_type") || !j.at("model_type").is_string()) return false;
  const std::string t = j.at("model_type").get<std::string>();
  return t == "llama" || t == "mistral" || t == "qwen2" || t == "gpt2";
}

bool is_lm_model_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  if (fs::exists(dir / "adapter_config.json", ec) && !fs::exists(dir / "config.json", ec)) {
    // A PEFT adapter: an LM when its base is one (base_model_name_or_path relative to the adapter folder).
    std::ifstream ain(dir / "adapter_config.json", std::ios::binary);
    std::ostringstream as;
    as << ain.rdbuf();
    const json a = json::parse(as.str(), nullptr, /*allow_exceptions=*/false);
    if (!a.is_object() || !a.contains("base_model_name_or_path") || !a.at("base_model_name_or_path").is_string())
      return false;
    const fs::path base = a.at("base_model_name_or_path").get<std::string>();
    return is_lm_model_dir(base.is_absolute() ? base : dir / base);
  }
  std::ifstream in(dir / "config.json", std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  return is_lm_config_text(ss.str());
}

}  // namespace mergelab::lm
