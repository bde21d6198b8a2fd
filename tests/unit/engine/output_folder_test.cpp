// The merged folder loads as the base did: config.json is the base's with num_hidden_layers, vocab_size and
// torch_dtype brought up to date (every other key unchanged), the tokenizer source's tokenizer files and the
// base's generation_config.json are copied byte for byte, mergekit_config.yml reads back into the same recipe, and
// README.md is a model card with mergekit's front matter. The tiny Llama family (tests/data/tinylm) has real
// names, config.json and tokenizer files, so MergeLab's own LM loader and tokenizer open the output.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/engine/engine.h"
#include "core/lm/model.h"
#include "core/lm/tokenizer.h"
#include "core/recipe/mergekit_yaml.h"
#include "tests/unit/engine/run_options.h"
#include "tests/unit/temp_dir.h"

using namespace mergelab;
namespace fs = std::filesystem;

namespace {
const std::string kTiny = std::string(MERGELAB_TEST_DATA) + "/tinylm";
const std::string kModels = kTiny + "/models";
using mergelab::testing::quiet;
using mergelab::testing::TempDir;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
nlohmann::json json_of(const std::string& path) { return nlohmann::json::parse(slurp(path)); }

/// `yaml` written into `dir` as recipe.yml and merged into dir/out.
recipe::Recipe merge_yaml(const TempDir& dir, const std::string& yaml) {
  dir.write("recipe.yml", yaml);
  recipe::Recipe r = recipe::read_mergekit_yaml(dir / "recipe.yml");
  engine::merge_checkpoints(r, quiet(dir / "out"));
  return r;
}

const char* kText = "def f(x):\n    return x + 1  # the end<|endoftext|>";
}  // namespace

TEST(OutputFolder, ModelsMergeKeepsTheBaseFilesAndUpdatesTorchDtype) {
  TempDir tmp;
  const recipe::Recipe r = merge_yaml(tmp, "merge_method: ties\nbase_model: " + kModels + "/base\nmodels:\n  - model: " +
                                                kModels + "/ft_python\n    parameters: {weight: 0.5, density: 0.5}\n" +
                                                "  - model: " + kModels + "/ft_c\n    parameters: {weight: 0.5, density: 0.5}\n"
                                                "dtype: bfloat16\n");
  // config.json: the base's, torch_dtype now bfloat16 (the output's tensors), nothing else changed.
  nlohmann::json want = json_of(kModels + "/base/config.json");
  want["torch_dtype"] = "bfloat16";
  EXPECT_EQ(json_of(tmp / "out/config.json"), want);
  for (const char* f : {"tokenizer.json", "tokenizer_config.json", "generation_config.json"})
    EXPECT_EQ(slurp(tmp / ("out/" + std::string(f))), slurp(kModels + "/base/" + f)) << f;
  EXPECT_EQ(tmp.entries().size(), 2u);  // recipe.yml and out: no temporary folder left behind
  // The recipe as mergekit YAML reads back into the same recipe.
  EXPECT_EQ(recipe::read_mergekit_yaml(tmp / "out/mergekit_config.yml"), r);
  // The model card: mergekit's front matter, the inputs in first-use order.
  const std::string card = slurp(tmp / "out/README.md");
  EXPECT_EQ(card.substr(0, card.find("# ")),
            "---\nbase_model:\n- \"" + kModels + "/base\"\n- \"" + kModels + "/ft_python\"\n- \"" + kModels +
                "/ft_c\"\nlibrary_name: transformers\ntags:\n- merge\n- mergekit\n- mergelab\n---\n");
  EXPECT_NE(card.find("merge_method: ties"), std::string::npos);
  // It loads as the base does: same tokens for the same text, and the LM loader accepts config + tensors.
  EXPECT_EQ(lm::Tokenizer::load(tmp / "out").encode(kText), lm::Tokenizer::load(kModels + "/base").encode(kText));
  const lm::LmModel m = lm::LmModel::load(tmp / "out");
  EXPECT_EQ(m.config().layers, 3);
}

TEST(OutputFolder, FrankenmergeConfigCountsTheStackedLayersAndLoads) {
  TempDir tmp;
  merge_yaml(tmp, "merge_method: passthrough\nslices:\n  - sources:\n      - {model: " + kModels +
                      "/base, layer_range: [0, 3]}\n  - sources:\n      - {model: " + kModels +
                      "/ft_c, layer_range: [1, 3]}\n");
  nlohmann::json want = json_of(kModels + "/base/config.json");
  want["num_hidden_layers"] = 5;
  EXPECT_EQ(json_of(tmp / "out/config.json"), want);
  const lm::LmModel m = lm::LmModel::load(tmp / "out");
  EXPECT_EQ(m.config().layers, 5);
}

TEST(OutputFolder, TokenizerSourceModelGivesItsTokenizerFilesAndTheBaseConfig) {
  // A copy of ft_c whose tokenizer files differ from the base's (a marker key, a special_tokens_map.json and
  // GPT-2-style vocab.json / merges.txt): they are the ones the output gets, config.json stays the base's.
  TempDir tmp;
  const std::string tok = tmp / "tok_model";
  fs::create_directories(tok);
  for (const char* f : {"model.safetensors", "config.json", "generation_config.json", "tokenizer.json"})
    fs::copy_file(kModels + "/ft_c/" + f, tok + "/" + f);
  nlohmann::json tc = json_of(kModels + "/ft_c/tokenizer_config.json");
  tc["model_max_length"] = 128;
  std::ofstream(tok + "/tokenizer_config.json") << tc.dump(2);
  std::ofstream(tok + "/special_tokens_map.json") << "{\"eos_token\": \"<|endoftext|>\"}\n";
  std::ofstream(tok + "/vocab.json") << "{\"a\": 0}\n";
  std::ofstream(tok + "/merges.txt") << "#version: 0.2\n";
  std::ofstream(tok + "/generation_config.json") << "{\"marker\": \"not the base's\"}\n";
  merge_yaml(tmp, "merge_method: linear\nmodels:\n  - model: " + kModels + "/base\n    parameters: {weight: 1}\n" +
                      "  - model: " + tok + "\n    parameters: {weight: 1}\ntokenizer_source: " + tok + "\n");
  for (const char* f : {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt"})
    EXPECT_EQ(slurp(tmp / ("out/" + std::string(f))), slurp(tok + "/" + f)) << f;
  EXPECT_EQ(slurp(tmp / "out/config.json"), slurp(kModels + "/base/config.json"));
  EXPECT_EQ(slurp(tmp / "out/generation_config.json"), slurp(kModels + "/base/generation_config.json"));
}
