// The tuning problem: a merge recipe's checkpoint family, tune/test data, an objective with its direction, the merge
// scope, the seed and an evaluator — what `mergelab sweep`, `mergelab evolve` and a GUI tuning view all search.
//
//   TuningSpec spec;                                  // plain settings (CLI options, panel settings)
//   spec.recipe = "ta.yml"; spec.data = "data";       // a mergekit YAML; a data folder
//   TuningProblem problem = TuningProblem::load(spec);          // throws std::runtime_error naming file/field
//   std::vector<RecipeParam> space = {parse_recipe_param("lambda", problem.method(), problem.model_count())};
//   SweepResult r = tuning_sweep(problem, space, SweepGrid({parse_axis("lambda=0:1:11")}),
//                                {.threads = 2, .progress = show, .cancel = &stop});
//   auto best = r.best("objective", problem.maximize());
//   EvolveResult e = tuning_evolve(problem, default_dimensions(problem, 1), {.budget = 100});
//
// Evaluators (chosen by load()):
//   Classifier     the base's config.json is an MLP classifier (core/eval): data = CSV folder (task{i}_{split}.csv);
//                  metrics "<task>.acc", ".loss", "combined.acc", ...; objectives maximise accuracy.
//   External       spec.external_command non-empty (classifier families): each candidate written to a temporary
//                  folder, the command run on it (core/eval/external.h), its JSON numbers are the metrics (the
//                  command scores both splits alike; a cancel is seen before the next candidate, a running
//                  command ends by its timeout).
//   LanguageModel  the base's config.json is a causal LM (core/lm): data = JSONL folder ({task}_{split}.jsonl,
//                  {task}_mc_{split}.jsonl); candidates merged into memory (core/lm/merge_family.h), scored with
//                  the LM protocol (core/lm/evaluate.h), never written; metrics "<task>.ppl", ".nll", ".bpb",
//                  ".mc_acc", "combined.*"; perplexity-type objectives are MINIMISED.
// Objective text (spec.objective): "mean" (over the tune tasks' lm_metric, or accuracy), "worst" (alias "min":
// the worst task, i.e. the smallest accuracy or the largest perplexity), "weighted:TASK=W,..." (a task name
// stands for "<task>.<metric>"), or a full search::parse_objective text ("mean:python.bpb,c.bpb"). The
// direction comes from the metrics: lower is better for nll/ppl/bpb/loss keys, higher otherwise.
//
// Every metric map a problem returns also holds "objective" (the reduced value, not negated). Methods are
// const and thread-safe; the searches report progress from one thread at a time and stop at a cancel flag.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/eval/merge_eval.h"
#include "core/recipe/recipe.h"
#include "core/search/cmaes.h"
#include "core/search/objective.h"
#include "core/search/recipe_space.h"
#include "core/search/sweep.h"

namespace mergelab::search {

enum class EvaluatorKind { Classifier, External, LanguageModel };
const char* evaluator_name(EvaluatorKind kind);  ///< "classifier", "external", "language model"

/// The settings of a tuning problem (plain data: what a command line or a panel holds).
struct TuningSpec {
  std::filesystem::path recipe;              ///< mergekit YAML; model paths relative to its folder
  std::filesystem::path data;                ///< data folder (CSV for classifiers, JSONL for LMs)
  std::string tune_split = "val", test_split = "test";
  std::string objective = "mean";            ///< see the header comment
  eval::MergeScope scope = eval::MergeScope::PerTensor;  ///< WholeVector: classifier families only
  std::uint32_t seed = 0;                    ///< per-tensor seeds engine::tensor_seed(seed, name), as `mergelab merge`
  // External evaluator (classifier families).
  std::string external_command;              ///< e.g. "python3 eval.py {model_dir}"; empty = built-in
  double external_timeout = 600;
  // Language models.
  std::vector<std::string> tasks;            ///< tasks of the data folder (empty: all)
  std::string lm_metric = "ppl";             ///< per-task metric of "mean"/"worst"/"weighted": ppl, nll, bpb, mc_acc
  int window = 0;                            ///< 0 = min(256, max positions)
  int max_docs = 0;                          ///< > 0: first N documents / items of each file
  int lm_threads = 0;                        ///< threads of one LM evaluation (<= 0: all cores)
};

enum class Split { Tune, Test };

class TuningProblem {
 public:
  /// Reads the recipe, the family and both splits of the data. Throws std::runtime_error (or a library error
  /// deriving from it) naming the file and problem; std::invalid_argument for a bad objective or scope.
  static TuningProblem load(const TuningSpec& spec);
  TuningProblem(TuningProblem&&) noexcept;
  TuningProblem& operator=(TuningProblem&&) noexcept;
  ~TuningProblem();

