// `mergelab landscape MODEL --data DIR`: the loss around one checkpoint along filter-normalised random directions.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "app/cli.h"
#include "app/commands/weight_space_cli.h"
#include "core/analysis/landscape.h"

namespace mergelab::app {
namespace {

int run_landscape(int argc, char** argv) {
  ArgParser args("mergelab landscape",
                 "Score theta + x d0 (1-D) or theta + x d0 + y d1 (2-D) for x, y evenly spaced in [-R, R], where d0, d1\n"
                 "are filter-normalised random directions (Li et al., 2018): Gaussian, each output row rescaled to the\n"
                 "norm of the same row of theta; 1-D tensors (biases, norm weights) left at 0. Seeded: the same --seed\n"
                 "gives the same directions.");
  args.add_positional("MODEL", "checkpoint folder at the centre (x = y = 0)");
  add_scoring_options(args);
  args.add_option("dims", "1|2", "one direction (a curve) or two (a grid)", "1");
  args.add_option("range", "R", "the grid spans [-R, R] along each direction (R = 1: one weight-row norm)", "1");
  args.add_option("points", "N", "points per axis, >= 2", "21");
  args.add_option("seed", "S", "RandomState seed of the directions", "0");
  args.add_epilog(
      "CSV: x[,y],<metrics>,<combined> (combined.loss, or combined.nll for language models), one row per point (y-major in 2-D). JSON: the axes and every point.\n"
      "examples:\n"
      "  mergelab landscape tests/data/digits/models/multitask --data tests/data/digits/data\n"
      "  mergelab landscape models/multitask --data data --dims 2 --points 11 --range 0.5 --csv");
  if (!args.parse(argc, argv)) return 0;
  analysis::LandscapeOptions opt;
  const long dims = args.get_int("dims"), seed = args.get_int("seed");
  if (dims != 1 && dims != 2) throw CliError("--dims must be 1 or 2");
  if (seed < 0 || seed > 4294967295L) throw CliError("--seed must be between 0 and 4294967295");
  opt.dims = static_cast<int>(dims);
  opt.points = int_option(args, "points", 2, 100000);
  opt.seed = static_cast<std::uint32_t>(seed);
  opt.range = args.get_double("range");
  if (!(opt.range > 0) || !std::isfinite(opt.range)) throw CliError("--range must be a positive number");
  const ScoringSetup s = load_scoring({args.positionals()[0]}, args);
  const analysis::RunControl run = progress_control("landscape", args);
  const analysis::LandscapeResult r = analysis::loss_landscape(s.models.layout, s.models.vectors[0], s.scorer, opt, run);
  finish_progress();
  const std::size_t nx = r.x_values.size();

  if (args.flag("csv")) {
    std::cout << (opt.dims == 2 ? "x,y," : "x,") << csv_metric_header(s.scorer) << "\n";
    for (std::size_t k = 0; k < r.cells.size(); ++k) {
      std::cout << csv_number(r.x_values[k % nx]) << ",";
      if (opt.dims == 2) std::cout << csv_number(r.y_values[k / nx]) << ",";
      std::cout << csv_metric_cells(s.scorer, r.cells[k], r.evaluated[k]) << "\n";
    }
  } else if (args.flag("json")) {
    nlohmann::ordered_json j = json_header("landscape", s);
    j["model"] = args.positionals()[0];
    j["dims"] = opt.dims;
    j["seed"] = opt.seed;
    j["range"] = opt.range;
    j["x_values"] = r.x_values;
    if (opt.dims == 2) j["y_values"] = r.y_values;
    j["points"] = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < r.cells.size(); ++k) {
      nlohmann::ordered_json p;
      p["x"] = r.x_values[k % nx];
      if (opt.dims == 2) p["y"] = r.y_values[k / nx];
      p["metrics"] = json_metrics(s.scorer, r.cells[k], r.evaluated[k]);
      j["points"].push_back(p);
    }
    std::cout << j.dump(1) << "\n";
  } else {
    std::printf("landscape around %s (%d-D, filter-normalised directions, seed %u), data %s (split %s)\n\n",
                args.positionals()[0].c_str(), opt.dims, opt.seed, s.data.c_str(), s.split.c_str());
    if (opt.dims == 1) {
      std::printf("%9s %14s %13s\n", "x", s.scorer.combined_name.c_str(), "combined.acc");
      for (std::size_t k = 0; k < r.cells.size(); ++k)
        std::printf("%9.4f %14.6f %13.4f\n", r.x_values[k], r.cells[k].combined, metric(s.scorer, r.cells[k], "combined.acc"));
    } else {
      print_grid(s.scorer, r.x_values, r.y_values, r.cells, r.evaluated, "x", "y");
    }
  }
  return r.cancelled ? 1 : 0;
}

const CommandRegistrar registrar{{"landscape", "the loss around one checkpoint along filter-normalised random directions", &run_landscape}};

}  // namespace
}  // namespace mergelab::app
