// `mergelab evolve CONFIG.yml --data DIR`: CMA-ES over per-model weights (and densities) of a merge
// recipe, scored on the tuning split, reported on the test split, the best exported as YAML.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/commands/tuning.h"
#include "core/recipe/mergekit_yaml.h"
#include "core/search/cmaes.h"
#include "core/search/mergekit_evolve.h"
#include "core/io/atomic_file.h"
#include "core/search/sweep.h"

namespace mergelab::app {
namespace {

struct Dimension {
  search::RecipeParam param;
  double lo = 0, hi = 1;
};

// "NAME[@i][:gG]", "NAME[@i][:gG]=LO:HI"; bounds default to the registry range clipped to [0, 2]. A gradient's
// control points all share the bounds.
Dimension parse_dimension(const std::string& text, const TuningSetup& s, int default_groups) {
  Dimension d;
  const auto eq = text.find('=');
  try {
    d.param = search::parse_recipe_param(text.substr(0, eq), *s.method, s.layout.models.size(), default_groups);
  } catch (const std::invalid_argument& e) {
    throw CliError(std::string("--param ") + text + ": " + e.what());
  }
  const auto [lo, hi] = search::param_range(d.param, *s.method);
  d.lo = std::max(lo, 0.0);
  d.hi = std::min(hi, 2.0);
  if (eq != std::string::npos) {
    const std::string range = text.substr(eq + 1);
    const auto colon = range.find(':');
    if (colon == std::string::npos) throw CliError("--param " + text + ": expected NAME[@i][:gG]=LO:HI");
    d.lo = parse_double("--param", range.substr(0, colon));
    d.hi = parse_double("--param", range.substr(colon + 1));
    const auto [lim_lo, lim_hi] = search::param_limits(d.param, *s.method);
    if (!std::isfinite(d.lo) || !std::isfinite(d.hi) || d.lo < lim_lo || d.hi > lim_hi)
      throw CliError("--param " + text + ": bounds outside the parameter's limits [" + format_double(lim_lo) + ", " +
                     format_double(lim_hi) + "]");
  }
  if (!(d.lo < d.hi)) throw CliError("--param " + text + ": empty range");
  return d;
}

// Gradients need per-tensor merges and a layer stack whose positions reach every control point.
void check_gradients(const std::vector<Dimension>& dims, const TuningSetup& s) {
  const eval::MergeFamily& f = *s.family;
  std::vector<double> positions;
  for (size_t t = 0; t < f.layout().size(); ++t) positions.push_back(f.layer_position(t));
  for (const auto& d : dims) {
    if (d.param.groups <= 1) continue;
    const std::string what = "layer gradient " + d.param.label() + ": ";
    if (s.scope != eval::MergeScope::PerTensor)
      throw CliError(what + "layer gradients need --scope tensor (a global merge has one value per parameter)");
    if (f.layer_count() == 0)
      throw CliError(what + "the models' tensor names carry no layer number (e.g. '" + f.layout().front().name +
                     "'), so every tensor takes a gradient's first value; search scalars instead (no :gG, --layer-groups 1)");
    const auto unused = search::unused_control_points(d.param.groups, positions);
    if (!unused.empty())
      throw CliError(what + "control point " + std::to_string(unused.front()) + " of " + std::to_string(d.param.groups) +
                     " affects no tensor (" + std::to_string(f.layer_count()) + " layers in the stack); use at most :g" +
                     std::to_string(f.layer_count()));
  }
}

// --export-mergekit-evolve DIR: the same search as a mergekit-evolve genome config and run script; no local search.
int export_mergekit_evolve(const ArgParser& args, const TuningSetup& setup, const std::vector<Dimension>& dims,
                           long budget, double sigma) {
  if (!args.has("evolve-tasks"))
    throw CliError("--export-mergekit-evolve needs --evolve-tasks (the lm-eval-harness tasks mergekit-evolve scores)");
  search::EvolveSearch s;
  s.recipe = setup.recipe;
  s.layout = setup.layout;
  for (const auto& d : dims) {
    s.params.push_back(d.param);
    s.bounds.emplace_back(d.lo, d.hi);
  }
  s.n_layers = setup.family->layer_count();
  s.seed = setup.seed;
  s.budget = budget;
  s.population = static_cast<int>(args.get_int("population"));
  s.sigma = sigma;
  const std::string dir = args.get("export-mergekit-evolve");
  try {
    const auto tasks = search::parse_evolve_tasks(args.get("evolve-tasks"), args.get("evolve-metric"));
    const auto e = search::mergekit_evolve_export(s, tasks, args.has("evolve-task-path") ? args.get("evolve-task-path") : "");
    search::write_mergekit_evolve(dir, e);
    std::printf("wrote %s/genome.yml and %s/run.sh (mergekit-evolve); not carried over:\n", dir.c_str(), dir.c_str());
    for (const auto& n : e.notes) std::printf("  - %s\n", n.c_str());
  } catch (const std::invalid_argument& e) {
    throw CliError(std::string("--export-mergekit-evolve: ") + e.what());
  }
  return 0;
}

int run_evolve(int argc, char** argv) {
  ArgParser args("mergelab evolve",
                 "Searches a merge recipe's parameters with CMA-ES: each candidate is merged in memory and scored on\n"
                 "--tune-split; the best recipe is reported on --test-split (so over-fitting of the recipe shows) and\n"
                 "written back as mergekit YAML. By default the search is over every merged model's weight in [0, 1]\n"
                 "and, when the method has one, its density in [0.05, 1]. The search runs in [0, 1]^n, mapped onto the bounds.\n"
                 "Per layer group: --layer-groups G (or NAME:gG) makes a parameter G values, a mergekit gradient over the\n"
                 "layer index (t = layer / (L - 1)); the best recipe then holds lists, merged by `mergelab merge` exactly as\n"
                 "searched. Needs tensor names with layer numbers (model.layers.N.*) and --scope tensor.");
  args.add_positional("CONFIG.yml", "the recipe (mergekit YAML); its values are the starting point");
  args.add_multi_option("param", "NAME[@i][:gG][=LO:HI]",
                        "a searched parameter (lambda, density@1, weight@0=0:1.5, ...); :gG searches it as a layer gradient "
                        "of G control points (weight@0:g3 = a mergekit list [v0, v1, v2] over the layers)");
  args.add_option("layer-groups", "G",
                  "search every real-valued parameter without :gG as a gradient of G control points over the layer stack "
                  "(mergekit lists; needs numbered layers, e.g. model.layers.N.*); 1 = one value for all layers", "1");
  add_tuning_options(args);
  args.add_option("export-mergekit-evolve", "DIR",
                  "write this search for mergekit-evolve (DIR/genome.yml + DIR/run.sh) instead of running it");
  args.add_option("evolve-tasks", "LIST", "with --export-mergekit-evolve: lm-eval-harness tasks, NAME[=WEIGHT],...");
  args.add_option("evolve-metric", "M", "with --export-mergekit-evolve: the metric of each task", "acc,none");
  args.add_option("evolve-task-path", "DIR", "with --export-mergekit-evolve: a folder of your own lm-eval task files");
  args.add_option("budget", "N", "maximum number of evaluations", "300");
  args.add_option("population", "N", "CMA-ES population (lambda); 0 = 4 + 3 ln n", "0");
  args.add_option("sigma", "S", "initial step size, as a fraction of each parameter's range", "0.25");
  if (!args.parse(argc, argv)) return 0;

  const long groups = args.get_int("layer-groups");
  if (groups < 1 || groups > search::kMaxLayerGroups)
    throw CliError("--layer-groups must be in [1, " + std::to_string(search::kMaxLayerGroups) + "]");
  TuningSetup setup = load_tuning_setup(args.positionals().at(0), args);
  std::vector<Dimension> dims;
  for (const auto& text : args.get_all("param")) dims.push_back(parse_dimension(text, setup, static_cast<int>(groups)));
  if (dims.empty()) {
    const auto* weight = setup.method->param("weight");
    const auto* density = setup.method->param("density");
    const int g = static_cast<int>(groups);
    for (size_t i = 0; i < setup.layout.models.size(); ++i) {
      if (weight && weight->per_model) dims.push_back({{"weight", static_cast<int>(i), g}, 0.0, 1.0});
      if (density && density->per_model) dims.push_back({{"density", static_cast<int>(i), g}, 0.05, 1.0});
    }
    if (dims.empty()) throw CliError(setup.method->name + " has no per-model weight or density: choose --param");
  }
  check_gradients(dims, setup);
  const long budget = args.get_int("budget");
  if (budget < 4) throw CliError("--budget must be at least 4");
  const double sigma = args.get_double("sigma");
  if (!(sigma > 0 && sigma <= 1)) throw CliError("--sigma must be in (0, 1]");
  if (args.has("export-mergekit-evolve")) return export_mergekit_evolve(args, setup, dims, budget, sigma);
  const std::string out = prepare_out_dir(args, {"evolve.csv", "evolve.json", "best.yml"});

  std::vector<search::RecipeParam> space;
  std::vector<double> lo, hi;  // per value of a point (a gradient's control points share their parameter's bounds)
  for (const auto& d : dims) {
    space.push_back(d.param);
    for (int k = 0; k < std::max(1, d.param.groups); ++k) {
      lo.push_back(d.lo);
      hi.push_back(d.hi);
    }
  }
  const size_t n_values = search::point_size(space);
  const auto to_values = [&](const Eigen::VectorXd& u) {
    std::vector<double> v(n_values);
    for (size_t i = 0; i < n_values; ++i) v[i] = lo[i] + std::clamp(u[static_cast<Eigen::Index>(i)], 0.0, 1.0) * (hi[i] - lo[i]);
    return v;
  };
  // Start from the recipe's own values (a gradient in the recipe is sampled at the control points).
  const std::vector<double> start = setup.recipe_point(space);
  const auto n = static_cast<Eigen::Index>(n_values);
  Eigen::VectorXd x0(n);
  for (size_t i = 0; i < n_values; ++i) x0[static_cast<Eigen::Index>(i)] = std::clamp((start[i] - lo[i]) / (hi[i] - lo[i]), 0.0, 1.0);
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
  std::fprintf(stderr, "evolve: %zu parameters (%zu values), budget %ld, start objective %.4f\n", dims.size(), n_values, budget,
               start_score);
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
  // Each parameter's values: a number, or a gradient's control points as a list.
  const auto values_of = [&](size_t param, const std::vector<double>& point) {
    size_t k = 0;
    for (size_t i = 0; i < param; ++i) k += static_cast<size_t>(std::max(1, space[i].groups));
    const auto first = point.begin() + static_cast<std::ptrdiff_t>(k);
    return std::vector<double>(first, first + std::max(1, space[param].groups));
  };
  for (size_t i = 0; i < dims.size(); ++i) {
    const auto v = values_of(i, best);
    std::string text;
    char buf[32];
    if (v.size() > 1) text.push_back('[');
    for (size_t k = 0; k < v.size(); ++k) {
      std::snprintf(buf, sizeof buf, "%s%.4g", k ? "," : "", v[k]);
      text.append(buf);
    }
    if (v.size() > 1) text.push_back(']');
    std::printf("%s=%s ", space[i].label().c_str(), text.c_str());
  }
  std::printf("\n  recipe as given  %s: %s\n", setup.tune_split.c_str(), summary_line(setup.report(space, start, setup.tune_tasks)).c_str());
  std::printf("  best            %s: %s\n", setup.tune_split.c_str(), summary_line(setup.report(space, best, setup.tune_tasks)).c_str());
  std::printf("  recipe as given  %s: %s\n", setup.test_split.c_str(), summary_line(setup.report(space, start, setup.test_tasks)).c_str());
  std::printf("  best            %s: %s\n", setup.test_split.c_str(), summary_line(setup.report(space, best, setup.test_tasks)).c_str());
  if (!out.empty()) {
    recipe::Recipe best_recipe = setup.recipe;
    search::apply_point(best_recipe, setup.layout, space, best);
    io::write_file_atomic(std::filesystem::path(out) / "evolve.csv", history.str());
    nlohmann::json j;
    j["best"] = nlohmann::json::object();
    for (size_t i = 0; i < dims.size(); ++i) {
      const auto v = values_of(i, best);
      j["best"][space[i].label()] = v.size() > 1 ? nlohmann::json(v) : nlohmann::json(v[0]);
    }
    j["objective"] = sign * result.best_f;
    j["evaluations"] = result.evaluations;
    j["stop"] = search::cmaes_stop_name(result.stop);
    io::write_file_atomic(std::filesystem::path(out) / "evolve.json", j.dump(2) + "\n");
    recipe::write_mergekit_yaml(best_recipe, (std::filesystem::path(out) / "best.yml").string());
    std::printf("wrote %s/evolve.csv, evolve.json, best.yml\n", out.c_str());
  }
  return 0;
}

const CommandRegistrar registrar{{"evolve", "CMA-ES search of a merge recipe's weights and densities against an evaluation", &run_evolve}};

}  // namespace
}  // namespace mergelab::app
