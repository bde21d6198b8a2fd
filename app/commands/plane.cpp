// `mergelab plane BASE A B --data DIR`: the task plane θ₀ + a·τ_A + b·τ_B, with every method's merge on it.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "app/cli.h"
#include "app/commands/weight_space_cli.h"
#include "core/analysis/plane.h"
#include "core/merge/registry.h"

namespace mergelab::app {
namespace {

// "a0:a1,b0:b1" (or "r0:r1" for both axes).
void parse_range(const std::string& text, analysis::PlaneOptions& opt) {
  auto pair = [&](const std::string& part, double& lo, double& hi) {
    const auto colon = part.find(':');
    if (colon == std::string::npos) throw CliError("--range " + text + ": expected a0:a1,b0:b1");
    lo = parse_double("--range", part.substr(0, colon));
    hi = parse_double("--range", part.substr(colon + 1));
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi))
      throw CliError("--range " + text + ": each range needs finite ends, the first below the second");
  };
  const auto comma = text.find(',');
  if (comma == std::string::npos) {
    pair(text, opt.a0, opt.a1);
    opt.b0 = opt.a0, opt.b1 = opt.a1;
  } else {
    pair(text.substr(0, comma), opt.a0, opt.a1);
    pair(text.substr(comma + 1), opt.b0, opt.b1);
  }
}

// Every registry method at its mergekit preset, then the --set NAME=VALUE overrides where a method has NAME.
std::vector<analysis::MarkerMethod> marker_methods(const ArgParser& args) {
  std::vector<std::pair<std::string, double>> sets;
  for (const auto& s : args.get_all("set")) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) throw CliError("--set " + s + ": expected NAME=VALUE");
    sets.emplace_back(s.substr(0, eq), parse_double("--set", s.substr(eq + 1)));
  }
  for (const auto& [name, v] : sets) {
    bool known = false;
    for (const auto& m : merge::method_registry()) known = known || m.param(name) != nullptr;
    if (!known) throw CliError("--set " + name + ": no merge method has a parameter of that name");
  }
  return analysis::registry_marker_methods(sets);
}

