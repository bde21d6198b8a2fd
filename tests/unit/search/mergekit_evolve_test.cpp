// The mergekit-evolve export, parsed back with yaml-cpp and checked field by field against the schema of
// mergekit's mergekit/evo/config.py (EvolMergeConfiguration, TaskConfiguration) and mergekit/evo/genome.py
// (ModelGenomeDefinition and its validator), as of the mergekit commit the fixtures were made with.
#include "core/search/mergekit_evolve.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/recipe/mergekit_yaml.h"
#include "tests/unit/temp_dir.h"

using namespace mergelab;
namespace fs = std::filesystem;

namespace {
const std::string kMergekit = std::string(MERGELAB_TEST_DATA) + "/digits/mergekit";

bool is_bool(const YAML::Node& n) { return n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false"); }
bool is_int(const YAML::Node& n) {
  if (!n.IsScalar()) return false;
  try {
    n.as<long>();
  } catch (const YAML::Exception&) {
    return false;
  }
  return n.Scalar().find_first_of(".eE") == std::string::npos;
}
bool is_float(const YAML::Node& n) {
  if (!n.IsScalar()) return false;
  try {
    n.as<double>();
  } catch (const YAML::Exception&) {
    return false;
  }
  return true;
}
bool is_str(const YAML::Node& n) { return n.IsScalar(); }

/// Every problem of `doc` against the schema ("" when it conforms).
std::string schema_problems(const YAML::Node& doc) {
  std::string why;
  auto bad = [&](const std::string& w) { why += w + "; "; };
  if (!doc.IsMap()) return "not a mapping";
  const std::set<std::string> top = {"genome",       "tasks",          "limit",
                                     "num_fewshot",  "shuffle",        "random_init",
                                     "apply_chat_template", "fewshot_as_multiturn"};
  for (const auto& kv : doc)
    if (!top.count(kv.first.Scalar())) bad("unknown key " + kv.first.Scalar());
  for (const char* k : {"shuffle", "random_init", "apply_chat_template", "fewshot_as_multiturn"})
    if (doc[k] && !is_bool(doc[k])) bad(std::string(k) + " not a bool");
  for (const char* k : {"limit", "num_fewshot"})
    if (doc[k] && !doc[k].IsNull() && !is_int(doc[k])) bad(std::string(k) + " not an int");
  const YAML::Node g = doc["genome"];
  if (!g || !g.IsMap()) return why + "genome missing";
  const std::set<std::string> genome = {"models",    "merge_method",           "base_model", "tokenizer_source",
                                        "layer_granularity", "normalize", "allow_negative_weights", "filters", "smooth"};
  for (const auto& kv : g)
    if (!genome.count(kv.first.Scalar())) bad("unknown genome key " + kv.first.Scalar());
  if (!g["models"] || !g["models"].IsSequence() || g["models"].size() == 0) bad("genome.models not a list");
  else
    for (const auto& m : g["models"])
      if (!is_str(m)) bad("a model is not a string");
  const std::set<std::string> methods = {"linear", "task_arithmetic", "ties", "dare_ties", "slerp"};
  const std::string method = g["merge_method"] && g["merge_method"].IsScalar() ? g["merge_method"].Scalar() : "";
  if (!methods.count(method)) bad("merge_method '" + method + "' not in METHOD_PARAM_MAPS");
  if (g["base_model"] && !g["base_model"].IsNull() && !is_str(g["base_model"])) bad("base_model not a string");
  if ((method == "ties" || method == "dare_ties" || method == "task_arithmetic") &&
      (!g["base_model"] || g["base_model"].IsNull()))
    bad("base_model is required for this method");
  if (g["layer_granularity"] && (!is_int(g["layer_granularity"]) || g["layer_granularity"].as<long>() < 0))
    bad("layer_granularity not an int >= 0");
  if (g["normalize"] && !g["normalize"].IsNull() && !is_bool(g["normalize"])) bad("normalize not a bool");
  for (const char* k : {"allow_negative_weights", "smooth"})
    if (g[k] && !is_bool(g[k])) bad(std::string("genome.") + k + " not a bool");
  if (g["filters"] && !g["filters"].IsNull()) {
    if (!g["filters"].IsSequence()) bad("filters not a list");
    else
      for (const auto& f : g["filters"])
        if (!is_str(f)) bad("a filter is not a string");
  }
  if (method == "slerp") {
    if (g["smooth"] && g["smooth"].as<bool>()) bad("smooth is not supported for slerp");
    if (g["filters"] && g["filters"].IsSequence() && g["filters"].size() > 0) bad("filters not supported for slerp");
  }
  const YAML::Node tasks = doc["tasks"];
  if (!tasks || !tasks.IsSequence()) return why + "tasks missing";
  for (const auto& t : tasks) {
    if (t.IsScalar()) continue;  // a bare task name
    if (!t.IsMap()) {
      bad("a task is neither a name nor a mapping");
      continue;
    }
    for (const auto& kv : t)
      if (kv.first.Scalar() != "name" && kv.first.Scalar() != "weight" && kv.first.Scalar() != "metric")
        bad("unknown task key " + kv.first.Scalar());
    if (!t["name"] || !is_str(t["name"])) bad("task without a name");
    if (t["weight"] && !is_float(t["weight"])) bad("task weight not a number");
    if (t["metric"] && !is_str(t["metric"])) bad("task metric not a string");
  }
  return why;
}

search::EvolveSearch ties_search() {
  search::EvolveSearch s;
  s.recipe = recipe::read_mergekit_yaml(kMergekit + "/ties.yml");
  s.layout = recipe::merge_layout(s.recipe);
  for (int i = 0; i < 3; ++i) {
    s.params.push_back({"weight", i, 1});
    s.bounds.emplace_back(0.0, 1.0);
    s.params.push_back({"density", i, 1});
    s.bounds.emplace_back(0.05, 1.0);
  }
  s.seed = 7;
  s.budget = 120;
  s.population = 12;
  s.sigma = 0.2;
  return s;
}
}  // namespace

TEST(MergekitEvolve, TiesSearchConformsToTheSchemaAndCarriesItsSettings) {
  const search::EvolveSearch s = ties_search();
  const auto e = search::mergekit_evolve_export(s, search::parse_evolve_tasks("digits_task0=2,digits_task1"));
  const YAML::Node doc = YAML::Load(e.genome_yaml);
  EXPECT_EQ(schema_problems(doc), "") << e.genome_yaml;
  const YAML::Node g = doc["genome"];
  EXPECT_EQ(g["merge_method"].as<std::string>(), "ties");
  ASSERT_EQ(g["models"].size(), 3u);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(g["models"][i].as<std::string>(),
              fs::absolute(s.layout.models[i]).lexically_normal().string());
  EXPECT_EQ(g["base_model"].as<std::string>(), fs::absolute(s.layout.base).lexically_normal().string());
  EXPECT_EQ(g["layer_granularity"].as<int>(), 0);
  EXPECT_FALSE(g["smooth"].as<bool>());
  EXPECT_TRUE(g["normalize"].as<bool>());  // ties.yml: normalize true
  EXPECT_FALSE(g["allow_negative_weights"].as<bool>());
  EXPECT_EQ(g["filters"].size(), 0u);
  ASSERT_EQ(doc["tasks"].size(), 2u);
  EXPECT_EQ(doc["tasks"][0]["name"].as<std::string>(), "digits_task0");
  EXPECT_EQ(doc["tasks"][0]["weight"].as<double>(), 2.0);
  EXPECT_EQ(doc["tasks"][1]["weight"].as<double>(), 1.0);
  EXPECT_EQ(doc["tasks"][1]["metric"].as<std::string>(), "acc,none");
  // The run script: budget, seed, population and sigma0 = sigma x the mean range width ((3 x 1 + 3 x 0.95) / 6).
  EXPECT_NE(e.run_sh.find("mergekit-evolve \"$here/genome.yml\""), std::string::npos) << e.run_sh;
  EXPECT_NE(e.run_sh.find("--max-fevals 120 "), std::string::npos);
  EXPECT_NE(e.run_sh.find("--random-seed 7 "), std::string::npos);
  EXPECT_NE(e.run_sh.find("--force-population-size 12 "), std::string::npos);
  EXPECT_NE(e.run_sh.find("--sigma0 0.195 "), std::string::npos);
  EXPECT_NE(e.run_sh.find("--storage-path"), std::string::npos);
  // Weights and densities per model are what the genome searches too: the notes say only bounds, start, seed, evaluator.
  for (const auto& n : e.notes) EXPECT_EQ(n.find("is searched"), std::string::npos) << n;
  EXPECT_NE(e.genome_yaml.find("# mergekit-evolve genome config written by MergeLab"), std::string::npos);
}

TEST(MergekitEvolve, LayerGroupsBecomeSmoothGranularityAndOtherParametersAreNoted) {
  search::EvolveSearch s = ties_search();
  s.params = {{"weight", 0, 2}, {"lambda", -1, 1}};
  s.bounds = {{-1.0, 1.0}, {0.0, 2.0}};
  s.n_layers = 8;
  const auto e = search::mergekit_evolve_export(s, {{"my_task", 1.0, "acc_norm,none"}}, "/tmp/tasks");
  const YAML::Node doc = YAML::Load(e.genome_yaml);
  EXPECT_EQ(schema_problems(doc), "") << e.genome_yaml;
  EXPECT_EQ(doc["genome"]["layer_granularity"].as<int>(), 4);  // 8 layers in 2 groups
  EXPECT_TRUE(doc["genome"]["smooth"].as<bool>());
  EXPECT_TRUE(doc["genome"]["allow_negative_weights"].as<bool>());
  EXPECT_EQ(doc["tasks"][0]["metric"].as<std::string>(), "acc_norm,none");
  auto noted = [&](const std::string& text) {
    for (const auto& n : e.notes)
      if (n.find(text) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(noted("lambda is searched here but not by mergekit-evolve"));
  EXPECT_TRUE(noted("density@2 is searched by mergekit-evolve but held at the recipe's value here"));
  EXPECT_TRUE(noted("every parameter is searched with 2 layer groups"));
  EXPECT_NE(e.run_sh.find("--task-search-path '/tmp/tasks'"), std::string::npos);
  // 3 groups do not divide 8 layers; della is not a genome method.
  s.params[0].groups = 3;
  EXPECT_THROW(search::mergekit_evolve_export(s, {{"t"}}), std::invalid_argument);
  search::EvolveSearch d = ties_search();
  d.recipe.method = "della";
  EXPECT_THROW(search::mergekit_evolve_export(d, {{"t"}}), std::invalid_argument);
}

TEST(MergekitEvolve, TaskListsAndFiles) {
  EXPECT_THROW(search::parse_evolve_tasks(""), std::invalid_argument);
  EXPECT_THROW(search::parse_evolve_tasks("a=x"), std::invalid_argument);
  EXPECT_THROW(search::parse_evolve_tasks("a,,b"), std::invalid_argument);
  mergelab::testing::TempDir tmp;
  const auto e = search::mergekit_evolve_export(ties_search(), search::parse_evolve_tasks("a"));
  const fs::path out = tmp / "out";
  search::write_mergekit_evolve(out.string(), e);
  std::ifstream in(out / "genome.yml");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), e.genome_yaml);
  EXPECT_NE(fs::status(out / "run.sh").permissions() & fs::perms::owner_exec, fs::perms::none);
}
