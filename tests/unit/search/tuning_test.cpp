// The tuning problem (core/search/tuning.h) on the digits classifier family and on the tinylm language-model family.
//  - Classifier: task arithmetic at lambda 0.6 reproduces the reference table's test accuracies (merge_table.md:
//    96.5 / 93.5 / 85.0 %, the figures tests/cli/sweep_evolve.sh also checks through `mergelab merge --eval`).
//  - Language models: the fixture merges of expected_lm_eval.json (task_arithmetic at weights 0.5, ties at density
//    0.3), merged in memory and scored, give the reference perplexity (1e-4 relative) and
//    multiple-choice accuracy (exact); the objective is minimised; a sweep row equals the problem's metrics at the
//    same point; a cancel flag stops a sweep; CMA-ES improves on its start.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <fstream>

#include "core/lm/lm_error.h"
#include "core/search/tuning.h"
#include "tests/unit/lm/tinylm.h"
#include "tests/unit/temp_dir.h"

namespace fs = std::filesystem;
using namespace mergelab;
using namespace mergelab::search;
using mergelab::testing::kTinyLm;

namespace {

const fs::path kDigits = fs::path(MERGELAB_TEST_DATA) / "digits";

TuningSpec lm_spec(const std::string& recipe) {
  TuningSpec s;
  s.recipe = kTinyLm / "expected" / (recipe + ".yml");
  s.data = kTinyLm / "data";
  s.lm_threads = 2;
  return s;
}

void expect_reference(const TuningProblem& p, const std::string& model) {
  const auto ref = mergelab::testing::read_json_file(kTinyLm / "expected" / "expected_lm_eval.json")["models"][model];
  const std::vector<RecipeParam> none;
  const eval::MetricMap m = p.metrics(none, {}, Split::Test);
  double sum = 0;
  for (const std::string& task : p.task_names()) {
    sum += m.at(task + ".ppl");
    const double want = ref["ppl"]["test"][task]["ppl"];
    EXPECT_NEAR(m.at(task + ".ppl"), want, 1e-4 * want) << model << " " << task;
    EXPECT_NEAR(m.at(task + ".bpb"), ref["ppl"]["test"][task]["bpb"].get<double>(), 1e-4 * ref["ppl"]["test"][task]["bpb"].get<double>());
    EXPECT_EQ(m.at(task + ".mc_acc"), ref["mc"]["test"][task]["acc"].get<double>()) << model << " " << task;
  }
  // The objective: the mean of the three perplexities, lower is better.
  EXPECT_FALSE(p.maximize());
  EXPECT_STREQ(p.direction(), "lower is better");
  EXPECT_NEAR(m.at("objective"), sum / static_cast<double>(p.task_names().size()), 1e-9);
}

}  // namespace

TEST(TuningProblem, ClassifierReproducesTheReferenceTable) {
  mergelab::testing::TempDir dir;
  const fs::path models = kDigits / "models";
  std::ofstream(dir.path / "ta.yml") << "merge_method: task_arithmetic\nbase_model: " << (models / "base").string()
                                     << "\nmodels:\n  - model: " << (models / "ft_task0").string() << "\n  - model: "
                                     << (models / "ft_task1").string() << "\n  - model: " << (models / "ft_task2").string()
                                     << "\nparameters:\n  lambda: 1.0\ndtype: float32\n";
  TuningSpec spec;
  spec.recipe = dir.path / "ta.yml";
  spec.data = kDigits / "data";
  const TuningProblem p = TuningProblem::load(spec);
  EXPECT_EQ(p.evaluator(), EvaluatorKind::Classifier);
  EXPECT_TRUE(p.maximize());
  EXPECT_EQ(p.objective().keys, (std::vector<std::string>{"task0.acc", "task1.acc", "task2.acc"}));
  const std::vector<RecipeParam> space{parse_recipe_param("lambda", p.method(), p.model_count())};
  EXPECT_EQ(p.recipe_point(space), std::vector<double>{1.0});
  const eval::MetricMap m = p.metrics(space, {0.6}, Split::Test);
  EXPECT_NEAR(m.at("task0.acc"), 0.965, 0.0005);
  EXPECT_NEAR(m.at("task1.acc"), 0.935, 0.0005);
  EXPECT_NEAR(m.at("task2.acc"), 0.850, 0.0005);
  EXPECT_EQ(p.summary(m).substr(0, 12), "task0 96.5% ");
  // "worst" is the smallest accuracy.
  spec.objective = "worst";
  const TuningProblem worst = TuningProblem::load(spec);
  EXPECT_EQ(worst.objective().reduce, ObjectiveSpec::Reduce::Min);
  EXPECT_DOUBLE_EQ(worst.metrics(space, {0.6}, Split::Test).at("objective"), m.at("task2.acc"));
}

TEST(TuningProblem, LanguageModelMergesMatchTheFixtureReference) {
  // task arithmetic on all three tasks, TIES (trim, sign election) on one, to keep the test short.
  for (const std::string recipe : {"task_arithmetic", "ties"}) {
    TuningSpec spec = lm_spec(recipe);
    if (recipe == "ties") spec.tasks = {"python"};
    const TuningProblem p = TuningProblem::load(spec);
    EXPECT_EQ(p.evaluator(), EvaluatorKind::LanguageModel);
    EXPECT_EQ(p.layer_count(), 3);
    expect_reference(p, recipe);
  }
}

