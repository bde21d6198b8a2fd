#include "core/search/tuning.h"

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "core/eval/dataset.h"
#include "core/eval/external.h"
#include "core/lm/config.h"
#include "core/lm/evaluate.h"
#include "core/lm/merge_family.h"
#include "core/lm/model_tasks.h"
#include "core/recipe/mergekit_yaml.h"

namespace mergelab::search {

namespace fs = std::filesystem;

const char* evaluator_name(EvaluatorKind kind) {
  switch (kind) {
    case EvaluatorKind::Classifier: return "classifier";
    case EvaluatorKind::External: return "external";
    case EvaluatorKind::LanguageModel: return "language model";
  }
  return "?";
}

struct TuningProblem::Impl {
  TuningSpec spec;
  EvaluatorKind kind = EvaluatorKind::Classifier;
  recipe::Recipe recipe;
  recipe::MergeLayout layout;
  const merge::MethodSpec* method = nullptr;
  ObjectiveSpec objective;
  std::vector<std::string> task_names;
  // Classifier and external evaluators.
  std::unique_ptr<eval::MergeFamily> family;
  merge::Params base_params;
  eval::TaskSet tune_tasks, test_tasks;
  // Language models.
  std::unique_ptr<lm::LmMergeFamily> lm_family;
  std::vector<lm::PreparedTask> lm_tune, lm_test;
  std::int64_t lm_tokens = 0;

