// `mergelab sweep CONFIG.yml --param NAME=start:stop:steps ... --data DIR`: a grid over one to three
// parameters of a merge recipe, every point merged in memory and evaluated, the best exported as YAML.
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "app/commands/tuning.h"
#include "core/recipe/mergekit_yaml.h"
#include "core/search/sweep.h"

namespace mergelab::app {
namespace {

int run_sweep_command(int argc, char** argv) {
  ArgParser args("mergelab sweep",
                 "Sweeps a grid of one to three parameters of a merge recipe (a mergekit YAML). Each point is merged in\n"
                 "memory with the recipe's method and scored by the built-in evaluator on --tune-split; the best point\n"
                 "is also reported on --test-split and written back as mergekit YAML.\n"
                 "Parameters: any parameter of the method (lambda, density, t, ...) or NAME@i for the i-th merged\n"
                 "model only (weight@0, density@2). With --scope tensor each point is merged as `mergelab merge` would merge\n"
                 "the exported recipe (its other gradients and filters kept, per-tensor seeds); with --scope global a\n"
                 "gradient in the recipe uses its first value. Layer gradients are searched by `mergelab evolve`.");
  args.add_positional("CONFIG.yml", "the recipe (mergekit YAML); model paths relative to its folder");
  args.add_multi_option("param", "NAME=START:STOP:STEPS", "an axis of the grid (STEPS values, both ends included)");
  add_tuning_options(args);
  args.add_option("threads", "N", "worker threads (0: one per core)", "0");
  if (!args.parse(argc, argv)) return 0;
  const auto params = args.get_all("param");
  if (params.empty() || params.size() > 3) throw CliError("give one to three --param NAME=START:STOP:STEPS");

  TuningSetup setup = load_tuning_setup(args.positionals().at(0), args);
  std::vector<search::SweepAxis> axes;
  std::vector<search::RecipeParam> space;
  for (const auto& spec : params) {
    search::SweepAxis axis;
    try {
      axis = search::parse_axis(spec);
      space.push_back(search::parse_recipe_param(axis.name, *setup.method, setup.layout.models.size()));
    } catch (const std::invalid_argument& e) {
      throw CliError(std::string("--param ") + spec + ": " + e.what());
    }
    if (space.back().groups > 1)
      throw CliError("--param " + spec + ": a layer gradient (" + std::to_string(space.back().groups) +
                     " values) cannot be one grid axis; search gradients with `mergelab evolve --param " + space.back().label() + "`");
    const auto [lo, hi] = search::param_limits(space.back(), *setup.method);
    for (double v : axis.values())
      if (!std::isfinite(v) || v < lo || v > hi)
        throw CliError("--param " + spec + ": " + format_double(v) + " is outside the parameter's limits [" + format_double(lo) +
                       ", " + format_double(hi) + "]");
    axes.push_back(axis);
  }
  const search::SweepGrid grid(axes);
  const std::string out = prepare_out_dir(args, {"sweep.csv", "sweep.json", "best.yml"});

  const bool tty = isatty(STDERR_FILENO);
  search::SweepOptions opts;
  opts.threads = static_cast<int>(args.get_int("threads"));
  opts.on_progress = [&](const search::SweepProgress& p) {
    if (tty) std::fprintf(stderr, "\rsweep: %zu/%zu points, %.1f s, ETA %.1f s   ", p.done, p.total, p.elapsed_seconds, p.eta_seconds);
    else if (p.done == p.total || p.done % std::max<size_t>(1, p.total / 10) == 0)
      std::fprintf(stderr, "sweep: %zu/%zu points, %.1f s, ETA %.1f s\n", p.done, p.total, p.elapsed_seconds, p.eta_seconds);
  };
  const auto result = search::run_sweep(
      grid,
      [&](const std::vector<double>& values) {
        eval::MetricMap m = setup.tune_metrics(space, values);
        m["objective"] = search::reduce_metrics(m, setup.objective);
        return m;
      },
      opts);
  if (tty) std::fprintf(stderr, "\n");

  // The table.
  for (const auto& p : space) std::printf("%-12s", p.label().c_str());
  std::printf("%12s %14s\n", ("objective(" + setup.tune_split + ")").c_str(), "combined.acc");
  const auto best = result.best("objective", setup.objective.maximize);
  for (size_t i = 0; i < result.rows.size(); ++i) {
    const auto& row = result.rows[i];
    for (double v : row.params) std::printf("%-12.4g", v);
    if (!row.error.empty()) {
      std::printf("  error: %s\n", row.error.c_str());
      continue;
    }
    std::printf("%12.4f %13.1f%%%s\n", row.metrics.at("objective"), 100.0 * row.metrics.at("combined.acc"),
                best && *best == i ? "  <- best" : "");
  }
  if (!best) throw std::runtime_error("no grid point could be evaluated");
  const auto& best_row = result.rows[*best];
  std::printf("\nbest: ");
  for (size_t k = 0; k < space.size(); ++k) std::printf("%s=%g ", space[k].label().c_str(), best_row.params[k]);
  std::printf("\n  %s: %s\n", setup.tune_split.c_str(), summary_line(setup.report(space, best_row.params, setup.tune_tasks)).c_str());
  std::printf("  %s: %s\n", setup.test_split.c_str(), summary_line(setup.report(space, best_row.params, setup.test_tasks)).c_str());

  recipe::Recipe best_recipe = setup.recipe;
  search::apply_point(best_recipe, setup.layout, space, best_row.params);
  if (!out.empty()) {
    result.write_csv(std::filesystem::path(out) / "sweep.csv");
    result.write_json(std::filesystem::path(out) / "sweep.json", "objective", setup.objective.maximize);
    recipe::write_mergekit_yaml(best_recipe, (std::filesystem::path(out) / "best.yml").string());
    std::printf("wrote %s/sweep.csv, sweep.json, best.yml\n", out.c_str());
  }
  return result.cancelled ? 1 : 0;
}

const CommandRegistrar registrar{{"sweep", "grid-search a merge recipe's parameters against an evaluation", &run_sweep_command}};

}  // namespace
}  // namespace mergelab::app
