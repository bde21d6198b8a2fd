// `mergelab eval MODEL --data DIR|CSV...`: the built-in classifier evaluator on one checkpoint.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "app/cli.h"
#include "app/commands/lm_eval.h"
#include "core/eval/dataset.h"
#include "core/eval/mlp.h"
#include "core/lm/config.h"
#include "core/io/atomic_file.h"

namespace mergelab::app {
namespace {

namespace fs = std::filesystem;

std::string fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string pad(std::string s, size_t width, bool right_align = false) {
  if (s.size() >= width) return s;
  return right_align ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

// The data to evaluate on: a fixture-style folder, one CSV split by --tasks rules, or one CSV per task.
eval::TaskSet load_tasks(const std::vector<std::string>& data, const std::string& split, const std::string& tasks_json) {
  if (data.empty()) throw CliError("--data is required (a data folder, or one CSV per task)");
  std::error_code ec;
  if (data.size() == 1 && fs::is_directory(data[0], ec)) {
    if (!tasks_json.empty()) throw CliError("--tasks applies to a single CSV file, not to a folder (it reads its own tasks.json)");
    return eval::load_data_dir(data[0], split);
  }
  for (const auto& d : data) {
    if (fs::is_directory(d, ec)) throw CliError("--data " + d + ": give one folder, or CSV files, not both");
    if (!fs::exists(d, ec)) throw eval::DataError(d + ": no such file or directory");
  }
  if (!tasks_json.empty()) {
    if (data.size() != 1) throw CliError("--tasks splits ONE CSV file by labels; got " + std::to_string(data.size()) + " files");
    return eval::tasks_from_label_subsets(eval::load_csv(data[0]), eval::load_task_rules(tasks_json));
  }
  std::vector<fs::path> files(data.begin(), data.end());
  return eval::tasks_from_files(files);
}

void print_table(std::ostream& out, const std::string& model, const eval::MlpClassifier& clf, const std::string& data_text,
                 const eval::EvalReport& r) {
  out << "model: " << model << " (" << clf.parameter_count() << " parameters, " << clf.config().layers.size()
      << " layers, " << eval::activation_name(clf.config().hidden_act) << ")\n";
  out << "data:  " << data_text << "\n\n";
  size_t width = 12;
  for (const auto& t : r.tasks) width = std::max(width, t.name.size() + 2);
  out << pad("task", width) << pad("rows", 7, true) << pad("accuracy", 11, true) << pad("cross-entropy", 15, true) << "\n";
  for (const auto& t : r.tasks)
    out << pad(t.name, width) << pad(std::to_string(t.metrics.rows), 7, true)
        << pad(fixed(100 * t.metrics.accuracy, 2) + " %", 11, true) << pad(fixed(t.metrics.cross_entropy, 6), 15, true) << "\n";
  out << pad("combined", width) << pad("", 7, true) << pad(fixed(100 * r.combined_accuracy, 2) + " %", 11, true)
      << pad(fixed(r.combined_cross_entropy, 6), 15, true) << "   (mean over tasks)\n";
  if (r.has_pooled)
    out << pad("all", width) << pad(std::to_string(r.pooled.rows), 7, true)
        << pad(fixed(100 * r.pooled.accuracy, 2) + " %", 11, true) << pad(fixed(r.pooled.cross_entropy, 6), 15, true)
        << "   (pooled rows)\n";
}

int run_eval(int argc, char** argv) {
  // A causal language model folder (config.json model_type llama/mistral/qwen2/gpt2, or a LoRA adapter on one)
  // takes the LM evaluator; everything else the classifier path below.
  if (argc > 1 && argv[1][0] != '-' && lm::is_lm_model_dir(argv[1])) return run_lm_eval(argc, argv);
  ArgParser args("mergelab eval",
                 "Evaluate one feed-forward classifier checkpoint (config.json 'layers' + safetensors) on CSV data:\n"
                 "per-task accuracy (argmax over all logits) and cross-entropy (softmax, natural log, mean over rows),\n"
                 "combined = mean over tasks, all = pooled rows.");
  args.add_positional("MODEL", "checkpoint folder (config.json + model.safetensors or a sharded index), or a .safetensors file with --config");
  args.add_positional("CSV", "more CSV files for --data (so '--data a.csv b.csv' works)", /*many=*/true, /*required=*/false);
  args.add_multi_option("data", "DIR|CSV",
                        "a data folder (task{i}_{split}.csv [+ {split}.csv, tasks.json], or {split}.csv + tasks.json), "
                        "or CSV files, one per task");
  args.add_option("split", "NAME", "split to read from a data folder: train, val or test (default: test)");
  args.add_option("tasks", "JSON", "task rules {\"tasks\": [{\"name\", \"labels\"}]} to split a single CSV by label");
  args.add_option("config", "JSON", "the model's config.json (default: MODEL/config.json)");
  args.add_option("out", "FILE", "also write the JSON report to FILE (atomically)");
  args.add_flag("json", "print the JSON report instead of the table");
  args.add_epilog(
      "A language-model folder (config.json model_type llama, mistral, qwen2, gpt2) is evaluated on JSONL data\n"
      "instead: see 'mergelab eval LM_FOLDER --help'.\n"
      "CSV files have a header row f0,...,fN,label and one example per row.\n"
      "JSON layout: {\"<task>\": {\"acc\", \"loss\", \"n\"}, ..., \"all\": {...}, \"combined\": {\"acc\", \"loss\"}}.\n"
      "examples:\n"
      "  mergelab eval tests/data/digits/models/multitask --data tests/data/digits/data\n"
      "  mergelab eval merged.safetensors --config models/base/config.json --data task0.csv task1.csv --json");
  if (!args.parse(argc, argv)) return 0;

  const std::string model = args.positionals()[0];
  std::vector<std::string> data = args.get_all("data");
  for (size_t i = 1; i < args.positionals().size(); ++i) {
    const std::string& extra = args.positionals()[i];
    if (data.empty() || fs::path(extra).extension() != ".csv")
      throw CliError("unexpected argument '" + extra + "' (only CSV files may follow --data)");
    data.push_back(extra);
  }
  std::error_code ec;
  if (!fs::exists(model, ec)) throw eval::DataError(model + ": no such file or directory");
  eval::MlpConfig config;
  if (args.has("config")) {
    config = eval::load_mlp_config(args.get("config"));
  } else if (fs::is_directory(model, ec)) {
    config = eval::load_mlp_config(model);
  } else {
    throw CliError(model + " is a file: give its architecture with --config CONFIG.json");
  }
  const std::string split = args.has("split") ? args.get("split") : "test";
  if (args.has("split") && !(data.size() == 1 && fs::is_directory(data[0], ec)))
    throw CliError("--split applies to a data folder; CSV files are used as given");
  const eval::TaskSet tasks = load_tasks(data, split, args.has("tasks") ? args.get("tasks") : "");
  const eval::MlpClassifier clf = eval::MlpClassifier::load(model, config);
  const eval::EvalReport report = eval::evaluate(clf, tasks);

  if (args.has("out")) io::write_file_atomic(args.get("out"), report.to_json() + "\n");
  if (args.flag("json")) {
    std::cout << report.to_json() << "\n";
  } else {
    std::string data_text;
    for (const auto& d : data) data_text += (data_text.empty() ? "" : ", ") + d;
    std::error_code ec2;
    if (data.size() == 1 && fs::is_directory(data[0], ec2)) data_text += " (split " + split + ")";
    print_table(std::cout, model, clf, data_text, report);
  }
  return 0;
}

CommandRegistrar registrar{{"eval", "evaluate a classifier (accuracy, cross-entropy) or a language model (perplexity, bits per byte, multiple choice)", &run_eval}};

}  // namespace
}  // namespace mergelab::app