int run_plane(int argc, char** argv) {
  ArgParser args("mergelab plane",
                 "Score the task plane theta_0 + a tau_A + b tau_B (tau = model - BASE) over an N x N grid of (a, b),\n"
                 "and place on it the base (0, 0), A (1, 0), B (0, 1) and the merge of A and B by every registry\n"
                 "method (mergekit preset, --set overrides): least-squares (a, b) of merge - theta_0 on span(tau_A,\n"
                 "tau_B), with the distance off the plane. Cell (a, b) is exactly `mergelab merge` of task_arithmetic\n"
                 "with weights a, b, lambda 1.");
  args.add_positional("BASE", "the base checkpoint folder (theta_0)");
  args.add_positional("A", "fine-tune whose task vector is the a axis");
  args.add_positional("B", "fine-tune whose task vector is the b axis");
  add_scoring_options(args);
  args.add_option("range", "A0:A1,B0:B1", "the a and b ranges (one range A0:A1 for both)", "-0.5:1.5,-0.5:1.5");
  args.add_option("grid", "N", "points per axis, >= 2", "21");
  args.add_multi_option("set", "NAME=VALUE", "a parameter value for every method that has it (e.g. density=0.5)");
  args.add_flag("no-markers", "leave out the method markers");
  args.add_epilog(
      "CSV: a,b,<metrics>,<combined> (combined.loss, or combined.nll for language models), one row per cell (b-major). JSON: the axes, every cell, the markers.\n"
      "examples:\n"
      "  mergelab plane models/base models/ft_task0 models/ft_task1 --data data --csv > plane.csv\n"
      "  mergelab plane models/base models/ft_task0 models/ft_task1 --data data --range 0:1 --grid 11 --set density=0.5");
  if (!args.parse(argc, argv)) return 0;
  analysis::PlaneOptions opt;
  parse_range(args.get("range"), opt);
  opt.grid = int_option(args, "grid", 2, 1000);
  const auto methods = args.flag("no-markers") ? std::vector<analysis::MarkerMethod>{} : marker_methods(args);
  const auto& pos = args.positionals();
  const ScoringSetup s = load_scoring({pos[0], pos[1], pos[2]}, args);
  const auto& v = s.models.vectors;
  if (!args.flag("no-markers")) {  // the markers' projection needs a plane: fail before the grid is computed
    try {
      analysis::project_onto_plane(v[0], v[1] - v[0], v[2] - v[0], v[0]);
    } catch (const std::invalid_argument&) {
      throw CliError(pos[1] + " and " + pos[2] + ": their task vectors over " + pos[0] +
                     " are zero or parallel, so they span no plane to project the markers on (use --no-markers)");
    }
  }
  const analysis::RunControl run = progress_control("plane", args);
  const analysis::PlaneResult r = analysis::task_plane(s.models.layout, v[0], v[1], v[2], s.scorer, opt, run);
  finish_progress();
  std::vector<analysis::PlaneMarker> markers;
  if (!args.flag("no-markers") && !r.cancelled) {
    analysis::RunControl quiet;
    quiet.threads = run.threads;
    markers = analysis::plane_markers(s.models.layout, v[0], v[1], v[2], methods, s.scorer, quiet);
  }
  const std::size_t na = r.a_values.size();

  if (args.flag("csv")) {
    std::cout << "a,b," << csv_metric_header(s.scorer) << "\n";
    for (std::size_t k = 0; k < r.cells.size(); ++k)
      std::cout << csv_number(r.a_values[k % na]) << "," << csv_number(r.b_values[k / na]) << ","
                << csv_metric_cells(s.scorer, r.cells[k], r.evaluated[k]) << "\n";
  } else if (args.flag("json")) {
    nlohmann::ordered_json j = json_header("plane", s);
    j["base"] = pos[0];
    j["a_model"] = pos[1];
    j["b_model"] = pos[2];
    j["a_values"] = r.a_values;
    j["b_values"] = r.b_values;
    j["cells"] = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < r.cells.size(); ++k)
      j["cells"].push_back({{"a", r.a_values[k % na]}, {"b", r.b_values[k / na]},
                            {"metrics", json_metrics(s.scorer, r.cells[k], r.evaluated[k])}});
    j["markers"] = nlohmann::ordered_json::array();
    for (const auto& m : markers)
      j["markers"].push_back({{"name", m.name}, {"a", m.coords.a}, {"b", m.coords.b}, {"distance", m.coords.distance},
                              {"relative_distance", m.coords.relative_distance},
                              {"metrics", json_metrics(s.scorer, m.score, m.evaluated)}});
    std::cout << j.dump(1) << "\n";
  } else {
    std::printf("task plane: %s + a (%s - base) + b (%s - base), data %s (split %s)\n", pos[0].c_str(), pos[1].c_str(),
                pos[2].c_str(), s.data.c_str(), s.split.c_str());
    const std::size_t best = print_grid(s.scorer, r.a_values, r.b_values, r.cells, r.evaluated, "a", "b");
    std::printf("\nbest cell: a = %g, b = %g, %s %.6f, combined.acc %.4f\n", r.a_values[best % na], r.b_values[best / na],
                s.scorer.combined_name.c_str(), r.cells[best].combined, metric(s.scorer, r.cells[best], "combined.acc"));
    if (!markers.empty()) {
      std::printf("\n%-20s %9s %9s %11s %9s %14s %13s\n", "marker", "a", "b", "distance", "relative", s.scorer.combined_name.c_str(),
                  "combined.acc");
      for (const auto& m : markers)
        std::printf("%-20s %9.4f %9.4f %11.4g %9.4f %14.6f %13.4f\n", m.name.c_str(), m.coords.a, m.coords.b, m.coords.distance,
                    m.coords.relative_distance, m.score.combined, metric(s.scorer, m.score, "combined.acc"));
    }
  }
  return r.cancelled ? 1 : 0;
}

const CommandRegistrar registrar{{"plane", "the task plane base + a tau_A + b tau_B, with every method's merge projected on it", &run_plane}};

}  // namespace
}  // namespace mergelab::app