  const TuningSpec& spec() const;
  EvaluatorKind evaluator() const;
  const recipe::Recipe& recipe() const;
  const recipe::MergeLayout& layout() const;
  const merge::MethodSpec& method() const;
  std::size_t model_count() const;            ///< merged models (the base excluded)
  const ObjectiveSpec& objective() const;
  bool maximize() const;                      ///< objective().maximize
  const char* direction() const;              ///< "higher is better" / "lower is better"
  std::vector<std::string> task_names() const;  ///< tune tasks, in data order
  /// The metric shown beside the objective ("combined.acc" for classifiers, "combined.<lm_metric>" for LMs; ""
  /// for an external evaluator).
  std::string headline_metric() const;
  int layer_count() const;                    ///< layers of the stack (0: names carry no layer number)
  std::vector<double> layer_positions() const;  ///< gradient position of every merged tensor
  std::string first_tensor() const;
  /// Tokens one LM evaluation of the tune split runs through the model (0 for other evaluators).
  std::int64_t tokens_per_evaluation() const;

  /// The metrics of one point of `space` on a split, plus "objective". With PerTensor scope the point is written
  /// into a copy of the recipe and merged per tensor exactly as the engine would; with WholeVector into the
  /// recipe's own values (gradients refused: std::invalid_argument). Throws std::invalid_argument from the
  /// registry, std::runtime_error when an evaluation fails, TuningCancelled when `cancel` stopped it.
  eval::MetricMap metrics(const std::vector<RecipeParam>& space, const std::vector<double>& values, Split split = Split::Tune,
                          const std::atomic<bool>* cancel = nullptr) const;
  /// The recipe's own values as a point of `space`.
  std::vector<double> recipe_point(const std::vector<RecipeParam>& space) const;
  /// One line of a split's metrics: "task0 96.5%  ...  combined 91.7%" or "python ppl 27.94  ...  (lower is better)".
  std::string summary(const eval::MetricMap& metrics) const;
  /// The recipe with the point written in (what a search exports).
  recipe::Recipe recipe_at(const std::vector<RecipeParam>& space, const std::vector<double>& values) const;

 private:
  struct Impl;
  explicit TuningProblem(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Thrown by TuningProblem::metrics when the cancel flag stopped an evaluation.
struct TuningCancelled : std::runtime_error {
  TuningCancelled() : std::runtime_error("cancelled") {}
};

/// Progress of a search, from one thread at a time.
struct TuningProgress {
  std::size_t done = 0, total = 0;  ///< candidates evaluated / planned (evolve: the budget)
  double seconds = 0, eta_seconds = 0;
  double tokens_per_second = 0;     ///< LM evaluator: tokens through the model per second; 0 otherwise
  double best = 0;                  ///< best objective so far (NaN before the first)
};

struct TuningRunOptions {
  int threads = 1;  ///< candidates evaluated at once (classifier / external; an LM candidate uses spec.lm_threads)
  std::function<void(const TuningProgress&)> progress;
  const std::atomic<bool>* cancel = nullptr;
};

/// Every point of the grid (axis k = space[k], scalars only): rows carry metrics(..., Split::Tune); the best
/// row is result.best("objective", problem.maximize()). Cancelled points are left not done.
SweepResult tuning_sweep(const TuningProblem& problem, const std::vector<RecipeParam>& space, const SweepGrid& grid,
                         const TuningRunOptions& options = {});

/// A searched parameter and its bounds (a gradient's control points share them).
struct EvolveDimension {
  RecipeParam param;
  double lo = 0, hi = 1;
};
/// "NAME[@i][:gG][=LO:HI]"; bounds default to the registry range clipped to [0, 2], given bounds are checked
/// against the parameter's hard limits. Throws std::invalid_argument naming the text.
EvolveDimension parse_dimension(const std::string& text, const TuningProblem& problem, int default_groups = 1);
/// Every merged model's weight in [0, 1] and, when the method has one, density in [0.05, 1]. Throws
/// std::invalid_argument when the method has neither.
std::vector<EvolveDimension> default_dimensions(const TuningProblem& problem, int groups = 1);
/// Refuses gradients a problem cannot search (global scope, no numbered layers, a control point no tensor uses).
void check_dimensions(const TuningProblem& problem, const std::vector<EvolveDimension>& dims);

struct EvolveOptions {
  std::int64_t budget = 300;
  int population = 0;      ///< 0 = 4 + 3 ln n
  double sigma = 0.25;     ///< initial step, as a fraction of each range
  std::uint32_t seed = 0;
  TuningRunOptions run;
  std::function<void(const CmaesGeneration&)> on_generation;  ///< values in objective units (not negated)
};

struct EvolveResult {
  std::vector<RecipeParam> space;
  std::vector<double> start, best;  ///< points of `space`
  double start_objective = 0, best_objective = 0;  ///< objective units (direction: problem.maximize())
  std::int64_t evaluations = 0;
  CmaesStop stop = CmaesStop::None;
  std::vector<CmaesGeneration> history;  ///< objective units
};

/// CMA-ES (search::minimize) in [0, 1]^n mapped onto the bounds, started at the recipe's own values; a
/// candidate that fails to merge or evaluate ranks last.
EvolveResult tuning_evolve(const TuningProblem& problem, const std::vector<EvolveDimension>& dims, const EvolveOptions& options = {});
/// A parameter's values in a point: one, or a gradient's control points.
std::vector<double> values_of(const std::vector<RecipeParam>& space, std::size_t param, const std::vector<double>& point);

}  // namespace mergelab::search
