#include "core/recipe/recipe.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/recipe/mergekit_yaml.h"

using namespace mergelab;
using namespace mergelab::recipe;

namespace {
const std::string kMergekit = std::string(MERGELAB_TEST_DATA) + "/digits/mergekit";
const std::vector<std::string> kFixtures = {"linear", "slerp", "task_arithmetic", "ties", "breadcrumbs_ties",
                                            "model_stock", "dare_ties", "nuslerp", "nuslerp_rowwise_nobase",
                                            "multislerp", "karcher", "sce", "ram", "ramplus_tl", "nearswap",
                                            "arcee_fusion"};

Recipe parse(const std::string& text, YamlReadOptions opt = {.check_paths = false}) {
  return parse_mergekit_yaml(text, "test.yml", "/models", opt);
}

std::string error_of(const std::string& text, YamlReadOptions opt = {.check_paths = false}) {
  try {
    parse(text, opt);
  } catch (const RecipeError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(MergekitYaml, ReadsTheFixturesAsWritten) {
  const Recipe ties = read_mergekit_yaml(kMergekit + "/ties.yml");
  EXPECT_EQ(ties.method, "ties");
  EXPECT_EQ(ties.base_model, "../models/base");
  ASSERT_EQ(ties.models.size(), 3u);
  EXPECT_EQ(ties.models[1].path, "../models/ft_task1");
  EXPECT_EQ(ties.models[2].params.at("density"), ParamSetting::scalar(0.2));
  EXPECT_EQ(ties.params.at("normalize"), ParamSetting::scalar(1.0));
  EXPECT_EQ(ties.dtype, "float32");
  EXPECT_EQ(resolve_path(ties, ties.base_model),
            (std::filesystem::path(kMergekit) / "../models/base").lexically_normal().string());
  const Recipe ta = read_mergekit_yaml(kMergekit + "/task_arithmetic.yml");
  EXPECT_EQ(ta.models[2].params.at("weight"), ParamSetting::scalar(-0.3));
}

TEST(MergekitYaml, EveryFixtureRoundTrips) {
  for (const auto& name : kFixtures) {
    SCOPED_TRACE(name);
    const Recipe a = read_mergekit_yaml(kMergekit + "/" + name + ".yml");
    const std::string yaml = to_mergekit_yaml(a, a.base_dir);
    const Recipe b = parse_mergekit_yaml(yaml, "written.yml", a.base_dir);
    EXPECT_EQ(a, b) << yaml;
    EXPECT_EQ(to_mergekit_yaml(b, b.base_dir), yaml);  // writing is stable
  }
}

TEST(MergekitYaml, GradientsFiltersAndChoicesRoundTrip) {
  const Recipe a = parse(R"(
merge_method: ties
base_model: base
models:
  - model: a
    parameters:
      weight: [0.0, 0.5, 1.0]
      density:
        - filter: mlp
          value: [0.2, 0.8]
        - value: 0.5
  - model: b
    parameters: {weight: 1}
parameters:
  normalize: false
  rescale: true
  sign_rule: count
  int8_mask: true
  lambda: 0.75
out_dtype: bfloat16
)");
  EXPECT_EQ(a.models[0].params.at("weight"), ParamSetting::gradient({0.0, 0.5, 1.0}));
  const ParamSetting& d = a.models[0].params.at("density");
  ASSERT_TRUE(d.conditional);
  ASSERT_EQ(d.entries.size(), 2u);
  EXPECT_EQ(d.entries[0].filter, "mlp");
  EXPECT_EQ(a.params.at("rescale"), ParamSetting::scalar(2.0));    // mergekit's true = L1 match
  EXPECT_EQ(a.params.at("sign_rule"), ParamSetting::scalar(0.0));  // "count" is choice 0
  const std::string yaml = to_mergekit_yaml(a);
  EXPECT_NE(yaml.find("weight: [0.0, 0.5, 1.0]"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("rescale: true"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("MergeLab-only settings (mergekit ignores them and uses its own rule): sign_rule"), std::string::npos)
      << yaml;
  EXPECT_EQ(parse(yaml), a);
  EXPECT_EQ(recipe_from_json(recipe_to_json(a)), a);
}

TEST(MergekitYaml, RefusesWhatItCannotDoWithOneClearMessage) {
  const std::string head = "merge_method: ties\nbase_model: base\n";
  EXPECT_EQ(error_of("merge_method: ties\nmodules:\n  text:\n    models: [a]\n"),
            "test.yml:3: 'modules' is not supported (it is for models made of several modules, e.g. vision + language); "
            "write the merge with 'models:' or 'slices:'");
  EXPECT_EQ(error_of("merge_method: linear\nmodels: [a]\nslices:\n  - sources: [{model: a, layer_range: [0, 1]}]\n"),
            "test.yml:4: give either 'models' or 'slices', not both");
  EXPECT_EQ(error_of("merge_method: linear\nslices:\n  - sources:\n      - {model: a, layer_range: [0, 2]}\n"
                     "      - {model: b, layer_range: [1, 2]}\n"),
            "test.yml: slice 1 (line 5): all sources of a slice must span the same number of layers ('a' spans 2, "
            "'b' spans 1)");
  EXPECT_EQ(error_of("merge_method: linear\nslices:\n  - sources:\n      - {model: a, layer_range: [2, 2]}\n"),
            "test.yml: slice 1 (line 4): layer_range [2, 2] of 'a' is empty or negative (it is [first, last + 1))");
  EXPECT_EQ(error_of("merge_method: linear\nslices:\n  - sources:\n      - {model: a, layer_range: [0, x]}\n"),
            "test.yml:4: layer_range must be two integers [first, last + 1], got 'x'");
  EXPECT_EQ(error_of("merge_method: linear\nslices:\n  - sources:\n      - {model: a, layer_rnage: [0, 1]}\n"),
            "test.yml:4: slices: unknown key 'layer_rnage' in a source (did you mean 'layer_range'?)");
  EXPECT_EQ(error_of("merge_method: passthrough\nslices:\n  - sources:\n      - {model: a, layer_range: [0, 1]}\n"
                     "      - {model: b, layer_range: [0, 1]}\n"),
            "test.yml: slice 1 (line 3): passthrough: needs exactly 1 model, got 2");
  EXPECT_EQ(error_of("merge_method: linear\nmodels: [a]\ntokenizer:\n  source: union\n"),
            "test.yml:4: the 'tokenizer:' block (tokens added or re-mapped) is not supported; give "
            "'tokenizer_source: base' or the model whose tokenizer the output keeps");
  EXPECT_EQ(error_of("merge_method: linear\nmodels: [a]\ntokenizer_source: union\n"),
            "test.yml:3: tokenizer_source: union (a vocabulary built from every model's) is not supported; give "
            "'base' or the model whose tokenizer the output keeps");
  EXPECT_NE(error_of("merge_method: dare-ties\nmodels: [a]\n").find("unknown merge_method 'dare-ties' (did you mean 'dare_ties'?)"),
            std::string::npos);
  EXPECT_NE(error_of(head + "models:\n  - model: a\n    parameters: {densty: 0.5}\n")
                .find("test.yml:5: ties: unknown parameter 'densty' (did you mean 'density'?) (known: weight, density"),
            std::string::npos);
  EXPECT_NE(error_of("merge_method: frankenmerge\nmodels: [a]\n").find("unknown merge_method 'frankenmerge' (known: linear"),
            std::string::npos);
  EXPECT_NE(error_of(head + "models:\n  - model: a\n    parameters: {wieght: 1}\n").find("test.yml:5: ties: unknown parameter 'wieght'"),
            std::string::npos);
  EXPECT_NE(error_of(head + "models:\n  - model: a\n    parameters: {density: 1.5}\n").find("parameter density of model 'a' is 1.5, outside [0, 1]"),
            std::string::npos);
  EXPECT_NE(error_of(head + "models: [a]\nparameters: {lambda: abc}\n").find("parameter lambda: expected a number, got 'abc'"),
            std::string::npos);
  EXPECT_NE(error_of(head + "models:\n  - model: a\n    parameters: {normalize: true}\n").find("normalize cannot be set per model"),
            std::string::npos);
  EXPECT_NE(error_of("merge_method: ties\nmodels: [a]\n").find("ties: needs a base_model"), std::string::npos);
  EXPECT_NE(error_of("merge_method: model_stock\nbase_model: b\nmodels: [a]\n").find("at least 2 models besides the base, got 1"),
            std::string::npos);
  EXPECT_NE(error_of(head + "models: [a]\ndtype: int8\n").find("dtype 'int8' is not supported"), std::string::npos);
  EXPECT_NE(error_of(head + "models: [\n").find("test.yml:"), std::string::npos);
}

TEST(MergekitYaml, HubNamesAreRefused) {
  try {
    parse_mergekit_yaml("merge_method: linear\nmodels:\n  - model: mistralai/Mistral-7B-v0.1\n", "hub.yml", kMergekit, {});
    FAIL() << "a hub name was accepted";
  } catch (const RecipeError& e) {
    EXPECT_NE(std::string(e.what()).find("hub.yml:3: model 'mistralai/Mistral-7B-v0.1' is not a local file or directory"),
              std::string::npos)
        << e.what();
  }
}

TEST(MergekitYaml, TokenizerSourceIsReadAndChatTemplateIgnoredWithAWarning) {
  const Recipe r = parse("merge_method: linear\nmodels: [a, b]\ntokenizer_source: b\nchat_template: chatml\n");
  EXPECT_EQ(r.tokenizer_source, "b");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("'chat_template' ignored"), std::string::npos);
  EXPECT_EQ(recipe_from_json(recipe_to_json(r)), r);
  EXPECT_EQ(parse(to_mergekit_yaml(r)), r);
}

TEST(MergekitYaml, ReadsSlicesWithParametersAtEveryLevel) {
  const Recipe r = parse(
      "merge_method: linear\nslices:\n  - sources:\n      - model: a\n        layer_range: [0, 2]\n"
      "      - model: b\n        layer_range: [1, 3]\n        parameters: {weight: 0.7}\n    parameters:\n      weight:\n"
      "        - filter: self_attn\n          value: [0, 1]\n        - value: 0.5\n  - sources:\n"
      "      - {model: a, layer_range: [2, 3]}\n      - {model: b, layer_range: [0, 1]}\nparameters: {weight: 0.25}\n");
  ASSERT_EQ(r.slices.size(), 2u);
  EXPECT_TRUE(r.models.empty());
  EXPECT_EQ(r.slices[0].sources[1].path, "b");
  EXPECT_EQ(r.slices[0].sources[1].layer_begin, 1);
  EXPECT_EQ(r.slices[0].sources[1].layer_end, 3);
  EXPECT_EQ(r.slices[0].sources[1].line, 6);
  EXPECT_EQ(r.slices[0].sources[1].params.at("weight"), ParamSetting::scalar(0.7));
  EXPECT_TRUE(r.slices[0].params.at("weight").conditional);
  EXPECT_EQ(r.params.at("weight"), ParamSetting::scalar(0.25));
  // Round trips: YAML and JSON.
  EXPECT_EQ(parse(to_mergekit_yaml(r)), r);
  EXPECT_EQ(recipe_from_json(recipe_to_json(r)), r);
  // Precedence (mergekit's ConfigReader): source > slice > top level.
  auto w = [&](size_t slice, const std::string& name, double t, int model) {
    return resolve_slice_params(r, slice, slice_layout(r, slice), name, {name, name}, t).get("weight", model);
  };
  const std::string attn = "model.layers.0.self_attn.q_proj.weight", mlp = "model.layers.0.mlp.up_proj.weight";
  EXPECT_DOUBLE_EQ(w(0, attn, 0.25, 1), 0.7);   // b: its source's value
  EXPECT_DOUBLE_EQ(w(0, attn, 0.25, 0), 0.25);  // a: the slice's gradient [0, 1] at t = 0.25
  EXPECT_DOUBLE_EQ(w(0, mlp, 0.25, 0), 0.5);    // a: the slice's catch-all
  EXPECT_DOUBLE_EQ(w(1, mlp, 1.0, 0), 0.25);    // slice 2: the top level
  EXPECT_DOUBLE_EQ(w(1, mlp, 1.0, 1), 0.25);
}

TEST(Recipe, GradientsInterpolatePiecewiseLinearlyLikeMergekit) {
  const ParamValue v{{0.0, 1.0, 3.0}};
  EXPECT_DOUBLE_EQ(v.at(0.0), 0.0);
  EXPECT_DOUBLE_EQ(v.at(0.25), 0.5);  // scaled 0.5: halfway between 0 and 1
  EXPECT_DOUBLE_EQ(v.at(0.5), 1.0);
  EXPECT_DOUBLE_EQ(v.at(0.75), 2.0);
  EXPECT_DOUBLE_EQ(v.at(1.0), 3.0);
  EXPECT_DOUBLE_EQ(ParamValue{{7.0}}.at(0.3), 7.0);
}

TEST(Recipe, LayerPositions) {
  EXPECT_EQ(layer_index("model.layers.12.mlp.up_proj.weight"), 12);
  EXPECT_EQ(layer_index("transformer.h.3.attn.c_attn.weight"), 3);
  EXPECT_EQ(layer_index("model.embed_tokens.weight"), std::nullopt);
  EXPECT_EQ(layer_index("fc1.weight"), std::nullopt);
  EXPECT_EQ(layer_index("bias.7"), std::nullopt);  // a trailing number is not a layer
  EXPECT_DOUBLE_EQ(layer_position("model.layers.0.w", 5), 0.0);
  EXPECT_DOUBLE_EQ(layer_position("model.layers.3.w", 5), 0.75);
  EXPECT_DOUBLE_EQ(layer_position("model.layers.4.w", 5), 1.0);
  EXPECT_DOUBLE_EQ(layer_position("lm_head.weight", 5), 0.0);  // outside the stack: the first value
  EXPECT_DOUBLE_EQ(layer_position("model.layers.0.w", 1), 1.0);  // a single layer: mergekit's t = 1
}

TEST(Recipe, ParametersResolvePerTensorFiltersFirstMatchThenFallThrough) {
  const Recipe r = parse(R"(
merge_method: ties
base_model: base
models:
  - model: a
    parameters:
      weight: [1.0, 2.0]
      density:
        - filter: attn
          value: 0.1
        - filter: mlp
          value: 0.2
        - filter: attn.q
          value: 0.9
  - model: b
    parameters:
      density:
        - filter: never
          value: 0.3
parameters:
  density: 0.6
  lambda:
    - filter: embed
      value: 0.5
)");
  const MergeLayout layout = merge_layout(r);
  ASSERT_EQ(layout.models.size(), 2u);
  auto at = [&](const std::string& tensor, double t) { return resolve_params(r, layout, tensor, t, 7); };
  const merge::Params q = at("layers.1.attn.q.weight", 0.5);
  EXPECT_DOUBLE_EQ(q.get("density", 0), 0.1);  // the first matching filter wins over the later 'attn.q'
  EXPECT_DOUBLE_EQ(q.get("density", 1), 0.6);  // no filter of model b matches: the top-level value
  EXPECT_DOUBLE_EQ(q.get("weight", 0), 1.5);   // gradient at t = 0.5
  EXPECT_DOUBLE_EQ(q.get("weight", 1), 1.0);   // default
  EXPECT_DOUBLE_EQ(q.get("lambda"), 1.0);      // filter 'embed' does not match: the default
  EXPECT_EQ(q.seed, 7u);
  const merge::Params e = at("embed_tokens.weight", 0.0);
  EXPECT_DOUBLE_EQ(e.get("density", 0), 0.6);  // model a's filters do not match
  EXPECT_DOUBLE_EQ(e.get("lambda"), 0.5);
  EXPECT_DOUBLE_EQ(e.get("weight", 0), 1.0);
  EXPECT_DOUBLE_EQ(at("layers.1.mlp.weight", 1.0).get("density", 0), 0.2);
}

TEST(Recipe, LayoutsFollowMergekit) {
  // The base listed among the models is left out of the task vectors.
  const Recipe ties = parse("merge_method: ties\nbase_model: base\nmodels: [base, a, b]\n");
  const MergeLayout l = merge_layout(ties);
  EXPECT_EQ(l.base, "/models/base");
  EXPECT_EQ(l.models, (std::vector<std::string>{"/models/a", "/models/b"}));
  EXPECT_EQ(l.entry, (std::vector<int>{1, 2}));
  // slerp: the base is t = 0 whether or not it is listed.
  const MergeLayout s = merge_layout(parse("merge_method: slerp\nbase_model: b\nmodels: [a, b]\nparameters: {t: 0.3}\n"));
  EXPECT_EQ(s.models, (std::vector<std::string>{"/models/b", "/models/a"}));
  EXPECT_EQ(s.entry, (std::vector<int>{-1, 0}));
  EXPECT_THROW(merge_layout(parse("merge_method: slerp\nbase_model: b\nmodels: [a, c, d]\n")), RecipeError);
}

TEST(MergekitYaml, ModelCountRulesOfTheNewerMethods) {
  EXPECT_EQ(error_of("merge_method: nearswap\nbase_model: b\nmodels: [x, y]\nparameters: {t: 0.01}\n"),
            "test.yml: nearswap: needs exactly 1 model besides the base, got 2");
  EXPECT_EQ(error_of("merge_method: arcee_fusion\nbase_model: b\nmodels: [b]\n"),
            "test.yml: arcee_fusion: needs exactly 1 model besides the base, got 0");
  EXPECT_EQ(error_of("merge_method: nuslerp\nmodels: [x, y, z]\n"), "test.yml: nuslerp: needs exactly 2 models, got 3");
  EXPECT_EQ(error_of("merge_method: nuslerp\nbase_model: b\nmodels: [x]\n"),
            "test.yml: nuslerp: needs exactly 2 models besides the base, got 1");
  EXPECT_EQ(error_of("merge_method: sce\nmodels: [x, y]\n"), "test.yml: sce: needs a base_model");
  EXPECT_EQ(error_of("merge_method: ramplus_tl\nbase_model: b\nmodels: [x]\nparameters: {epsilon: -1}\n"),
            "test.yml:4: ramplus_tl: parameter epsilon is -1, below the limit 0");
  // nuslerp and multislerp take the base as the origin when there is one, and work without.
  EXPECT_EQ(merge_layout(parse("merge_method: multislerp\nbase_model: b\nmodels: [x, b, y]\n")).base, "/models/b");
  EXPECT_EQ(merge_layout(parse("merge_method: multislerp\nbase_model: b\nmodels: [x, b, y]\n")).models.size(), 2u);
  EXPECT_EQ(merge_layout(parse("merge_method: nuslerp\nmodels: [x, y]\n")).base, "");
}

TEST(MergekitYaml, PathComponentsLongerThanTheFileSystemAllowsAreComparedNotFatal) {
  // mergekit_yaml_fuzz's crash input (tests/fuzz/regressions/mergekit_yaml/lora_base_name_too_long): a
  // BASE+ADAPTER model whose BASE has a 300-byte component made fs::weakly_canonical throw ENAMETOOLONG.
  const std::string long_name(300, 'x');
  EXPECT_EQ(error_of("merge_method: ties\nbase_model: b\nmodels:\n  - model: " + long_name + "+adapter\n"),
            "test.yml:4: model '" + long_name + "+adapter': a LoRA adapter (BASE+ADAPTER) must apply to the base_model");
  const Recipe same = parse("merge_method: ties\nbase_model: " + long_name + "\nmodels:\n  - model: " + long_name + "+adapter\n");
  ASSERT_EQ(same.models.size(), 1u);
  EXPECT_EQ(same.models[0].path, "adapter");
  EXPECT_EQ(path_key("/models/" + long_name + "/../b"), "/models/b");
}
