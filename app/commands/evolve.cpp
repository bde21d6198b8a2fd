// `mergelab evolve CONFIG.yml --data DIR`: CMA-ES over per-model weights (and densities) of a merge
// recipe, scored on the tuning split, reported on the test split, the best exported as YAML.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/commands/tuning.h"
#include "core/recipe/mergekit_yaml.h"
#include "core/search/cmaes.h"
#include "core/search/sweep.h"

namespace mergelab::app {
namespace {

struct Dimension {
  search::RecipeParam param;
  double lo = 0, hi = 1;
};

// "NAME", "NAME=LO:HI"; bounds default to the registry range clipped to [0, 2].
Dimension parse_dimension(const std::string& text, const TuningSetup& s) {
  Dimension d;
  const auto eq = text.find('=');
  try {
    d.param = search::parse_recipe_param(text.substr(0, eq), *s.method, s.layout.models.size());
  } catch (const std::invalid_argument& e) {
    throw CliError(std::string("--param ") + text + ": " + e.what());
  }
  const auto [lo, hi] = search::param_range(d.param, *s.method);
  d.lo = std::max(lo, 0.0);
  d.hi = std::min(hi, 2.0);
  if (eq != std::string::npos) {
    const std::string range = text.substr(eq + 1);
    const auto colon = range.find(':');
    if (colon == std::string::npos) throw CliError("--param " + text + ": expected NAME=LO:HI");
    d.lo = parse_double("--param", range.substr(0, colon));
    d.hi = parse_double("--param", range.substr(colon + 1));
    if (d.lo < lo || d.hi > hi) throw CliError("--param " + text + ": bounds outside the parameter's range");
  }
  if (!(d.lo < d.hi)) throw CliError("--param " + text + ": empty range");
  return d;
}

int run_evolve(int argc, char** argv) {
  ArgParser args("mergelab evolve",
                 "Searches a merge recipe's parameters with CMA-ES: each candidate is merged in memory and scored on\n"
                 "--tune-split; the best recipe is reported on --test-split (so over-fitting of the recipe shows) and\n"
                 "written back as mergekit YAML. By default the search is over every merged model's weight in [0, 1]\n"
                 "and, when the method has one, its density in [0.05, 1]. The search runs in [0, 1]^n, mapped onto the bounds.");
  args.add_positional("CONFIG.yml", "the recipe (mergekit YAML); its values are the starting point");
  args.add_multi_option("param", "NAME[=LO:HI]", "a searched parameter (lambda, density@1, weight@0=0:1.5, ...)");
  add_tuning_options(args);
  args.add_option("budget", "N", "maximum number of evaluations", "300");
  args.add_option("population", "N", "CMA-ES population (lambda); 0 = 4 + 3 ln n", "0");
  args.add_option("sigma", "S", "initial step size, as a fraction of each parameter's range", "0.25");
  if (!args.parse(argc, argv)) return 0;

  TuningSetup setup = load_tuning_setup(args.positionals().at(0), args);
  std::vector<Dimension> dims;
  for (const auto& text : args.get_all("param")) dims.push_back(parse_dimension(text, setup));
  if (dims.empty()) {
    const auto* weight = setup.method->param("weight");
    const auto* density = setup.method->param("density");
    for (size_t i = 0; i < setup.layout.models.size(); ++i) {
      if (weight && weight->per_model) dims.push_back({{"weight", static_cast<int>(i)}, 0.0, 1.0});
      if (density && density->per_model) dims.push_back({{"density", static_cast<int>(i)}, 0.05, 1.0});
    }
    if (dims.empty()) throw CliError(setup.method->name + " has no per-model weight or density: choose --param");
  }
  const long budget = args.get_int("budget");
  if (budget < 4) throw CliError("--budget must be at least 4");
  const double sigma = args.get_double("sigma");
  if (!(sigma > 0 && sigma <= 1)) throw CliError("--sigma must be in (0, 1]");
  const std::string out = prepare_out_dir(args, {"evolve.csv", "evolve.json", "best.yml"});

  std::vector<search::RecipeParam> space;
  for (const auto& d : dims) space.push_back(d.param);
  const auto to_values = [&](const Eigen::VectorXd& u) {
    std::vector<double> v(dims.size());
    for (size_t i = 0; i < dims.size(); ++i)
      v[i] = dims[i].lo + std::clamp(u[static_cast<Eigen::Index>(i)], 0.0, 1.0) * (dims[i].hi - dims[i].lo);
    return v;
  };
  // Start from the recipe's own values.
  const auto n = static_cast<Eigen::Index>(dims.size());
  Eigen::VectorXd x0(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto& d = dims[static_cast<size_t>(i)];
    const double v = setup.base_params.get(d.param.name, d.param.model);
    x0[i] = std::clamp((v - d.lo) / (d.hi - d.lo), 0.0, 1.0);
  }
  search::CmaesOptions opts;
  opts.population = static_cast<int>(args.get_int("population"));
  opts.sigma0 = sigma;
  opts.seed = static_cast<uint32_t>(args.get_int("seed"));
  opts.budget = budget;
  opts.lower = Eigen::VectorXd::Zero(n);
  opts.upper = Eigen::VectorXd::Ones(n);
  const double sign = setup.objective.maximize ? -1.0 : 1.0;  // CMA-ES minimises
  const auto objective = [&](const Eigen::VectorXd& u) {
    try {
      return sign * search::reduce_metrics(setup.tune_metrics(space, to_values(u)), setup.objective);
    } catch (const std::invalid_argument&) {
      return std::numeric_limits<double>::infinity();
    }
  };
  const double start_score = sign * objective(x0);
  std::fprintf(stderr, "evolve: %zu parameters, budget %ld, start objective %.4f\n", dims.size(), budget, start_score);
  std::ostringstream history;
  history << "generation,evaluations,best,mean,best_so_far,sigma\n";
  const auto result = search::minimize(objective, x0, opts, [&](const search::CmaesGeneration& g) {
    std::fprintf(stderr, "gen %3d  evals %4lld  best %.4f  mean %.4f  best so far %.4f\n", g.generation,
                 static_cast<long long>(g.evaluations), sign * g.best, sign * g.mean, sign * g.best_so_far);
    history << g.generation << "," << g.evaluations << "," << sign * g.best << "," << sign * g.mean << ","
            << sign * g.best_so_far << "," << g.sigma << "\n";
  });
  const auto best = to_values(result.best_x);
  std::printf("stopped: %s after %lld evaluations\nbest: ", search::cmaes_stop_name(result.stop),
              static_cast<long long>(result.evaluations));
  for (size_t i = 0; i < dims.size(); ++i) std::printf("%s=%.4g ", space[i].label().c_str(), best[i]);
  std::vector<double> start(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) start[i] = setup.base_params.get(space[i].name, space[i].model);
  std::printf("\n  recipe as given  %s: %s\n", setup.tune_split.c_str(), summary_line(setup.report(space, start, setup.tune_tasks)).c_str());
  std::printf("  best            %s: %s\n", setup.tune_split.c_str(), summary_line(setup.report(space, best, setup.tune_tasks)).c_str());
  std::printf("  recipe as given  %s: %s\n", setup.test_split.c_str(), summary_line(setup.report(space, start, setup.test_tasks)).c_str());
  std::printf("  best            %s: %s\n", setup.test_split.c_str(), summary_line(setup.report(space, best, setup.test_tasks)).c_str());
  if (!out.empty()) {
    recipe::Recipe best_recipe = setup.recipe;
    search::apply_point(best_recipe, setup.layout, space, best);
    search::write_file_atomically(std::filesystem::path(out) / "evolve.csv", history.str());
    nlohmann::json j;
    j["best"] = nlohmann::json::object();
    for (size_t i = 0; i < dims.size(); ++i) j["best"][space[i].label()] = best[i];
    j["objective"] = sign * result.best_f;
    j["evaluations"] = result.evaluations;
    j["stop"] = search::cmaes_stop_name(result.stop);
    search::write_file_atomically(std::filesystem::path(out) / "evolve.json", j.dump(2) + "\n");
    recipe::write_mergekit_yaml(best_recipe, (std::filesystem::path(out) / "best.yml").string());
    std::printf("wrote %s/evolve.csv, evolve.json, best.yml\n", out.c_str());
  }
  return 0;
}

const CommandRegistrar registrar{{"evolve", "CMA-ES search of a merge recipe's weights and densities against an evaluation", &run_evolve}};

}  // namespace
}  // namespace mergelab::app
