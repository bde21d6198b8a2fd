#include "app/commands/weight_space_cli.h"

#include <unistd.h>

#include <atomic>
#include <csignal>

#include <chrono>
#include <cmath>
#include <memory>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "app/commands/interrupt.h"
#include "core/eval/dataset.h"
#include "core/eval/mlp.h"
#include "core/analysis/family.h"

namespace mergelab::app {

namespace fs = std::filesystem;

void add_scoring_options(ArgParser& args) {
  args.add_option("data", "DIR",
                  "data folder: task{i}_{split}.csv or {split}.csv + tasks.json (classifiers), {task}_{split}.jsonl "
                  "(language models): the tasks scored");
  args.add_option("split", "NAME", "split of the data folder: train, val or test", "test");
  args.add_option("tasks", "A,B", "language models: tasks of the data folder to score (default: every perplexity task)");
  args.add_option("window", "W", "language models: evaluation window in tokens (default: min(256, max positions))");
  args.add_option("max-docs", "N", "language models: the first N documents of each task only");
  args.add_option("threads", "N", "worker threads (0: one per core)", "0");
  args.add_flag("json", "print JSON (every point with its metrics) instead of the table");
  args.add_flag("csv", "print CSV (one row per point) instead of the table");
}

namespace {
analysis::LmDataOptions lm_data_options(const ArgParser& args, const std::string& split) {
  analysis::LmDataOptions opt;
  opt.split = split;
  if (args.has("tasks")) {
    std::stringstream ss(args.get("tasks"));
    for (std::string item; std::getline(ss, item, ',');)
      if (!item.empty()) opt.tasks.push_back(item);
    if (opt.tasks.empty()) throw CliError("--tasks needs at least one task name");
  }
  if (args.has("window")) {
    opt.window = static_cast<int>(args.get_int("window"));
    if (opt.window < 2) throw CliError("--window must be at least 2");
  }
  if (args.has("max-docs")) {
    opt.max_docs = static_cast<int>(args.get_int("max-docs"));
    if (opt.max_docs < 1) throw CliError("--max-docs must be at least 1");
  }
  return opt;
}
}  // namespace

ScoringSetup load_scoring(const std::vector<std::string>& model_paths, const ArgParser& args) {
  if (args.flag("json") && args.flag("csv")) throw CliError("--json and --csv exclude each other");
  if (!args.has("data")) throw CliError("--data DIR is required (the tasks to score the points on)");
  if (args.get_int("threads") < 0) throw CliError("--threads must be >= 0");
  std::error_code ec;
  for (const auto& p : model_paths)
    if (!fs::exists(p, ec)) throw eval::DataError(p + ": no such file or directory");
  if (!fs::is_directory(model_paths[0], ec))
    throw CliError(model_paths[0] + " is a file: give a checkpoint folder (its config.json describes the model)");
  ScoringSetup s;
  s.data = args.get("data");
  s.split = args.get("split");
  analysis::FamilyOptions opt;
  opt.split = s.split;
  if (analysis::is_language_model(model_paths[0])) {
    opt.lm = lm_data_options(args, s.split);
  } else {
    for (const char* o : {"tasks", "window", "max-docs"})
      if (args.has(o)) throw CliError(std::string("--") + o + " applies to language models; " + model_paths[0] + " is a classifier");
  }
  analysis::ScoredFamily f = analysis::load_scored_family({model_paths.begin(), model_paths.end()}, s.data, opt);
  s.models = std::move(f.models);
  s.scorer = std::move(f.scorer);
  return s;
}

namespace {
bool stderr_is_tty() { return ::isatty(STDERR_FILENO) != 0; }
}  // namespace

analysis::RunControl progress_control(const std::string& what, const ArgParser& args) {
  analysis::RunControl run;
  run.threads = static_cast<int>(args.get_int("threads"));
  // Ctrl-C stops handing out points; what ran is printed (the rest empty) and the command exits 1.
  run.cancel = interrupt_flag();
  install_interrupt_handlers();
  const bool tty = stderr_is_tty();
  // A terminal line updated in place; otherwise one line a second at most, and the last one with the time taken.
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto last = std::make_shared<double>(0.0);
  run.progress = [what, tty, start, last](std::size_t done, std::size_t total) {
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    if (tty) {
      std::fprintf(stderr, "\r%s: %zu/%zu points, %.1f s   ", what.c_str(), done, total, s);
    } else if (done == total || s - *last >= 1.0) {
      *last = s;
      std::fprintf(stderr, "%s: %zu/%zu points, %.2f s\n", what.c_str(), done, total, s);
    }
  };
  return run;
}

void finish_progress() {
  if (stderr_is_tty()) std::fprintf(stderr, "\n");
  if (interrupt_flag()->load()) std::fprintf(stderr, "interrupted: the points that did not run are left empty (CSV) or null (JSON)\n");
}

std::string csv_number(double v) {
  if (std::isnan(v)) return "nan";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string csv_metric_header(const analysis::Scorer& scorer) {
  std::string out;
  for (const auto& n : scorer.metric_names) out += n + ",";
  return out + scorer.combined_name;
}

std::string csv_metric_cells(const analysis::Scorer& scorer, const analysis::PointScore& score, bool evaluated) {
  std::string out;
  if (!evaluated) return std::string(scorer.metric_names.size(), ',');
  for (double v : score.metrics) out += csv_number(v) + ",";
  return out + csv_number(score.combined);
}

nlohmann::ordered_json json_metrics(const analysis::Scorer& scorer, const analysis::PointScore& score, bool evaluated) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  auto value = [&](double v) { return evaluated && std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(); };
  for (std::size_t k = 0; k < scorer.metric_names.size(); ++k)
    j[scorer.metric_names[k]] = value(k < score.metrics.size() ? score.metrics[k] : NAN);
  j[scorer.combined_name] = value(score.combined);
  return j;
}

nlohmann::ordered_json json_scorer(const analysis::Scorer& scorer) {
  nlohmann::ordered_json j;
  j["metrics"] = scorer.metric_names;
  j["combined"] = scorer.combined_name;
  j["lower_is_better"] = scorer.lower_is_better;
  return j;
}

double metric(const analysis::Scorer& scorer, const analysis::PointScore& score, const std::string& name) {
  if (name == scorer.combined_name) return score.combined;
  for (std::size_t k = 0; k < scorer.metric_names.size() && k < score.metrics.size(); ++k)
    if (scorer.metric_names[k] == name) return score.metrics[k];
  return NAN;
}

int int_option(const ArgParser& args, const std::string& name, long lo, long hi) {
  const long v = args.get_int(name);
  if (v < lo || v > hi) throw CliError("--" + name + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return static_cast<int>(v);
}

nlohmann::ordered_json json_header(const std::string& command, const ScoringSetup& s) {
  nlohmann::ordered_json j;
  j["command"] = command;
  j["data"] = s.data;
  j["split"] = s.split;
  j["scorer"] = json_scorer(s.scorer);
  return j;
}

std::size_t print_grid(const analysis::Scorer& scorer, const std::vector<double>& xs, const std::vector<double>& ys,
                       const std::vector<analysis::PointScore>& cells, const std::vector<bool>& evaluated,
                       const char* x_name, const char* y_name) {
  const std::size_t nx = xs.size();
  std::printf("%s per cell (rows %s, columns %s):\n\n%4s \\ %-2s", scorer.combined_name.c_str(), y_name, x_name, y_name, x_name);
  for (double x : xs) std::printf(" %7.3g", x);
  std::printf("\n");
  std::size_t best = 0;
  for (std::size_t iy = ys.size(); iy-- > 0;) {
    std::printf("%8.3g", ys[iy]);
    for (std::size_t ix = 0; ix < nx; ++ix) {
      const std::size_t k = iy * nx + ix;
      if (evaluated[k] && (!evaluated[best] || scorer.better(cells[k].combined, cells[best].combined))) best = k;
      if (evaluated[k]) std::printf(" %7.4f", cells[k].combined);
      else std::printf(" %7s", "-");
    }
    std::printf("\n");
  }
  return best;
}

}  // namespace mergelab::app