  recipe::Recipe point_recipe(const std::vector<RecipeParam>& space, const std::vector<double>& values) const {
    recipe::Recipe r = recipe;
    apply_point(r, layout, space, values);
    return r;
  }
  Eigen::VectorXf merged(const std::vector<RecipeParam>& space, const std::vector<double>& values) const {
    if (spec.scope == eval::MergeScope::PerTensor) return family->merge(point_recipe(space, values), layout, spec.seed);
    merge::Params p = base_params;
    apply_point(p, space, values);  // refuses gradients: one Params for the whole vector
    return family->merge(*method, p, spec.scope);
  }
  eval::MetricMap external(const std::vector<RecipeParam>& space, const std::vector<double>& values) const;
  eval::MetricMap lm_metrics(const std::vector<RecipeParam>& space, const std::vector<double>& values, Split split,
                             const std::atomic<bool>* cancel) const;
};

namespace {

bool lower_is_better(const std::string& key) {
  if (lm::metric_direction(key) == lm::MetricDirection::LowerIsBetter) return true;
  const auto dot = key.rfind('.');
  const std::string metric = dot == std::string::npos ? key : key.substr(dot + 1);
  return metric == "loss" || metric == "cross_entropy";
}

// "mean" / "worst" / "weighted:TASK=W,..." over the tasks' `metric`, or a full parse_objective text. The
// direction follows the keys (all lower-is-better, or none).
ObjectiveSpec build_objective(const std::string& text, const std::vector<std::string>& tasks, const std::string& metric,
                              bool lower_default) {
  std::string full = text;
  std::string keys;
  for (const auto& t : tasks) keys += (keys.empty() ? "" : ",") + t + "." + metric;
  if (text == "mean") full = "mean:" + keys;
  else if (text == "worst" || text == "min") full = (lower_default ? "max:" : "min:") + keys;
  else if (text == "weighted") throw std::invalid_argument("objective 'weighted' needs weights: weighted:TASK=W,...");
  ObjectiveSpec spec = parse_objective(full);
  for (auto& k : spec.keys)
    if (k.find('.') == std::string::npos) k += "." + metric;  // weighted:python=0.5 -> python.ppl
  std::size_t lower = 0;
  for (const auto& k : spec.keys) lower += lower_is_better(k) ? 1 : 0;
  if (lower != 0 && lower != spec.keys.size())
    throw std::invalid_argument("objective '" + text + "' mixes lower-is-better and higher-is-better metrics");
  spec.maximize = lower == 0;
  return spec;
}

}  // namespace

eval::MetricMap TuningProblem::Impl::external(const std::vector<RecipeParam>& space, const std::vector<double>& values) const {
  const Eigen::VectorXf flat = merged(space, values);
  std::string pattern = (fs::temp_directory_path() / "mergelab-candidate-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error(fs::temp_directory_path().string() + ": cannot create a temporary folder");
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{pattern};
  family->write_checkpoint(flat, cleanup.dir);
  eval::ExternalEvalOptions opt;
  opt.command_template = spec.external_command;
  opt.timeout_seconds = spec.external_timeout;
  const eval::ExternalEvalResult r = eval::run_external_evaluator(opt, cleanup.dir);
  if (!r.ok) throw std::runtime_error("external evaluator: " + r.error.substr(0, r.error.find('\n')));
  return r.metrics;
}

eval::MetricMap TuningProblem::Impl::lm_metrics(const std::vector<RecipeParam>& space, const std::vector<double>& values,
                                                Split split, const std::atomic<bool>* cancel) const {
  const lm::LmModel model = lm_family->model(point_recipe(space, values), layout, spec.seed);
  lm::LmEvalOptions opt;
  opt.window = spec.window;
  opt.threads = spec.lm_threads;
  opt.cancel = cancel;
  const lm::LmReport r = lm::evaluate(model, split == Split::Tune ? lm_tune : lm_test, opt);
  if (r.cancelled) throw TuningCancelled();
  return r.flat();
}

TuningProblem::TuningProblem(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TuningProblem::TuningProblem(TuningProblem&&) noexcept = default;
TuningProblem& TuningProblem::operator=(TuningProblem&&) noexcept = default;
TuningProblem::~TuningProblem() = default;

TuningProblem TuningProblem::load(const TuningSpec& spec) {
  auto s = std::make_unique<Impl>();
  s->spec = spec;
  s->recipe = recipe::read_mergekit_yaml(spec.recipe.string());
  recipe::validate(s->recipe);
  s->method = &recipe::method_of(s->recipe);
  s->layout = recipe::merge_layout(s->recipe);
  if (spec.data.empty()) throw std::invalid_argument("no data folder given (the evaluation data)");
  const std::string family_base = s->layout.base.empty() ? s->layout.models.at(0) : s->layout.base;
  std::vector<fs::path> models(s->layout.models.begin(), s->layout.models.end());
  if (lm::is_lm_model_dir(family_base)) {
    s->kind = EvaluatorKind::LanguageModel;
    if (spec.scope != eval::MergeScope::PerTensor)
      throw std::invalid_argument("scope global applies to classifier families; language models merge per tensor");
    if (!spec.external_command.empty())
      throw std::invalid_argument("an external evaluator applies to classifier families; language models are scored in memory");
    s->lm_family = std::make_unique<lm::LmMergeFamily>(lm::LmMergeFamily::load(family_base, models, spec.window));
    const int rows = s->lm_family->config().vocab;
    const std::vector<std::string> data{spec.data.string()};
    s->lm_tune = lm::prepare_model_tasks(family_base, rows, lm::find_task_files(data, spec.tune_split, spec.tasks), spec.max_docs);
    s->lm_test = lm::prepare_model_tasks(family_base, rows, lm::find_task_files(data, spec.test_split, spec.tasks), spec.max_docs);
    for (const auto& t : s->lm_tune) {
      s->task_names.push_back(t.name);
      for (const auto& d : t.docs) s->lm_tokens += static_cast<std::int64_t>(d.ids.size());
      for (const auto& item : t.items)
        for (const auto& c : item.choices) s->lm_tokens += static_cast<std::int64_t>(item.context.size() + c.size());
    }
    s->objective = build_objective(spec.objective, s->task_names, spec.lm_metric,
                                   lm::metric_direction("x." + spec.lm_metric) != lm::MetricDirection::HigherIsBetter);
  } else {
    s->kind = spec.external_command.empty() ? EvaluatorKind::Classifier : EvaluatorKind::External;
    s->family = std::make_unique<eval::MergeFamily>(eval::MergeFamily::load(family_base, models));
    // Without a base_model (nuslerp, multislerp, karcher's plain mean) the family's base is only its first model.
    if (s->layout.base.empty()) s->family->set_base_role(eval::BaseRole::None);
    s->base_params = recipe::resolve_params(s->recipe, s->layout, s->family->layout().front().name, 0.0, spec.seed);
    s->tune_tasks = eval::load_data_dir(spec.data, spec.tune_split);
    s->test_tasks = eval::load_data_dir(spec.data, spec.test_split);
    for (const auto& t : s->tune_tasks.tasks) s->task_names.push_back(t.name);
    if (s->kind == EvaluatorKind::External && (spec.objective == "mean" || spec.objective == "worst" || spec.objective == "min"))
      throw std::invalid_argument("with an external evaluator name the objective's metrics, e.g. mean:accuracy");
    s->objective = build_objective(spec.objective, s->task_names, "acc", false);
  }
  return TuningProblem(std::move(s));
}

const TuningSpec& TuningProblem::spec() const { return impl_->spec; }
EvaluatorKind TuningProblem::evaluator() const { return impl_->kind; }
const recipe::Recipe& TuningProblem::recipe() const { return impl_->recipe; }
const recipe::MergeLayout& TuningProblem::layout() const { return impl_->layout; }
const merge::MethodSpec& TuningProblem::method() const { return *impl_->method; }
std::size_t TuningProblem::model_count() const { return impl_->layout.models.size(); }
const ObjectiveSpec& TuningProblem::objective() const { return impl_->objective; }
bool TuningProblem::maximize() const { return impl_->objective.maximize; }
const char* TuningProblem::direction() const { return maximize() ? "higher is better" : "lower is better"; }
std::vector<std::string> TuningProblem::task_names() const { return impl_->task_names; }
std::int64_t TuningProblem::tokens_per_evaluation() const { return impl_->lm_tokens; }

std::string TuningProblem::headline_metric() const {
  switch (impl_->kind) {
    case EvaluatorKind::Classifier: return "combined.acc";
    case EvaluatorKind::LanguageModel: return "combined." + impl_->spec.lm_metric;
    case EvaluatorKind::External: return "";
  }
  return "";
}

int TuningProblem::layer_count() const {
  return impl_->lm_family ? impl_->lm_family->layer_count() : impl_->family->layer_count();
}

std::vector<double> TuningProblem::layer_positions() const {
  std::vector<double> out;
  if (impl_->lm_family) {
    for (std::size_t t = 0; t < impl_->lm_family->tensor_names().size(); ++t) out.push_back(impl_->lm_family->layer_position(t));
  } else {
    for (std::size_t t = 0; t < impl_->family->layout().size(); ++t) out.push_back(impl_->family->layer_position(t));
  }
  return out;
}

std::string TuningProblem::first_tensor() const {
  return impl_->lm_family ? impl_->lm_family->tensor_names().front() : impl_->family->layout().front().name;
}

eval::MetricMap TuningProblem::metrics(const std::vector<RecipeParam>& space, const std::vector<double>& values, Split split,
                                       const std::atomic<bool>* cancel) const {
  const Impl& s = *impl_;
  if (cancel && cancel->load()) throw TuningCancelled();
  eval::MetricMap m;
  switch (s.kind) {
    case EvaluatorKind::Classifier:
      m = eval::evaluate(s.family->classifier(s.merged(space, values)), split == Split::Tune ? s.tune_tasks : s.test_tasks).flat();
      break;
    case EvaluatorKind::External: m = s.external(space, values); break;
    case EvaluatorKind::LanguageModel: m = s.lm_metrics(space, values, split, cancel); break;
  }
  if (split == Split::Tune) {
    m["objective"] = reduce_metrics(m, s.objective);  // a missing key is the objective's error: it propagates
  } else {
    try {
      m["objective"] = reduce_metrics(m, s.objective);
    } catch (const std::invalid_argument&) {  // the test split may lack a tuned metric
    }
  }
  return m;
}

std::vector<double> TuningProblem::recipe_point(const std::vector<RecipeParam>& space) const {
  return point_of(impl_->recipe, impl_->layout, space, first_tensor());
}

recipe::Recipe TuningProblem::recipe_at(const std::vector<RecipeParam>& space, const std::vector<double>& values) const {
  return impl_->point_recipe(space, values);
}

std::string TuningProblem::summary(const eval::MetricMap& m) const {
  std::string out;
  char buf[96];
  const auto get = [&](const std::string& k) { return m.count(k) ? m.at(k) : std::nan(""); };
  if (impl_->kind == EvaluatorKind::Classifier) {
    for (const auto& t : impl_->task_names) {
      std::snprintf(buf, sizeof buf, "%s %.1f%%  ", t.c_str(), 100.0 * get(t + ".acc"));
      out += buf;
    }
    std::snprintf(buf, sizeof buf, "combined %.1f%%", 100.0 * get("combined.acc"));
    return out + buf;
  }
  if (impl_->kind == EvaluatorKind::External) {
    for (const auto& [k, v] : m) {
      std::snprintf(buf, sizeof buf, "%s%s=%g", out.empty() ? "" : "  ", k.c_str(), v);
      out += buf;
    }
    return out;
  }
  const std::string& metric = impl_->spec.lm_metric;
  for (const auto& t : impl_->task_names) {
    if (!m.count(t + "." + metric)) continue;
    std::snprintf(buf, sizeof buf, "%s %s %.4f  ", t.c_str(), metric.c_str(), get(t + "." + metric));
    out += buf;
  }
  if (m.count("objective")) {
    std::snprintf(buf, sizeof buf, "objective %.4f (%s)", m.at("objective"), direction());
    out += buf;
  }
  return out;
}

}  // namespace mergelab::search
