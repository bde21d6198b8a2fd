#include "core/engine/output_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/arch/architecture.h"
#include "core/checkpoint/checkpoint.h"
#include "core/recipe/mergekit_yaml.h"

namespace mergelab::engine {

namespace fs = std::filesystem;

namespace {
std::string torch_dtype_name(ckpt::DType d) {
  switch (d) {
    case ckpt::DType::F16: return "float16";
    case ckpt::DType::BF16: return "bfloat16";
    default: return "float32";
  }
}

std::string yaml_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
  return out + "\"";
}

bool is_weight_file(const fs::path& p) {
  const std::string name = p.filename().string();
  const std::string ext = p.extension().string();
  static const std::set<std::string> weights = {".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".gguf", ".h5", ".msgpack"};
  return weights.count(ext) || name == ckpt::kIndexFileName || name == "pytorch_model.bin.index.json" ||
         name == "adapter_config.json" || name == "mergekit_config.yml";
}

bool is_tokenizer_file(const std::string& name) {
  static const std::set<std::string> files = {"tokenizer.json",   "tokenizer_config.json", "special_tokens_map.json",
                                              "vocab.json",       "merges.txt",            "tokenizer.model",
                                              "added_tokens.json", "vocab.txt",            "spiece.model",
                                              "chat_template.jinja"};
  return files.count(name) > 0;
}
}  // namespace

std::vector<std::string> output_copies(const recipe::Recipe& r, const std::string& dir) {
  std::string tok_dir;
  if (r.tokenizer_source == "base") tok_dir = recipe::resolve_path(r, r.base_model);
  else if (!r.tokenizer_source.empty()) tok_dir = recipe::resolve_path(r, r.tokenizer_source);
  std::vector<std::string> out;
  std::error_code ec;
  auto scan = [&](const std::string& folder, bool tokenizer) {
    if (fs::is_directory(folder, ec))
      for (const auto& e : fs::directory_iterator(folder, ec))
        if (e.is_regular_file() && !is_weight_file(e.path()) &&
            (tok_dir.empty() || is_tokenizer_file(e.path().filename().string()) == tokenizer))
          out.push_back(e.path().string());
  };
  scan(dir, false);
  if (!tok_dir.empty()) scan(tok_dir, true);
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return fs::path(a).filename() < fs::path(b).filename();
  });
  return out;
}

std::string model_card(const recipe::Recipe& r, const std::vector<std::string>& inputs) {
  std::ostringstream s;
  s << "---\nbase_model:\n";
  for (const auto& in : inputs) s << "- " << yaml_quoted(in) << "\n";
  s << "library_name: transformers\ntags:\n- merge\n- mergekit\n- mergelab\n---\n";
  s << "# " << (r.source.empty() ? std::string("merged model") : fs::path(r.source).stem().string()) << "\n\n";
  s << "This is a merge of pre-trained language models created with MergeLab, from a mergekit configuration.\n\n";
  s << "## Merge Details\n### Merge Method\n\n";
  const merge::MethodSpec* spec = merge::find_method(r.method);
  const std::string base = r.method == "slerp" ? "" : r.base_model;
  s << "This model was merged using the " << (spec ? spec->label : r.method) << " merge method"
    << (base.empty() ? "" : " using " + base + " as a base") << ".\n\n";
  s << "### Models Merged\n\nThe following models were included in the merge:\n";
  for (const auto& in : inputs)
    if (in != base) s << "* " << in << "\n";
  s << "\n### Configuration\n\nThe following YAML configuration was used to produce this model:\n\n```yaml\n"
    << recipe::to_mergekit_yaml(r) << "```\n";
  return s.str();
}

void add_output_files(MergePlan& plan) {
  // The inputs as the recipe names them, in first-use order.
  std::vector<std::string> inputs;
  auto add_input = [&](const std::string& p) {
    if (!p.empty() && std::find(inputs.begin(), inputs.end(), p) == inputs.end()) inputs.push_back(p);
  };
  const recipe::Recipe& r = plan.recipe;
  add_input(r.base_model);
  for (const auto& m : r.models) add_input(m.path);
  for (const auto& sl : r.slices) {
    add_input(sl.base_model);
    for (const auto& src : sl.sources) add_input(src.path);
  }
  plan.generated_files["README.md"] = model_card(r, inputs);

  std::string config;
  for (const auto& f : plan.copied_files)
    if (fs::path(f).filename() == "config.json") config = f;
  if (config.empty()) return;
  std::ifstream in(config, std::ios::binary);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return;
  bool changed = false;
  auto set = [&](nlohmann::json& scope, const std::string& key, const nlohmann::json& v) {
    if (scope.contains(key) && scope[key] != v) {
      scope[key] = v;
      changed = true;
    }
  };
  nlohmann::json& text = j.contains("text_config") && j["text_config"].is_object() ? j["text_config"] : j;
  if (plan.n_layers > 0)
    for (const char* key : {"num_hidden_layers", "n_layer", "num_layers"})
      if (text.contains(key)) {
        set(text, key, plan.n_layers);
        break;
      }
  std::map<ckpt::DType, std::uint64_t> float_numel;
  for (const auto& t : plan.tensors) {
    if (!t.copied) float_numel[t.out_dtype] += t.numel;
    if (t.shape.size() == 2 && arch::is_vocab_tensor(t.name) && t.name.find("lm_head") == std::string::npos)
      set(text, "vocab_size", t.shape[0]);
  }
  if (!float_numel.empty()) {
    auto most = float_numel.begin();
    for (auto it = float_numel.begin(); it != float_numel.end(); ++it)
      if (it->second > most->second) most = it;
    set(j, "torch_dtype", torch_dtype_name(most->first));
  }
  if (changed) plan.generated_files["config.json"] = j.dump(2) + "\n";
}

}  // namespace mergelab::engine
