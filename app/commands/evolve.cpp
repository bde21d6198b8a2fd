// `mergelab evolve CONFIG.yml --data DIR`: CMA-ES over per-model weights (and densities) of a merge
// recipe, scored on the tuning split, reported on the test split, the best exported as YAML.
#include <unistd.h>

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

// --export-mergekit-evolve DIR: the same search as a mergekit-evolve genome config and run script; no local search.
int export_mergekit_evolve(const ArgParser& args, const search::TuningProblem& setup, const std::vector<search::EvolveDimension>& dims,
                           long budget, double sigma) {
  if (!args.has("evolve-tasks"))
    throw CliError("--export-mergekit-evolve needs --evolve-tasks (the lm-eval-harness tasks mergekit-evolve scores)");
  search::EvolveSearch s;
  s.recipe = setup.recipe();
  s.layout = setup.layout();
  for (const auto& d : dims) {
    s.params.push_back(d.param);
    s.bounds.emplace_back(d.lo, d.hi);
  }
  s.n_layers = setup.layer_count();
  s.seed = setup.spec().seed;
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

// The searched dimensions: --param texts, or every model's weight (and density); gradients checked.
std::vector<search::EvolveDimension> dimensions(const ArgParser& args, const search::TuningProblem& problem, int groups) {
  std::vector<search::EvolveDimension> dims;
  try {
    for (const auto& text : args.get_all("param")) {
      try {
        dims.push_back(search::parse_dimension(text, problem, groups));
      } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        throw CliError("--param " + (what.rfind(text, 0) == 0 ? what : text + ": " + what));
      }
    }
    if (dims.empty()) dims = search::default_dimensions(problem, groups);
    search::check_dimensions(problem, dims);
  } catch (const std::invalid_argument& e) {
    throw CliError(e.what());
  }
  return dims;
}

// A parameter's value at a point: a number, or a gradient's control points as a list.
std::string value_text(const std::vector<double>& v) {
  std::string text;
  char buf[32];
  if (v.size() > 1) text.push_back('[');
  for (std::size_t k = 0; k < v.size(); ++k) {
    std::snprintf(buf, sizeof buf, "%s%.4g", k ? "," : "", v[k]);
    text.append(buf);
  }
  if (v.size() > 1) text.push_back(']');
  return text;
}

void print_results(const search::TuningProblem& problem, const search::EvolveResult& r, const std::atomic<bool>* cancel) {
  std::printf("stopped: %s after %lld evaluations\nbest: ", search::cmaes_stop_name(r.stop), static_cast<long long>(r.evaluations));
  for (std::size_t i = 0; i < r.space.size(); ++i)
    std::printf("%s=%s ", r.space[i].label().c_str(), value_text(search::values_of(r.space, i, r.best)).c_str());
  std::printf("(objective %.6g, start %.6g, %s)\n", r.best_objective, r.start_objective, problem.direction());
  if (r.stop == search::CmaesStop::Cancelled) return;
  for (const auto split : {search::Split::Tune, search::Split::Test}) {
    const std::string& name = split == search::Split::Tune ? problem.spec().tune_split : problem.spec().test_split;
    std::printf("  recipe as given  %s: %s\n", name.c_str(), problem.summary(problem.metrics(r.space, r.start, split, cancel)).c_str());
    std::printf("  best            %s: %s\n", name.c_str(), problem.summary(problem.metrics(r.space, r.best, split, cancel)).c_str());
  }
}

void write_results(const std::string& out, const search::TuningProblem& problem, const search::EvolveResult& r) {
  std::ostringstream history;
  history << "generation,evaluations,best,mean,best_so_far,sigma,objective_direction\n";
  for (const auto& g : r.history)
    history << g.generation << "," << g.evaluations << "," << g.best << "," << g.mean << "," << g.best_so_far << "," << g.sigma << ","
            << problem.direction() << "\n";
  const std::filesystem::path dir = out;
  io::write_file_atomic(dir / "evolve.csv", history.str());
  nlohmann::json j;
  j["best"] = nlohmann::json::object();
  for (std::size_t i = 0; i < r.space.size(); ++i) {
    const auto v = search::values_of(r.space, i, r.best);
    j["best"][r.space[i].label()] = v.size() > 1 ? nlohmann::json(v) : nlohmann::json(v[0]);
  }
  j["objective"] = r.best_objective;
  j["start_objective"] = r.start_objective;
  j["maximize"] = problem.maximize();
  j["direction"] = problem.direction();
  j["evaluator"] = search::evaluator_name(problem.evaluator());
  j["evaluations"] = r.evaluations;
  j["stop"] = search::cmaes_stop_name(r.stop);
  io::write_file_atomic(dir / "evolve.json", j.dump(2) + "\n");
  recipe::write_mergekit_yaml(problem.recipe_at(r.space, r.best), (dir / "best.yml").string());
  std::printf("wrote %s/evolve.csv, evolve.json, best.yml\n", out.c_str());
}

