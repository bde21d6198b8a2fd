// `mergelab merge CONFIG.yml --out DIR`: merges whole checkpoints as a mergekit config describes.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>

#include "app/cli.h"
#include "app/commands/interrupt.h"
#include "app/commands/lm_eval.h"
#include "core/eval/dataset.h"
#include "core/eval/external.h"
#include "core/eval/mlp.h"
#include "core/engine/engine.h"
#include "core/engine/preflight.h"
#include "core/engine/stages.h"
#include "core/lm/config.h"
#include "core/recipe/mergekit_yaml.h"
#include "core/recipe/multi_stage.h"

namespace mergelab::app {
namespace {


std::string clock_text(double s) {
  const long t = static_cast<long>(s + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

// --eval / --eval-command: score the merged checkpoint; the merge itself has succeeded either way.
int evaluate_output(const ArgParser& args, const std::string& out_dir) {
  int status = 0;
  if (args.has("eval") && lm::is_lm_model_dir(out_dir)) {
    status = lm_evaluate_output(out_dir, args.get("eval"), args.get("eval-split"), static_cast<int>(args.get_int("threads")));
  } else if (args.has("eval")) {
    const auto model = eval::MlpClassifier::load(out_dir);
    const auto tasks = eval::load_data_dir(args.get("eval"), args.get("eval-split"));
    const auto report = eval::evaluate(model, tasks);
    std::printf("evaluation (%s split):", args.get("eval-split").c_str());
    for (const auto& t : report.tasks) std::printf(" %s %.1f%%", t.name.c_str(), 100.0 * t.metrics.accuracy);
    std::printf(" combined %.1f%% (cross-entropy %.4f)\n", 100.0 * report.combined_accuracy, report.combined_cross_entropy);
  }
  if (args.has("eval-command")) {
    eval::ExternalEvalOptions ext;
    ext.command_template = args.get("eval-command");
    ext.timeout_seconds = args.get_double("eval-timeout");
    if (!(ext.timeout_seconds > 0)) throw CliError("--eval-timeout must be > 0");
    const auto result = eval::run_external_evaluator(ext, out_dir);
    if (!result.ok) {
      std::cerr << "mergelab merge: external evaluator failed: " << result.error << "\n";
      status = 1;
    } else {
      std::printf("external evaluation:");
      for (const auto& [name, v] : result.metrics) std::printf(" %s=%g", name.c_str(), v);
      std::printf("\n");
    }
  }
  return status;
}

// A multi-stage file: every stage in dependency order, intermediates in the stage cache.
int run_stages_command(const ArgParser& args, const recipe::MultiRecipe& multi, const std::string& cache, uint32_t seed) {
  engine::StageOptions so;
  so.cache_dir = cache;
  so.seed = seed;
  so.run.out_dir = args.get("out");
  so.run.threads = static_cast<int>(args.get_int("threads"));
  so.run.force = args.flag("force");
  if (args.has("max-shard-size")) so.run.max_shard_bytes = engine::parse_size(args.get("max-shard-size"));
  const bool quiet = args.flag("quiet");
  so.on_stage = [&](const std::string& name, bool reused) {
    if (!quiet) std::fprintf(stderr, "stage %s: %s\n", name.c_str(), reused ? "unchanged, cached output reused" : "merging");
  };
  so.run.cancel = interrupt_flag();
  install_interrupt_handlers();
  try {
    const engine::StageReport rep = engine::run_stages(multi, so);
    if (!quiet)
      std::fprintf(stderr, "merged %zu stage(s), reused %zu, final output in %s\n", rep.merged.size(), rep.reused.size(),
                   so.run.out_dir.c_str());
  } catch (const engine::Cancelled&) {
    std::cerr << "\nmergelab merge: interrupted; the stage being merged was not written\n";
    return 130;
  }
  std::signal(SIGINT, SIG_DFL);
  return evaluate_output(args, so.run.out_dir);
}

int run_merge_command(int argc, char** argv) {
  ArgParser args("mergelab merge",
                 "Merges the checkpoints a mergekit YAML config names (merge_method, base_model, models with their\n"
                 "parameters, parameters, dtype, out_dtype) into a new checkpoint folder, one tensor at a time.\n"
                 "Model paths are relative to the YAML's folder (or absolute); hub names are not fetched.\n"
                 "The output is written into a hidden temporary folder beside --out and renamed at the end.");
  args.add_positional("config", "mergekit YAML config");
  args.add_option("out", "DIR", "output folder (must not exist unless --force)");
  args.add_option("threads", "N", "worker threads (default: all cores)", "0");
  args.add_option("seed", "S", "seed of the random methods (dare_*, della*): tensor masks use S xor hash(name)", "0");
  args.add_option("max-shard-size", "SIZE", "split the output into shards of at most SIZE (e.g. 2GB, 500MB)");
  args.add_flag("dry-run", "pre-flight only: check everything from headers and config files (no tensor data read), print "
                           "the plan (parameters per tensor group, bytes, peak memory and time estimates) and write nothing");
  args.add_option("stage-cache", "DIR", "multi-stage files: folder of the intermediate stages, reused while their recipe "
                                        "and inputs are unchanged (default: OUT.stages)");
  args.add_flag("force", "replace an existing output folder");
  args.add_flag("print-yaml", "print the config as MergeLab reads it, written back as mergekit YAML, and exit");
  args.add_flag("quiet", "no progress output");
  args.add_option("eval", "DIR", "after merging, evaluate the output with the built-in evaluator (classifier, or language model when the output's config.json is one) on this data folder");
  args.add_option("eval-split", "SPLIT", "split --eval reads", "test");
  args.add_option("eval-command", "TEMPLATE",
                  "after merging, run an external evaluator on the output, e.g. 'python3 eval.py {model_dir}'; its last "
                  "stdout line must be a JSON object of metrics");
  args.add_option("eval-timeout", "SECONDS", "timeout of --eval-command", "600");
  std::string methods;
  for (const auto& m : merge::method_registry()) methods += (methods.empty() ? "" : ", ") + m.name;
  args.add_epilog("\nMethods: " + methods + " (mergekit's parameter names and defaults).\n" +
                  "Exit status: 0 done, 1 bad config/inputs or failed merge (nothing written), 2 usage error, 130 "
                  "interrupted.\n");
  if (!args.parse(argc, argv)) return 0;
  const std::string config = args.positionals().at(0);
  const long threads = args.get_int("threads");
  const long seed = args.get_int("seed");
  if (threads < 0) throw CliError("--threads must be >= 0");
  if (seed < 0 || seed > 0xffffffffL) throw CliError("--seed must be in [0, 4294967295]");

  const recipe::MultiRecipe multi = recipe::read_recipes(config);
  const recipe::Recipe& r = multi.stages.back().recipe;
  for (const auto& st : multi.stages)
    for (const auto& w : st.recipe.warnings) std::cerr << "mergelab merge: warning: " << w << "\n";
  if (args.flag("print-yaml")) {
    for (const auto& st : multi.stages)
      std::cout << (multi.stages.size() > 1 ? "---\nname: " + st.name + "\n" : "") << recipe::to_mergekit_yaml(st.recipe);
    return 0;
  }
  const std::string cache = args.has("stage-cache") ? args.get("stage-cache") : args.has("out") ? args.get("out") + ".stages" : "";
  if (args.flag("dry-run")) {
    const engine::PreflightOptions po{.seed = static_cast<uint32_t>(seed), .threads = static_cast<int>(threads)};
    const engine::Preflight p = multi.stages.size() > 1 ? engine::preflight_stages(multi, po, cache)
                                                        : engine::preflight_recipe(r, po);
    if (!p.ok) throw std::runtime_error(p.error);
    std::cout << p.text();
    return 0;
  }
  if (!args.has("out")) throw CliError("--out DIR is required (or use --dry-run / --print-yaml)");
  if (multi.stages.size() > 1) return run_stages_command(args, multi, cache, static_cast<uint32_t>(seed));
  engine::MergePlan plan = engine::plan_merge(r, {.seed = static_cast<uint32_t>(seed)});
  engine::RunOptions opt;
  opt.out_dir = args.get("out");
  opt.threads = static_cast<int>(threads);
  opt.force = args.flag("force");
  if (args.has("max-shard-size")) {
    try {
      opt.max_shard_bytes = engine::parse_size(args.get("max-shard-size"));
    } catch (const engine::EngineError& e) {
      throw CliError(std::string("--max-shard-size: ") + e.what());
    }
  }
  for (const auto& w : plan.warnings)
    if (std::find(r.warnings.begin(), r.warnings.end(), w) == r.warnings.end())
      std::cerr << "mergelab merge: warning: " << w << "\n";

  const bool quiet = args.flag("quiet");
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  int last_decile = -1;
  opt.on_progress = [&](const engine::Progress& p) {
    if (quiet) return;
    const double frac = p.bytes_total ? static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total) : 1.0;
    if (tty) {
      const int width = 30;
      const int fill = static_cast<int>(frac * width);
      std::fprintf(stderr, "\r[%s%s] %3d%% %zu/%zu tensors, %s, ETA %s   ", std::string(static_cast<size_t>(fill), '#').c_str(),
                   std::string(static_cast<size_t>(width - fill), '.').c_str(), static_cast<int>(frac * 100), p.tensors_done,
                   p.tensors_total, engine::format_bytes(p.bytes_done).c_str(), clock_text(p.eta_s).c_str());
      if (p.tensors_done == p.tensors_total) std::fprintf(stderr, "\n");
    } else {
      const int decile = static_cast<int>(frac * 10);
      if (decile != last_decile || p.tensors_done == p.tensors_total) {
        last_decile = decile;
        std::fprintf(stderr, "merge: %d%% (%zu/%zu tensors, %s of %s, elapsed %s, ETA %s)\n", static_cast<int>(frac * 100),
                     p.tensors_done, p.tensors_total, engine::format_bytes(p.bytes_done).c_str(),
                     engine::format_bytes(p.bytes_total).c_str(), clock_text(p.elapsed_s).c_str(),
                     clock_text(p.eta_s).c_str());
      }
    }
  };
  opt.on_note = [](const std::string& note) { std::cerr << "mergelab merge: " << note << "\n"; };
  opt.cancel = interrupt_flag();
  install_interrupt_handlers();
  try {
    const engine::RunReport rep = engine::run_merge(plan, opt);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (!quiet) {
      std::fprintf(stderr, "merged %zu tensors in %.2f s (read %s, wrote %s) into %s:", rep.tensors, rep.seconds,
                   engine::format_bytes(rep.bytes_in).c_str(), engine::format_bytes(rep.bytes_out).c_str(),
                   opt.out_dir.c_str());
      for (const auto& f : rep.files) std::fprintf(stderr, " %s", f.c_str());
      std::fprintf(stderr, "\n");
    }
  } catch (const engine::Cancelled&) {
    std::cerr << "\nmergelab merge: interrupted; nothing was written\n";
    return 130;
  }
  return evaluate_output(args, opt.out_dir);
}

const CommandRegistrar registrar{{"merge", "merge checkpoints as a mergekit YAML config describes", &run_merge_command}};

}  // namespace
}  // namespace mergelab::app
