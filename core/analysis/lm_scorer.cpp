#include "core/analysis/lm_scorer.h"

#include <span>

#include "core/lm/evaluate.h"
#include "core/lm/lm_error.h"
#include "core/lm/model.h"
#include "core/lm/tokenizer.h"

namespace mergelab::analysis {

namespace fs = std::filesystem;

LmScorerData load_lm_scorer_data(const fs::path& model_dir, const fs::path& data_dir, const LmDataOptions& options) {
  LmScorerData d;
  d.config = lm::load_lm_config(model_dir, options.window);
  d.window = options.window > 0 ? options.window : d.config.default_window();
  if (d.window > d.config.max_positions)
    throw lm::LmError((model_dir / "config.json").string() + ": window " + std::to_string(d.window) +
                      " is longer than the model's " + std::to_string(d.config.max_positions) + " positions");
  std::vector<lm::TaskFiles> files;
  for (auto f : lm::find_tasks(data_dir, options.split, options.tasks)) {
    if (f.perplexity.empty()) {
      if (!options.tasks.empty())
        throw lm::LmError(data_dir.string() + ": task '" + f.name + "' has no perplexity file (" + f.name + "_" +
                          options.split + ".jsonl): the weight-space metric is the NLL per token");
      continue;
    }
    f.multiple_choice.clear();
    files.push_back(std::move(f));
  }
  if (files.empty())
    throw lm::LmError(data_dir.string() + ": no perplexity file (TASK_" + options.split + ".jsonl) to score the points on");
  std::error_code ec;
  std::optional<lm::Tokenizer> tokenizer;
  std::optional<lm::TextEncoder> encoder;
  if (fs::exists(model_dir / "tokenizer.json", ec)) {
    tokenizer.emplace(lm::Tokenizer::load(model_dir));
    encoder = lm::text_encoder(*tokenizer);
    lm::check_vocab_fits(*encoder, d.config.vocab, (model_dir / "tokenizer.json").string());
  }
  auto tasks = lm::prepare_tasks(files, encoder ? &*encoder : nullptr, options.max_docs);
  for (const auto& t : tasks)
    if (t.max_id >= d.config.vocab)
      throw lm::LmError(t.perplexity_source + ": token id " + std::to_string(t.max_id) + " is past the model's " +
                        std::to_string(d.config.vocab) + " embedding rows");
  d.tasks = std::make_shared<const std::vector<lm::PreparedTask>>(std::move(tasks));
  return d;
}

Scorer lm_scorer(const LmScorerData& data, const Layout& layout) {
  auto cfg = std::make_shared<const lm::LmConfig>(data.config);
  auto slots = std::make_shared<const Layout>(layout);
  auto tasks = data.tasks;
  const int window = data.window;
  Scorer s;
  for (const auto& t : *tasks) s.metric_names.push_back(t.name + ".nll");
  s.combined_name = "combined.nll";
  s.lower_is_better = true;
  s.score = [cfg, slots, tasks, window](const Eigen::VectorXf& flat) {
    const auto views = eval::split_flat(std::span<const float>(flat.data(), static_cast<std::size_t>(flat.size())), *slots);
    const lm::LmModel model = lm::LmModel::from_weights(*cfg, views, "<weight-space point>");
    lm::LmEvalOptions opt;
    opt.window = window;
    opt.threads = 1;
    const lm::LmReport r = lm::evaluate(model, *tasks, opt);
    PointScore p;
    double sum = 0;
    for (const auto& t : r.tasks) {
      p.metrics.push_back(t.perplexity.mean_nll);
      sum += t.perplexity.mean_nll;
    }
    p.combined = r.tasks.empty() ? std::numeric_limits<double>::quiet_NaN() : sum / static_cast<double>(r.tasks.size());
    return p;
  };
  // A missing or misshapen tensor fails here, with the model's message. The check builds the model only (the
  // zero point is a valid model; scoring it would cost a full evaluation).
  const Eigen::VectorXf zero = Eigen::VectorXf::Zero(static_cast<Eigen::Index>(offsets_of(layout).back()));
  (void)lm::LmModel::from_weights(*cfg, eval::split_flat(std::span<const float>(zero.data(), static_cast<std::size_t>(zero.size())), layout),
                                  "weight-space layout");
  return s;
}

}  // namespace mergelab::analysis