void add_evolve_options(ArgParser& args) {
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
  args.add_option("threads", "N", "candidates evaluated at once (classifier families; language models: one at a time)", "1");
  args.add_epilog(
      "examples:\n"
      "  mergelab evolve ta.yml --data tests/data/digits/data --budget 100 --out evolve\n"
      "  mergelab evolve tests/data/tinylm/expected/task_arithmetic.yml --data tests/data/tinylm/data \\\n"
      "      --objective mean --max-docs 20 --budget 24 --out evolve_lm      # per-task perplexity, minimised");
}

int run_evolve(int argc, char** argv) {
  ArgParser args("mergelab evolve",
                 "Searches a merge recipe's parameters with CMA-ES: each candidate is merged in memory and scored on\n"
                 "--tune-split (classifier accuracy, maximised; for a language-model family per-task perplexity,\n"
                 "minimised); the best recipe is reported on --test-split (so over-fitting of the recipe shows) and\n"
                 "written back as mergekit YAML. By default the search is over every merged model's weight in [0, 1]\n"
                 "and, when the method has one, its density in [0.05, 1]. The search runs in [0, 1]^n, mapped onto the bounds.\n"
                 "Per layer group: --layer-groups G (or NAME:gG) makes a parameter G values, a mergekit gradient over the\n"
                 "layer index (t = layer / (L - 1)); the best recipe then holds lists, merged by `mergelab merge` exactly as\n"
                 "searched. Needs tensor names with layer numbers (model.layers.N.*) and --scope tensor. Ctrl-C stops\n"
                 "the search and reports the best so far.");
  add_evolve_options(args);
  if (!args.parse(argc, argv)) return 0;

  const long groups = args.get_int("layer-groups");
  if (groups < 1 || groups > search::kMaxLayerGroups)
    throw CliError("--layer-groups must be in [1, " + std::to_string(search::kMaxLayerGroups) + "]");
  const search::TuningProblem problem = load_tuning_problem(args.positionals().at(0), args);
  const auto dims = dimensions(args, problem, static_cast<int>(groups));
  const long budget = args.get_int("budget");
  if (budget < 4) throw CliError("--budget must be at least 4");
  const double sigma = args.get_double("sigma");
  if (!(sigma > 0 && sigma <= 1)) throw CliError("--sigma must be in (0, 1]");
  if (args.has("export-mergekit-evolve")) return export_mergekit_evolve(args, problem, dims, budget, sigma);
  const std::string out = prepare_out_dir(args, {"evolve.csv", "evolve.json", "best.yml"});

  const InterruptFlag interrupt;
  search::EvolveOptions opts;
  opts.budget = budget;
  opts.population = static_cast<int>(args.get_int("population"));
  opts.sigma = sigma;
  opts.seed = problem.spec().seed;
  opts.run.threads = static_cast<int>(args.get_int("threads"));
  opts.run.cancel = interrupt.flag();
  if (isatty(STDERR_FILENO)) opts.run.progress = progress_printer("evolve", problem);
  std::size_t n_values = 0;
  for (const auto& d : dims) n_values += static_cast<std::size_t>(std::max(1, d.param.groups));
  std::fprintf(stderr, "evolve: %zu parameters (%zu values), budget %ld, %s evaluator, objective %s\n", dims.size(), n_values, budget,
               search::evaluator_name(problem.evaluator()), problem.direction());
  opts.on_generation = [](const search::CmaesGeneration& g) {
    std::fprintf(stderr, "%sgen %3d  evals %4lld  best %.4f  mean %.4f  best so far %.4f\n", isatty(STDERR_FILENO) ? "\r" : "",
                 g.generation, static_cast<long long>(g.evaluations), g.best, g.mean, g.best_so_far);
  };
  const search::EvolveResult r = search::tuning_evolve(problem, dims, opts);
  print_results(problem, r, interrupt.flag());
  if (!out.empty()) write_results(out, problem, r);
  return r.stop == search::CmaesStop::Cancelled ? 130 : 0;
}

const CommandRegistrar registrar{{"evolve", "CMA-ES search of a merge recipe's weights and densities against an evaluation", &run_evolve}};

}  // namespace
}  // namespace mergelab::app
