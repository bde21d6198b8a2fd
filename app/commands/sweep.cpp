// `mergelab sweep CONFIG.yml --param NAME=start:stop:steps ... --data DIR`: a grid over one to three
// parameters of a merge recipe, every point merged in memory and evaluated (core/search/tuning.h), the best
// exported as YAML.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "app/commands/tuning.h"
#include "core/recipe/mergekit_yaml.h"

namespace mergelab::app {
namespace {

// The grid's axes and the recipe parameters they set; bad axes refused with the option's text.
void parse_axes(const std::vector<std::string>& params, const search::TuningProblem& problem, std::vector<search::SweepAxis>& axes,
                std::vector<search::RecipeParam>& space) {
  for (const auto& spec : params) {
    search::SweepAxis axis;
    try {
      axis = search::parse_axis(spec);
      space.push_back(search::parse_recipe_param(axis.name, problem.method(), problem.model_count()));
    } catch (const std::invalid_argument& e) {
      throw CliError(std::string("--param ") + spec + ": " + e.what());
    }
    if (space.back().groups > 1)
      throw CliError("--param " + spec + ": a layer gradient (" + std::to_string(space.back().groups) +
                     " values) cannot be one grid axis; search gradients with `mergelab evolve --param " + space.back().label() + "`");
    const auto [lo, hi] = search::param_limits(space.back(), problem.method());
    for (double v : axis.values())
      if (!std::isfinite(v) || v < lo || v > hi)
        throw CliError("--param " + spec + ": " + format_double(v) + " is outside the parameter's limits [" + format_double(lo) +
                       ", " + format_double(hi) + "]");
    axes.push_back(axis);
  }
}

void print_table(const search::TuningProblem& problem, const std::vector<search::RecipeParam>& space,
                 const search::SweepResult& result, std::optional<std::size_t> best) {
  const std::string headline = problem.headline_metric();
  const bool percent = problem.evaluator() == search::EvaluatorKind::Classifier;
  for (const auto& p : space) std::printf("%-12s", p.label().c_str());
  std::printf("%12s %14s   (objective: %s)\n", ("objective(" + problem.spec().tune_split + ")").c_str(), headline.c_str(),
              problem.direction());
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    const auto& row = result.rows[i];
    if (!row.done) continue;
    for (double v : row.params) std::printf("%-12.4g", v);
    if (!row.error.empty()) {
      std::printf("  error: %s\n", row.error.c_str());
      continue;
    }
    const auto h = row.metrics.find(headline);
    std::printf("%12.4f ", row.metrics.at("objective"));
    if (h == row.metrics.end()) std::printf("%14s", "");
    else if (percent) std::printf("%13.1f%%", 100.0 * h->second);
    else std::printf("%14.4f", h->second);
    std::printf("%s\n", best && *best == i ? "  <- best" : "");
  }
}

int run_sweep_command(int argc, char** argv) {
  ArgParser args("mergelab sweep",
                 "Sweeps a grid of one to three parameters of a merge recipe (a mergekit YAML). Each point is merged in\n"
                 "memory with the recipe's method and scored on --tune-split by the built-in evaluator (a classifier, or\n"
                 "for a language-model family the LM evaluator: per-task perplexity, minimised), or by --eval-command;\n"
                 "the best point is also reported on --test-split and written back as mergekit YAML.\n"
                 "Parameters: any parameter of the method (lambda, density, t, ...) or NAME@i for the i-th merged\n"
                 "model only (weight@0, density@2). With --scope tensor each point is merged as `mergelab merge` would merge\n"
                 "the exported recipe (its other gradients and filters kept, per-tensor seeds); with --scope global a\n"
                 "gradient in the recipe uses its first value. Layer gradients are searched by `mergelab evolve`.\n"
                 "Ctrl-C stops the sweep; the points done so far are reported and written.");
  args.add_positional("CONFIG.yml", "the recipe (mergekit YAML); model paths relative to its folder");
  args.add_multi_option("param", "NAME=START:STOP:STEPS", "an axis of the grid (STEPS values, both ends included)");
  add_tuning_options(args);
  args.add_option("threads", "N", "candidates evaluated at once (0: one per core; language models: one at a time)", "0");
  args.add_epilog(
      "examples:\n"
      "  mergelab sweep ta.yml --param lambda=0:1:11 --data tests/data/digits/data --out sweep\n"
      "  mergelab sweep tests/data/tinylm/expected/task_arithmetic.yml --param weight@0=0:1:5 \\\n"
      "      --data tests/data/tinylm/data --tasks python,c --objective worst --max-docs 20");
  if (!args.parse(argc, argv)) return 0;
  const auto params = args.get_all("param");
  if (params.empty() || params.size() > 3) throw CliError("give one to three --param NAME=START:STOP:STEPS");

  const search::TuningProblem problem = load_tuning_problem(args.positionals().at(0), args);
  std::vector<search::SweepAxis> axes;
  std::vector<search::RecipeParam> space;
  parse_axes(params, problem, axes, space);
  const search::SweepGrid grid(axes);
  const std::string out = prepare_out_dir(args, {"sweep.csv", "sweep.json", "best.yml"});

  const InterruptFlag interrupt;
  search::TuningRunOptions opts;
  opts.threads = static_cast<int>(args.get_int("threads"));
  opts.cancel = interrupt.flag();
  opts.progress = progress_printer("sweep", problem);
  const auto result = search::tuning_sweep(problem, space, grid, opts);
  if (isatty(STDERR_FILENO)) std::fprintf(stderr, "\n");
  if (result.cancelled) std::fprintf(stderr, "sweep: cancelled after %zu of %zu points\n", result.completed, result.rows.size());

  const auto best = result.best("objective", problem.maximize());
  print_table(problem, space, result, best);
  if (!best) throw std::runtime_error(result.cancelled ? "cancelled before a grid point was evaluated" : "no grid point could be evaluated");
  const auto& best_row = result.rows[*best];
  std::printf("\nbest: ");
  for (std::size_t k = 0; k < space.size(); ++k) std::printf("%s=%g ", space[k].label().c_str(), best_row.params[k]);
  if (problem.evaluator() != search::EvaluatorKind::Classifier)  // accuracies need no reminder; perplexities do
    std::printf("(objective %.6g, %s)", best_row.metrics.at("objective"), problem.direction());
  std::printf("\n  %s: %s\n", problem.spec().tune_split.c_str(), problem.summary(best_row.metrics).c_str());
  if (!result.cancelled)
    std::printf("  %s: %s\n", problem.spec().test_split.c_str(),
                problem.summary(problem.metrics(space, best_row.params, search::Split::Test, opts.cancel)).c_str());

  if (!out.empty()) {
    const std::filesystem::path dir = out;
    result.write_csv(dir / "sweep.csv", problem.direction());
    result.write_json(dir / "sweep.json", "objective", problem.maximize());
    recipe::write_mergekit_yaml(problem.recipe_at(space, best_row.params), (dir / "best.yml").string());
    std::printf("wrote %s/sweep.csv, sweep.json, best.yml\n", out.c_str());
  }
  return result.cancelled ? 130 : 0;
}

const CommandRegistrar registrar{{"sweep", "grid-search a merge recipe's parameters against an evaluation", &run_sweep_command}};

}  // namespace
}  // namespace mergelab::app
