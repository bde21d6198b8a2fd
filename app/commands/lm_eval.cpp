// `mergelab eval` on a causal language model: perplexity, bits per byte and multiple choice per task.
#include "app/commands/lm_eval.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "app/cli.h"
#include "app/commands/eval_common.h"
#include "app/commands/interrupt.h"
#include "core/lm/config.h"
#include "core/lm/data.h"
#include "core/lm/evaluate.h"
#include "core/lm/lm_error.h"
#include "core/lm/model.h"
#include "core/lm/sgemm.h"
#include "core/lm/model_tasks.h"
#include "core/io/parallel.h"

namespace mergelab::app {
namespace {

namespace fs = std::filesystem;


// A model and the prepared tasks.
struct LoadedLm {
  lm::LmModel model;
  std::vector<lm::PreparedTask> tasks;
};

LoadedLm load_lm(const fs::path& model_dir, const std::vector<std::string>& data, const std::string& split,
                 const std::vector<std::string>& only, int max_docs, int window) {
  const std::vector<lm::TaskFiles> files = lm::find_task_files(data, split, only);
  LoadedLm out{lm::LmModel::load(model_dir, window), {}};
  out.tasks = lm::prepare_model_tasks(model_dir, out.model.config().vocab, files, max_docs);
  return out;
}

std::string clock_text(double s) {
  const long t = static_cast<long>(s + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

lm::LmReport run_with_progress(const LoadedLm& lm_, int window, int threads, bool show_progress) {
  lm::LmEvalOptions opt;
  opt.window = window;
  opt.threads = threads;
  opt.cancel = interrupt_flag();
  const bool tty = show_progress && ::isatty(2);
  if (tty)
    opt.progress = [](const lm::Progress& p) {
      if (p.seconds < 1.0) return;
      const double rate = p.tokens_done / p.seconds;
      const double eta = rate > 0 ? (p.tokens_total - p.tokens_done) / rate : 0;
      std::fprintf(stderr, "\r  %lld/%lld sequences, %.0f tokens/s, ETA %s   ", static_cast<long long>(p.sequences_done),
                   static_cast<long long>(p.sequences_total), rate, clock_text(eta).c_str());
      std::fflush(stderr);
    };
  install_interrupt_handlers();
  lm::LmReport r;
  try {
    r = lm::evaluate(lm_.model, lm_.tasks, opt);
  } catch (...) {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    throw;
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (tty && r.seconds >= 1.0) std::fprintf(stderr, "\r%70s\r", "");
  return r;
}

void print_table(std::ostream& out, const std::string& model, const lm::LmModel& m, const std::string& data_text,
                 const lm::LmReport& r) {
  const lm::LmConfig& c = m.config();
  out << "model: " << model << " (" << c.model_type << ", " << m.parameter_count() << " parameters, " << c.layers
      << " layers, window " << r.window << ")\n";
  out << "data:  " << data_text << "\n\n";
  size_t width = 10;
  for (const auto& t : r.tasks) width = std::max(width, t.name.size() + 2);
  out << pad("task", width, false) << pad("docs", 6) << pad("tokens", 9) << pad("nll", 11) << pad("ppl", 11)
      << pad("bpb", 11) << pad("mc acc", 9) << pad("acc_norm", 10) << "\n";
  for (const auto& t : r.tasks) {
    out << pad(t.name, width, false);
    if (t.has_perplexity) {
      const auto& p = t.perplexity;
      out << pad(std::to_string(p.docs), 6) << pad(std::to_string(p.tokens), 9) << pad(fixed(p.mean_nll, 6), 11)
          << pad(fixed(p.ppl, 4), 11) << pad(fixed(p.bpb, 6), 11);
    } else {
      out << pad("", 6) << pad("", 9) << pad("", 11) << pad("", 11) << pad("", 11);
    }
    if (t.has_mc) out << pad(fixed(t.mc.acc, 4), 9) << pad(fixed(t.mc.acc_norm, 4), 10);
    out << "\n";
  }
  if (r.tasks.size() > 1) {
    const eval::MetricMap f = r.flat();
    auto get = [&](const char* k) { return f.count(k) ? f.at(k) : NAN; };
    out << pad("combined", width, false) << pad("", 6) << pad("", 9) << pad(fixed(get("combined.nll"), 6), 11)
        << pad(fixed(get("combined.ppl"), 4), 11) << pad(fixed(get("combined.bpb"), 6), 11)
        << pad(fixed(get("combined.mc_acc"), 4), 9) << pad(fixed(get("combined.mc_acc_norm"), 4), 10)
        << "   (mean over tasks)\n";
  }
  out << "\n" << r.tokens_run << " tokens in " << fixed(r.seconds, 2) << " s (" << fixed(r.tokens_run / std::max(r.seconds, 1e-9), 0)
      << " tokens/s, sgemm " << lm::sgemm_isa() << ")\n";
}

}  // namespace

int run_lm_eval(int argc, char** argv) {
  ArgParser args("mergelab eval",
                 "Evaluate a causal language model (config.json model_type llama, mistral, qwen2 or gpt2; or a PEFT\n"
                 "LoRA adapter on such a base) on JSONL data: per task perplexity, bits per byte and multiple-choice\n"
                 "accuracy, with the protocol of tests/data/tinylm/README.md (non-overlapping windows of W tokens).");
  args.add_positional("MODEL", "model folder (config.json + safetensors, tokenizer.json), or a PEFT adapter folder");
  args.add_positional("FILE", "more JSONL files for --data", /*many=*/true, /*required=*/false);
  args.add_multi_option("data", "DIR|FILE",
                        "a data folder ({task}_{split}.jsonl and/or {task}_mc_{split}.jsonl), or JSONL files, one per task");
  args.add_option("split", "NAME", "split to read from a data folder (default: test)");
  args.add_option("tasks", "A,B", "tasks of the data folder to evaluate (default: all)");
  args.add_option("window", "W", "evaluation window in tokens (default: min(256, max positions))");
  args.add_option("max-docs", "N", "first N documents / items of each file only");
  args.add_option("threads", "N", "worker threads (default: all cores)", "0");
  args.add_option("out", "FILE", "also write the JSON report to FILE (atomically)");
  args.add_flag("json", "print the JSON report instead of the table");
  args.add_epilog(
      "Lines: {\"text\": ...} (perplexity), {\"input_ids\": [...], \"bytes\": n} (pre-tokenized, no BOS added),\n"
      "{\"context\": ..., \"choices\": [...], \"label\": k} (multiple choice). Lower nll/ppl/bpb is better.\n"
      "examples:\n"
      "  mergelab eval tests/data/tinylm/models/base --data tests/data/tinylm/data\n"
      "  mergelab eval tests/data/tinylm/models/lora_python --data tests/data/tinylm/data --tasks python --json");
  if (!args.parse(argc, argv)) return 0;
  const std::string model = args.positionals()[0];
  std::string split;
  const std::vector<std::string> data = eval_data(args, "files", "--data is required (a data folder, or one JSONL file per task)",
                                                  [](const std::string&) { return true; }, split);
  const int window = args.has("window") ? static_cast<int>(args.get_int("window")) : 0;
  if (args.has("window") && window < 2) throw CliError("--window must be at least 2");
  const int max_docs = args.has("max-docs") ? static_cast<int>(args.get_int("max-docs")) : 0;
  if (args.has("max-docs") && max_docs < 1) throw CliError("--max-docs must be at least 1");
  const int threads = static_cast<int>(args.get_int("threads"));
  const auto only = args.has("tasks") ? split_list(args.get("tasks")) : std::vector<std::string>{};
  if (!only.empty() && !is_data_folder(data))
    throw CliError("--tasks selects tasks of a data folder; files are used as given");

  const LoadedLm loaded = load_lm(model, data, split, only, max_docs, window);
  const lm::LmReport report = run_with_progress(loaded, window, threads, !args.flag("json"));
  if (report.cancelled) {
    std::cerr << "mergelab eval: cancelled\n";
    return 130;
  }
  emit_report(args, report.to_json(), [&](std::ostream& o) { print_table(o, model, loaded.model, data_text(data, split), report); });
  return 0;
}

int lm_evaluate_output(const fs::path& model_dir, const fs::path& data_dir, const std::string& split, int threads) {
  const LoadedLm loaded = load_lm(model_dir, {data_dir.string()}, split, {}, 0, 0);
  const lm::LmReport r = run_with_progress(loaded, 0, threads, true);
  if (r.cancelled) {
    std::cerr << "mergelab merge: evaluation cancelled (the merged checkpoint is complete)\n";
    return 130;
  }
  std::printf("evaluation (%s split):", split.c_str());
  for (const auto& t : r.tasks) {
    std::printf(" %s", t.name.c_str());
    if (t.has_perplexity) std::printf(" ppl %.4f bpb %.4f", t.perplexity.ppl, t.perplexity.bpb);
    if (t.has_mc) std::printf(" mc_acc %.4f", t.mc.acc);
    std::printf(";");
  }
  const eval::MetricMap f = r.flat();
  if (f.count("combined.ppl")) std::printf(" combined ppl %.4f (lower is better)", f.at("combined.ppl"));
  std::printf("\n");
  return 0;
}

}  // namespace mergelab::app