TEST(TuningProblem, LanguageModelObjectives) {
  TuningSpec s = lm_spec("task_arithmetic");
  s.max_docs = 2;
  s.objective = "worst";
  const TuningProblem worst = TuningProblem::load(s);
  EXPECT_EQ(worst.objective().reduce, ObjectiveSpec::Reduce::Max);  // the worst perplexity is the largest
  const eval::MetricMap m = worst.metrics({}, {});
  EXPECT_DOUBLE_EQ(m.at("objective"), std::max({m.at("python.ppl"), m.at("c.ppl"), m.at("prose.ppl")}));
  s.objective = "weighted:python=0.5,c=0.25,prose=0.25";
  s.lm_metric = "bpb";
  const TuningProblem weighted = TuningProblem::load(s);
  const eval::MetricMap w = weighted.metrics({}, {});
  EXPECT_NEAR(w.at("objective"), 0.5 * w.at("python.bpb") + 0.25 * w.at("c.bpb") + 0.25 * w.at("prose.bpb"), 1e-12);
  EXPECT_FALSE(weighted.maximize());
  s.objective = "mean:python.ppl,python.mc_acc";
  EXPECT_THROW(TuningProblem::load(s), std::invalid_argument);  // mixed directions
  s.objective = "mean";
  s.tasks = {"python", "nope"};
  EXPECT_THROW(TuningProblem::load(s), lm::LmError);
}

TEST(TuningProblem, LanguageModelSweepRowsEqualPointMetricsAndCancelStops) {
  TuningSpec s = lm_spec("task_arithmetic");
  s.max_docs = 2;
  s.tasks = {"python", "c"};
  const TuningProblem p = TuningProblem::load(s);
  const std::vector<RecipeParam> space{parse_recipe_param("weight@0", p.method(), p.model_count())};
  std::size_t calls = 0;
  TuningRunOptions opt;
  opt.progress = [&](const TuningProgress& g) {
    ++calls;
    EXPECT_GT(g.tokens_per_second, 0);
    EXPECT_LE(g.done, g.total);
  };
  const SweepResult r = tuning_sweep(p, space, SweepGrid({parse_axis("weight@0=0:1:3")}), opt);
  ASSERT_EQ(r.completed, 3u);
  EXPECT_EQ(calls, 3u);
  const eval::MetricMap at_half = p.metrics(space, {0.5});
  EXPECT_EQ(r.rows[1].metrics.at("python.ppl"), at_half.at("python.ppl"));
  EXPECT_EQ(r.rows[1].metrics.at("objective"), at_half.at("objective"));
  // The best row has the smallest objective.
  const auto best = r.best("objective", p.maximize());
  ASSERT_TRUE(best);
  for (const auto& row : r.rows) EXPECT_LE(r.rows[*best].metrics.at("objective"), row.metrics.at("objective"));
  std::atomic<bool> stop{true};
  opt.cancel = &stop;
  const SweepResult c = tuning_sweep(p, space, SweepGrid({parse_axis("weight@0=0:1:3")}), opt);
  EXPECT_TRUE(c.cancelled);
  EXPECT_EQ(c.completed, 0u);
}

TEST(TuningProblem, LanguageModelEvolveImprovesOnItsStart) {
  TuningSpec s = lm_spec("task_arithmetic");
  s.max_docs = 2;
  const TuningProblem p = TuningProblem::load(s);
  EvolveOptions opt;
  opt.budget = 12;
  opt.population = 4;
  const EvolveResult r = tuning_evolve(p, default_dimensions(p), opt);
  EXPECT_EQ(r.space.size(), 3u);
  EXPECT_EQ(r.start, (std::vector<double>{0.5, 0.5, 0.5}));
  EXPECT_LE(r.evaluations, 12);
  EXPECT_LT(r.best_objective, r.start_objective);
  EXPECT_NEAR(p.metrics(r.space, r.best).at("objective"), r.best_objective, 1e-12);
  for (const auto& g : r.history) EXPECT_GE(g.best_so_far, r.best_objective);
}

TEST(TuningProblem, Refusals) {
  TuningSpec s = lm_spec("task_arithmetic");
  s.scope = eval::MergeScope::WholeVector;
  EXPECT_THROW(TuningProblem::load(s), std::invalid_argument);
  s = lm_spec("task_arithmetic");
  s.objective = "weighted";
  EXPECT_THROW(TuningProblem::load(s), std::invalid_argument);
  const TuningProblem p = TuningProblem::load(lm_spec("task_arithmetic"));
  // 3 layers (t = 0, 0.5, 1): a 5-point gradient has control points (t = 0.25, 0.75) no tensor depends on.
  EXPECT_NO_THROW(check_dimensions(p, {parse_dimension("weight@0:g3", p)}));
  EXPECT_THROW(check_dimensions(p, {parse_dimension("weight@0:g5", p)}), std::invalid_argument);
  EXPECT_THROW(parse_dimension("weight@0=1:0", p), std::invalid_argument);
  EXPECT_THROW(parse_dimension("weight@0=0:x", p), std::invalid_argument);
}
