// `mergelab path A B --data DIR`: the metrics along LERP/SLERP between two checkpoints, and the loss barrier.
#include <cstdio>
#include <iostream>

#include "app/cli.h"
#include "app/commands/weight_space_cli.h"
#include "core/analysis/path.h"

namespace mergelab::app {
namespace {

void print_table(const ScoringSetup& s, const analysis::PathResult& r) {
  const auto& sc = s.scorer;
  std::printf("%-8s %-3s", "t", "");
  for (const auto& n : sc.metric_names) std::printf(" %13s", n.c_str());
  std::printf(" %13s\n", sc.combined_name.c_str());
  for (std::size_t k = 0; k < r.points.size(); ++k) {
    const auto& p = r.points[k];
    std::printf("%-8.4f %-3s", p.t, k == r.best ? "*" : p.refined ? "r" : "");
    if (!p.evaluated) {
      std::printf("  (not evaluated)\n");
      continue;
    }
    for (double v : p.score.metrics) std::printf(" %13.6f", v);
    std::printf(" %13.6f\n", p.score.combined);
  }
  std::printf("\n* best %s, r refined point\n", sc.combined_name.c_str());
  std::printf("%s\n", r.barrier.verdict.c_str());
}

int run_path(int argc, char** argv) {
  ArgParser args("mergelab path",
                 "Score the straight (LERP) or spherical (SLERP, mergekit's per-tensor rule) path from checkpoint A\n"
                 "(t = 0) to checkpoint B (t = 1) at evenly spaced t, refined near the best point by a golden-section\n"
                 "search, and report the loss barrier: the largest rise of the combined loss above the straight line\n"
                 "between the two ends. A barrier is declared above 0.1 x the mean of the two end losses.");
  args.add_positional("A", "checkpoint folder at t = 0 (e.g. the base, or one fine-tune)");
  args.add_positional("B", "checkpoint folder at t = 1");
  add_scoring_options(args);
  args.add_option("points", "N", "evenly spaced points of t in [0, 1], >= 2", "21");
  args.add_option("refine", "R", "extra points by golden-section search around the best grid point", "6");
  args.add_option("method", "NAME", "lerp ((1-t) A + t B, the linear merge) or slerp (per tensor, mergekit's rule)", "lerp");
  args.add_epilog(
      "Metrics, as `mergelab eval` computes them: classifiers per task accuracy and cross-entropy, combined.acc and\n"
      "combined.loss (means over tasks); language models per task mean NLL per token and combined.nll (mean over tasks).\n"
      "CSV: t,refined,<metrics>,<combined>. JSON adds the best point and the barrier.\n"
      "examples:\n"
      "  mergelab path tests/data/digits/models/ft_task0 tests/data/digits/models/ft_task1 --data tests/data/digits/data\n"
      "  mergelab path models/multitask models/diffinit_multitask --data data --method slerp --json\n"
      "  mergelab path tests/data/tinylm/models/ft_python tests/data/tinylm/models/ft_prose --data tests/data/tinylm/data\n"
      "    --max-docs 4 --window 64");
  if (!args.parse(argc, argv)) return 0;
  analysis::PathOptions opt;
  if (args.get("method") != "lerp" && args.get("method") != "slerp")
    throw CliError("unknown path method '" + args.get("method") + "' (lerp or slerp)");
  opt.method = analysis::parse_path_method(args.get("method"));
  opt.points = int_option(args, "points", 2, 100000);
  opt.refine = int_option(args, "refine", 0, 1000);
  const ScoringSetup s = load_scoring({args.positionals()[0], args.positionals()[1]}, args);
  const analysis::RunControl run = progress_control("path", args);
  const analysis::PathResult r =
      analysis::interpolation_path(s.models.layout, s.models.vectors[0], s.models.vectors[1], s.scorer, opt, run);
  finish_progress();

  if (args.flag("csv")) {
    std::cout << "t,refined," << csv_metric_header(s.scorer) << "\n";
    for (const auto& p : r.points)
      std::cout << csv_number(p.t) << "," << (p.refined ? 1 : 0) << "," << csv_metric_cells(s.scorer, p.score, p.evaluated) << "\n";
  } else if (args.flag("json")) {
    nlohmann::ordered_json j = json_header("path", s);
    j["a"] = args.positionals()[0];
    j["b"] = args.positionals()[1];
    j["method"] = analysis::path_method_name(opt.method);
    j["points"] = nlohmann::ordered_json::array();
    for (const auto& p : r.points) {
      nlohmann::ordered_json pj;
      pj["t"] = p.t;
      pj["refined"] = p.refined;
      pj["metrics"] = json_metrics(s.scorer, p.score, p.evaluated);
      j["points"].push_back(pj);
    }
    j["best"] = {{"t", r.points[r.best].t}, {s.scorer.combined_name, r.points[r.best].score.combined}};
    const auto& b = r.barrier;
    j["barrier"] = {{"valid", b.valid},         {"height", b.height},
                    {"t", b.t},                 {"start", b.start},
                    {"end", b.end},             {"threshold", b.threshold},
                    {"relative_threshold", analysis::kBarrierRelativeThreshold},
                    {"present", b.present},     {"verdict", b.verdict}};
    std::cout << j.dump(1) << "\n";
  } else {
    std::printf("path %s: %s (t = 0) -> %s (t = 1), data %s (split %s)\n\n", analysis::path_method_name(opt.method),
                args.positionals()[0].c_str(), args.positionals()[1].c_str(), s.data.c_str(), s.split.c_str());
    print_table(s, r);
  }
  return r.cancelled ? 1 : 0;
}

const CommandRegistrar registrar{{"path", "metrics along LERP/SLERP between two checkpoints, and the loss barrier", &run_path}};

}  // namespace
}  // namespace mergelab::app
