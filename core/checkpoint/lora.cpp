#include "core/checkpoint/lora.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/checkpoint/strict_json.h"

namespace mergelab::ckpt {

namespace fs = std::filesystem;

namespace {

bool pattern_matches(const std::string& module, const std::string& key) {
  return module == key || (module.size() > key.size() && module.ends_with("." + key));
}

}  // namespace

bool is_lora_adapter(const std::string& dir) {
  std::error_code ec;
  return fs::is_regular_file(fs::path(dir) / "adapter_config.json", ec) &&
         fs::is_regular_file(fs::path(dir) / "adapter_model.safetensors", ec);
}

LoraConfig read_lora_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError(path, "", "cannot open for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  if (text.size() > kMaxHeaderBytes) throw CheckpointError(path, "", "adapter config is too large");
  const nlohmann::json j = parse_strict_json_object(text, path, "adapter config");
  auto fail = [&](const std::string& p) { return CheckpointError(path, "", p); };
  LoraConfig c;
  if (const auto t = j.find("peft_type"); t != j.end() && !(t->is_string() && *t == "LORA"))
    throw fail("peft_type is " + printable(t->dump()) + ", only LORA adapters are supported");
  const auto r = j.find("r");
  if (r == j.end() || !r->is_number_integer() || r->get<long long>() <= 0 || r->get<long long>() > 1 << 20)
    throw fail("\"r\" must be a positive integer");
  c.r = r->get<int>();
  const auto a = j.find("lora_alpha");
  if (a == j.end() || !a->is_number() || !std::isfinite(a->get<double>())) throw fail("\"lora_alpha\" must be a number");
  c.lora_alpha = a->get<double>();
  if (const auto t = j.find("target_modules"); t != j.end()) {
    if (t->is_string()) c.target_modules.push_back(t->get<std::string>());
    else if (t->is_array())
      for (const auto& m : *t) {
        if (!m.is_string()) throw fail("\"target_modules\" holds a non-string");
        c.target_modules.push_back(m.get<std::string>());
      }
    else if (!t->is_null()) throw fail("\"target_modules\" must be a list of names");
  }
  auto flag = [&](const char* k) {
    const auto f = j.find(k);
    return f != j.end() && f->is_boolean() && f->get<bool>();
  };
  c.fan_in_fan_out = flag("fan_in_fan_out");
  c.use_rslora = flag("use_rslora");
  if (flag("use_dora")) throw fail("DoRA adapters (use_dora) are not supported");
  if (const auto b = j.find("bias"); b != j.end() && !(b->is_string() && *b == "none"))
    throw fail("adapters with trained biases (bias = " + printable(b->dump()) + ") are not supported");
  if (const auto m = j.find("modules_to_save"); m != j.end() && !m->is_null() && !(m->is_array() && m->empty()))
    throw fail("adapters with modules_to_save are not supported");
  if (const auto p = j.find("rank_pattern"); p != j.end() && p->is_object())
    for (const auto& [k, v] : p->items()) {
      if (!v.is_number_integer() || v.get<long long>() <= 0) throw fail("rank_pattern['" + printable(k) + "'] must be a positive integer");
      c.rank_pattern[k] = v.get<int>();
    }
  if (const auto p = j.find("alpha_pattern"); p != j.end() && p->is_object())
    for (const auto& [k, v] : p->items()) {
      if (!v.is_number()) throw fail("alpha_pattern['" + printable(k) + "'] must be a number");
      c.alpha_pattern[k] = v.get<double>();
    }
  if (const auto b = j.find("base_model_name_or_path"); b != j.end() && b->is_string()) c.base_model_name_or_path = *b;
  return c;
}

LoraAdapter LoraAdapter::open(const std::string& dir) {
  const fs::path d(dir);
  std::error_code ec;
  if (!fs::is_directory(d, ec)) throw CheckpointError(dir, "", "not a directory (a LoRA adapter is a folder)");
  if (!fs::is_regular_file(d / "adapter_config.json", ec))
    throw CheckpointError(dir, "", "no adapter_config.json (not a PEFT adapter folder)");
  const std::string file_path = (d / "adapter_model.safetensors").string();
  if (!fs::is_regular_file(file_path, ec)) throw CheckpointError(dir, "", "no adapter_model.safetensors");
  LoraAdapter ad(read_lora_config((d / "adapter_config.json").string()), Checkpoint::open(file_path));

  const std::string prefix = "base_model.model.";
  for (const auto& t : ad.file_.tensors()) {
    auto fail = [&](const std::string& p) { return CheckpointError(file_path, t.name, p); };
    std::string key = t.name;
    if (key.rfind(prefix, 0) != 0) throw fail("key does not start with '" + prefix + "'");
    key = key.substr(prefix.size());
    bool is_a = false;
    if (key.ends_with(".lora_A.weight")) is_a = true;
    else if (!key.ends_with(".lora_B.weight"))
      throw fail("not a lora_A/lora_B weight (embedding LoRA, biases and saved modules are not supported)");
    const std::string module = key.substr(0, key.size() - std::string(".lora_A.weight").size());
    if (t.shape.size() != 2) throw fail("LoRA factor must be 2-D, has shape " + shape_string(t.shape));
    if (!dtype_is_float(t.dtype)) throw fail("LoRA factor has dtype " + std::string(dtype_name(t.dtype)));
    Module& m = ad.modules_[module + ".weight"];
    (is_a ? m.a_key : m.b_key) = t.name;
  }
  for (auto& [base, m] : ad.modules_) {
    const std::string module = base.substr(0, base.size() - std::string(".weight").size());
    if (m.a_key.empty() || m.b_key.empty())
      throw CheckpointError(file_path, m.a_key.empty() ? m.b_key : m.a_key, "has no matching " +
                                                                               std::string(m.a_key.empty() ? "lora_A" : "lora_B"));
    const auto& A = ad.file_.at(m.a_key);
    const auto& B = ad.file_.at(m.b_key);
    m.r = A.shape[0];
    m.in = A.shape[1];
    m.out = B.shape[0];
    if (B.shape[1] != m.r)
      throw CheckpointError(file_path, m.b_key, "shape " + shape_string(B.shape) + " does not match lora_A " +
                                                    shape_string(A.shape) + " (ranks differ)");
    double r = ad.config_.r, alpha = ad.config_.lora_alpha;
    for (const auto& [k, v] : ad.config_.rank_pattern)
      if (pattern_matches(module, k)) r = v;
    for (const auto& [k, v] : ad.config_.alpha_pattern)
      if (pattern_matches(module, k)) alpha = v;
    if (static_cast<std::uint64_t>(r) != m.r)
      throw CheckpointError(file_path, m.a_key, "rank " + std::to_string(m.r) + " differs from r = " +
                                                    std::to_string(static_cast<long long>(r)) + " in adapter_config.json");
    m.scale = ad.config_.use_rslora ? alpha / std::sqrt(r) : alpha / r;
  }
  if (ad.modules_.empty()) throw CheckpointError(file_path, "", "adapter holds no LoRA weights");
  return ad;
}

std::vector<std::string> LoraAdapter::base_tensors() const {
  std::vector<std::string> out;
  for (const auto& [name, m] : modules_) out.push_back(name);
  return out;
}

const LoraAdapter::Module& LoraAdapter::module(const std::string& base_tensor) const {
  const auto it = modules_.find(base_tensor);
  if (it == modules_.end()) throw CheckpointError(file_.path(), base_tensor, "not changed by this adapter");
  return it->second;
}

std::vector<std::uint64_t> LoraAdapter::base_shape(const std::string& base_tensor) const {
  const Module& m = module(base_tensor);
  return config_.fan_in_fan_out ? std::vector<std::uint64_t>{m.in, m.out} : std::vector<std::uint64_t>{m.out, m.in};
}

double LoraAdapter::scale(const std::string& base_tensor) const { return module(base_tensor).scale; }

Eigen::MatrixXf LoraAdapter::delta(const std::string& base_tensor) const {
  const Module& m = module(base_tensor);
  const Eigen::MatrixXd A = file_.read_matrix(m.a_key).cast<double>();  // r x in
  const Eigen::MatrixXd B = file_.read_matrix(m.b_key).cast<double>();  // out x r
  Eigen::MatrixXd d = m.scale * (B * A);
  if (config_.fan_in_fan_out) d.transposeInPlace();
  return d.cast<float>();
}

Eigen::VectorXf LoraAdapter::delta_flat(const std::string& base_tensor) const {
  const Eigen::MatrixXf d = delta(base_tensor);
  const RowMajorMatrixXf rm = d;
  return Eigen::Map<const Eigen::VectorXf>(rm.data(), rm.size());
}

}  // namespace mergelab::ckpt
