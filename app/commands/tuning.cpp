#include "app/commands/tuning.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "app/commands/eval_common.h"

namespace mergelab::app {

namespace fs = std::filesystem;

namespace {

int positive_int(const ArgParser& args, const std::string& name, int minimum) {
  if (!args.has(name)) return 0;
  const long v = args.get_int(name);
  if (v < minimum || v > 1000000000L) throw CliError("--" + name + " must be at least " + std::to_string(minimum));
  return static_cast<int>(v);
}

}  // namespace

void add_tuning_options(ArgParser& args) {
  args.add_option("data", "DIR",
                  "data folder: classifiers task{i}_{split}.csv (or {split}.csv + tasks.json); language models "
                  "{task}_{split}.jsonl and {task}_mc_{split}.jsonl");
  args.add_option("tune-split", "SPLIT", "split the search optimises on", "val");
  args.add_option("test-split", "SPLIT", "split the best recipe is reported on (to see over-fitting of the recipe)", "test");
  args.add_option("objective", "SPEC",
                  "mean (of the tasks' accuracy, or for language models of --metric), worst (alias min: the worst task), "
                  "weighted:TASK=W,..., or mean:KEYS / min:KEYS / max:KEYS over metrics such as task0.acc, python.ppl; "
                  "perplexity-type metrics (nll, ppl, bpb, loss) are minimised",
                  "mean");
  args.add_option("scope", "tensor|global",
                  "tensor: quantiles, norms and signs per tensor (mergekit); global: over the whole flattened model", "tensor");
  args.add_option("seed", "S", "seed of random methods (DARE masks)", "0");
  args.add_option("eval-command", "TEMPLATE",
                  "score each candidate with an external command instead, e.g. 'python3 eval.py {model_dir}' (its last "
                  "stdout line: a JSON object of numbers); name its metrics in --objective");
  args.add_option("eval-timeout", "SECONDS", "timeout of --eval-command", "600");
  args.add_option("tasks", "A,B", "language models: tasks of the data folder (default: all)");
  args.add_option("metric", "M", "language models: the per-task metric of mean/worst/weighted: ppl, nll, bpb or mc_acc", "ppl");
  args.add_option("window", "W", "language models: evaluation window in tokens (default: min(256, max positions))");
  args.add_option("max-docs", "N", "language models: first N documents / items of each file only");
  args.add_option("lm-threads", "N", "language models: threads of each candidate's evaluation (0: all cores)", "0");
  args.add_option("out", "DIR", "write the results table, JSON and the best recipe as mergekit YAML into DIR");
  args.add_flag("force", "replace existing result files in --out");
}

search::TuningProblem load_tuning_problem(const std::string& config_path, const ArgParser& args) {
  search::TuningSpec spec;
  spec.recipe = config_path;
  if (!args.has("data")) throw CliError("--data DIR is required (the evaluation data)");
  spec.data = args.get("data");
  const long seed = args.get_int("seed");
  if (seed < 0 || seed > 0xffffffffL) throw CliError("--seed must be in [0, 4294967295]");
  spec.seed = static_cast<std::uint32_t>(seed);
  spec.tune_split = args.get("tune-split");
  spec.test_split = args.get("test-split");
  const std::string scope = args.get("scope");
  if (scope == "tensor") spec.scope = eval::MergeScope::PerTensor;
  else if (scope == "global") spec.scope = eval::MergeScope::WholeVector;
  else throw CliError("--scope must be tensor or global, got '" + scope + "'");
  spec.objective = args.get("objective");
  if (args.has("eval-command")) spec.external_command = args.get("eval-command");
  spec.external_timeout = args.get_double("eval-timeout");
  if (!(spec.external_timeout > 0)) throw CliError("--eval-timeout must be > 0");
  if (args.has("tasks")) spec.tasks = split_list(args.get("tasks"));
  spec.lm_metric = args.get("metric");
  if (spec.lm_metric != "ppl" && spec.lm_metric != "nll" && spec.lm_metric != "bpb" && spec.lm_metric != "mc_acc")
    throw CliError("--metric must be ppl, nll, bpb or mc_acc, got '" + spec.lm_metric + "'");
  spec.window = positive_int(args, "window", 2);
  spec.max_docs = positive_int(args, "max-docs", 1);
  spec.lm_threads = static_cast<int>(args.get_int("lm-threads"));
  try {
    return search::TuningProblem::load(spec);
  } catch (const std::invalid_argument& e) {
    throw CliError(e.what());
  }
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

std::function<void(const search::TuningProgress&)> progress_printer(const std::string& what, const search::TuningProblem& p) {
  const bool tty = isatty(STDERR_FILENO);
  const bool lm = p.evaluator() == search::EvaluatorKind::LanguageModel;
  const std::string direction = p.direction();
  return [=](const search::TuningProgress& g) {
    if (!tty && !(g.done == g.total || g.done % std::max<std::size_t>(1, g.total / 10) == 0)) return;
    char tokens[48] = "";
    if (lm) std::snprintf(tokens, sizeof tokens, ", %.0f tokens/s", g.tokens_per_second);
    std::fprintf(stderr, "%s%s: %zu/%zu candidates%s, %.1f s, ETA %.1f s, best %.4f (%s)%s", tty ? "\r" : "", what.c_str(), g.done,
                 g.total, tokens, g.seconds, g.eta_seconds, g.best, direction.c_str(), tty ? "   " : "\n");
  };
}

}  // namespace mergelab::app
