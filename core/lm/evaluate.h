// The LM evaluation protocol: perplexity / bits per byte and multiple choice, the objective of LM merges.
//
//   LmModel model = LmModel::load("models/base");                      // or from_weights(cfg, merged_views)
//   std::vector<PreparedTask> tasks = prepare_tasks(find_tasks("data", "test"), &encoder);  // tokenize once
//   LmReport r = evaluate(model, tasks, {.threads = 2});               // r.flat()["python.ppl"], ...
//
// Scoring many candidates (a sweep, CMA-ES): prepare the tasks once, then per candidate build an LmModel from
// the merged tensors held in memory (LmModel::from_weights with name -> float span views: nothing is written
// to disk) and call evaluate(). evaluate() is thread-safe: model and tasks are read-only, every thread gets its
// own Scratch (allocated once per call, no allocation per token); the result does not depend on the thread count
// (per-sequence sums are reduced in a fixed order).
//
// Protocol (tests/data/tinylm/README.md, "Evaluation protocol"), W = window (default min(256, max positions)):
//  perplexity  each document's ids (BOS first when tokenizer_config says add_bos_token) are cut into
//              consecutive non-overlapping windows ids[0:W], ids[W:2W], ...; each window runs alone from position
//              0; every token but a window's first is predicted; NLL = -log softmax(logits)[target] (natural
//              log, all vocab logits). mean_nll = Σnll / tokens, ppl = exp(mean_nll), bpb = Σnll / ln 2 / bytes
//              (UTF-8 bytes of the texts).
//  multiple    seq = [BOS] + encode(context) + encode(choice), cut to its last W tokens; score = Σ log p of the
//  choice      choice's tokens; acc = argmax score == label, acc_norm = argmax score / bytes(choice); ties go to
//              the first index.
// Metric keys (flat()): "<task>.nll", ".ppl", ".bpb", ".tokens", ".docs", ".windows", ".mc_acc", ".mc_acc_norm",
// and "combined.<metric>" = mean over the tasks that have it. metric_direction() says which way is better.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/eval/mlp.h"  // eval::MetricMap
#include "core/lm/data.h"
#include "core/lm/model.h"

namespace mergelab::lm {

struct PerplexityMetrics {
  std::int64_t docs = 0, windows = 0, tokens = 0, ids = 0, bytes = 0;  ///< tokens = predicted tokens
  bool bytes_known = true;
  double nll_sum = 0, mean_nll = 0, ppl = 0, bpb = 0;  ///< bpb is NaN when bytes are unknown
  std::vector<double> doc_nll;                         ///< per document
  std::vector<std::int64_t> doc_tokens;
};

struct McMetrics {
  std::int64_t n = 0, correct = 0, correct_norm = 0, truncated = 0;
  double acc = 0, acc_norm = 0;
  std::vector<std::vector<double>> scores;  ///< per item, per choice: Σ log p (natural log)
};

struct LmTaskResult {
  std::string name;
  bool has_perplexity = false, has_mc = false;
  PerplexityMetrics perplexity;
  McMetrics mc;
};

struct LmReport {
  int window = 0;
  bool cancelled = false;  ///< stopped by the cancel flag: metrics incomplete
  std::vector<LmTaskResult> tasks;
  double seconds = 0;
  std::int64_t tokens_run = 0;  ///< tokens through the forward pass (windows + MC sequences)

  /// "<task>.<metric>" and "combined.<metric>" (mean over tasks); see the header comment.
  eval::MetricMap flat() const;
  /// {"window": W, "tasks": {"<task>": {"ppl": {...}, "mc": {...}}}, "combined": {...}}.
  std::string to_json(int indent = 1) const;
};

enum class MetricDirection { LowerIsBetter, HigherIsBetter, Count };
/// nll, ppl, bpb: lower is better; mc_acc, mc_acc_norm: higher; tokens/docs/windows: counts.
MetricDirection metric_direction(std::string_view key);

struct Progress {
  std::int64_t sequences_done = 0, sequences_total = 0;
  std::int64_t tokens_done = 0, tokens_total = 0;
  double seconds = 0;
};

struct LmEvalOptions {
  int window = 0;   ///< 0 = the model's default_window()
  int threads = 1;  ///< <= 0: all cores
  const std::atomic<bool>* cancel = nullptr;
  /// Called now and then (at most ~5 times a second, from one thread at a time) while sequences finish.
  std::function<void(const Progress&)> progress;
};

/// Runs the protocol on every task. Throws LmError when an id is past the model's embedding rows (naming the
/// task's file) or the window is longer than the model's positions.
LmReport evaluate(const LmModel& model, const std::vector<PreparedTask>& tasks, const LmEvalOptions& options = {});

}  // namespace mergelab::lm
