#include "app/commands/tuning.h"

#include <cstdio>
#include <filesystem>

#include "core/eval/dataset.h"
#include "core/recipe/mergekit_yaml.h"

namespace mergelab::app {

namespace fs = std::filesystem;

void add_tuning_options(ArgParser& args) {
  args.add_option("data", "DIR", "data folder in the fixture layout (task{i}_{split}.csv, or {split}.csv + tasks.json)");
  args.add_option("tune-split", "SPLIT", "split the search optimises on", "val");
  args.add_option("test-split", "SPLIT", "split the best recipe is reported on (to see over-fitting of the recipe)", "test");
  args.add_option("objective", "SPEC",
                  "what to maximise: mean (of task accuracies), min (the worst task), or "
                  "mean:KEYS / min:KEYS / weighted:KEY=W,... over metrics such as task0.acc, combined.acc, all.acc",
                  "mean");
  args.add_option("scope", "tensor|global",
                  "tensor: quantiles, norms and signs per tensor (mergekit); global: over the whole flattened model", "tensor");
  args.add_option("seed", "S", "seed of random methods (DARE masks)", "0");
  args.add_option("out", "DIR", "write the results table, JSON and the best recipe as mergekit YAML into DIR");
  args.add_flag("force", "replace existing result files in --out");
}

TuningSetup load_tuning_setup(const std::string& config_path, const ArgParser& args) {
  TuningSetup s;
  s.recipe = recipe::read_mergekit_yaml(config_path);
  recipe::validate(s.recipe);
  s.method = &recipe::method_of(s.recipe);
  s.layout = recipe::merge_layout(s.recipe);
  if (!args.has("data")) throw CliError("--data DIR is required (the evaluation data)");
  const std::string family_base = s.layout.base.empty() ? s.layout.models.at(0) : s.layout.base;
  std::vector<fs::path> models(s.layout.models.begin(), s.layout.models.end());
  s.family = std::make_unique<eval::MergeFamily>(eval::MergeFamily::load(family_base, models));
  const long seed = args.get_int("seed");
  if (seed < 0 || seed > 0xffffffffL) throw CliError("--seed must be in [0, 4294967295]");
  s.seed = static_cast<uint32_t>(seed);
  s.base_params = recipe::resolve_params(s.recipe, s.layout, s.family->layout().front().name, 0.0, s.seed);
  s.tune_split = args.get("tune-split");
  s.test_split = args.get("test-split");
  s.tune_tasks = eval::load_data_dir(args.get("data"), s.tune_split);
  s.test_tasks = eval::load_data_dir(args.get("data"), s.test_split);
  const std::string scope = args.get("scope");
  if (scope == "tensor") s.scope = eval::MergeScope::PerTensor;
  else if (scope == "global") s.scope = eval::MergeScope::WholeVector;
  else throw CliError("--scope must be tensor or global, got '" + scope + "'");
  std::string objective = args.get("objective");
  if (objective == "mean" || objective == "min") {
    std::string keys;
    for (const auto& t : s.tune_tasks.tasks) keys += (keys.empty() ? "" : ",") + t.name + ".acc";
    objective += ":" + keys;
  }
  try {
    s.objective = search::parse_objective(objective);
  } catch (const std::exception& e) {
    throw CliError(std::string("--objective: ") + e.what());
  }
  return s;
}

eval::MetricMap TuningSetup::tune_metrics(const std::vector<search::RecipeParam>& space, const std::vector<double>& values) const {
  return report(space, values, tune_tasks).flat();
}

eval::EvalReport TuningSetup::report(const std::vector<search::RecipeParam>& space, const std::vector<double>& values,
                                     const eval::TaskSet& tasks) const {
  if (scope == eval::MergeScope::PerTensor) {
    recipe::Recipe r = recipe;
    search::apply_point(r, layout, space, values);
    return family->evaluate(r, layout, tasks, seed);
  }
  merge::Params p = base_params;
  search::apply_point(p, space, values);  // refuses gradients: one Params for the whole vector
  return family->evaluate(*method, p, tasks, scope);
}

std::vector<double> TuningSetup::recipe_point(const std::vector<search::RecipeParam>& space) const {
  return search::point_of(recipe, layout, space, family->layout().front().name);
}

std::string summary_line(const eval::EvalReport& report) {
  std::string out;
  char buf[64];
  for (const auto& t : report.tasks) {
    std::snprintf(buf, sizeof buf, "%s %.1f%%  ", t.name.c_str(), 100.0 * t.metrics.accuracy);
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "combined %.1f%%", 100.0 * report.combined_accuracy);
  return out + buf;
}

std::string prepare_out_dir(const ArgParser& args, const std::vector<std::string>& files) {
  if (!args.has("out")) return "";
  const fs::path dir = args.get("out");
  if (fs::exists(dir) && !fs::is_directory(dir)) throw CliError("--out " + dir.string() + " exists and is not a folder");
  if (!args.flag("force"))
    for (const auto& f : files)
      if (fs::exists(dir / f)) throw CliError((dir / f).string() + " exists (use --force to replace it)");
  fs::create_directories(dir);
  return dir.string();
}

}  // namespace mergelab::app
