#include "core/analysis/lm_scorer.h"

#include <gtest/gtest.h>


#include "core/analysis/path.h"
#include "core/analysis/plane.h"
#include "core/lm/evaluate.h"
#include "core/lm/lm_error.h"
#include "core/lm/model.h"
#include "core/lm/tokenizer.h"
#include "core/merge/registry.h"

namespace mergelab::analysis {
namespace {

namespace fs = std::filesystem;
const fs::path kTiny = fs::path(MERGELAB_TEST_DATA) / "tinylm";
const fs::path kTinyModels = kTiny / "models";

// Small on purpose: 3 documents per task, 64-token windows (the scorer's numbers are checked against the
// evaluator on the same cut, so the cut changes nothing that is asserted).
const LmDataOptions kSmall{.split = "test", .tasks = {}, .max_docs = 3, .window = 64};

FlatModels tiny_models(const std::vector<std::string>& names) {
  std::vector<fs::path> paths;
  for (const auto& n : names) paths.push_back(kTinyModels / n);
  return load_flat_models(paths);
}

TEST(LmScorerTest, MetricsAreTheEvaluatorsMeanNllPerTaskAndTheirMean) {
  const FlatModels m = tiny_models({"ft_python"});
  const LmScorerData data = load_lm_scorer_data(kTinyModels / "base", kTiny / "data", kSmall);
  const Scorer s = lm_scorer(data, m.layout);
  ASSERT_EQ(s.metric_names, (std::vector<std::string>{"c.nll", "prose.nll", "python.nll"}));
  EXPECT_EQ(s.combined_name, "combined.nll");
  EXPECT_TRUE(s.lower_is_better);

  // The reference: the model loaded from disk, the tasks prepared as `mergelab eval` prepares them.
  const lm::LmModel model = lm::LmModel::load(kTinyModels / "ft_python", 64);
  const lm::Tokenizer tok = lm::Tokenizer::load(kTinyModels / "base");
  const lm::TextEncoder enc = lm::text_encoder(tok);
  const auto tasks = lm::prepare_tasks(lm::find_tasks(kTiny / "data", "test"), &enc, 3);
  const eval::MetricMap ref = lm::evaluate(model, tasks, {.window = 64, .threads = 2, .cancel = nullptr, .progress = {}}).flat();

  const PointScore p = s.score(m.vectors[0]);
  ASSERT_EQ(p.metrics.size(), 3u);
  EXPECT_DOUBLE_EQ(p.metrics[0], ref.at("c.nll"));
  EXPECT_DOUBLE_EQ(p.metrics[1], ref.at("prose.nll"));
  EXPECT_DOUBLE_EQ(p.metrics[2], ref.at("python.nll"));
  EXPECT_NEAR(p.combined, ref.at("combined.nll"), 1e-12);
  // The fine-tune predicts its own task better than the base does (the fixture's point).
  const FlatModels base = tiny_models({"base"});
  EXPECT_LT(p.metrics[2], s.score(base.vectors[0]).metrics[2]);
}

TEST(LmScorerTest, TasksSelectAndOrderAndRefuseAMultipleChoiceOnlyOrMissingTask) {
  LmDataOptions opt = kSmall;
  opt.tasks = {"python", "c"};
  const LmScorerData data = load_lm_scorer_data(kTinyModels / "base", kTiny / "data", opt);
  EXPECT_EQ(lm_scorer(data, tiny_models({"base"}).layout).metric_names, (std::vector<std::string>{"python.nll", "c.nll"}));
  opt.tasks = {"shell"};
  EXPECT_THROW(load_lm_scorer_data(kTinyModels / "base", kTiny / "data", opt), lm::LmError);
  opt.tasks = {};
  opt.window = 512;  // longer than the model's 256 positions
  EXPECT_THROW(load_lm_scorer_data(kTinyModels / "base", kTiny / "data", opt), lm::LmError);
}

TEST(LmScorerTest, ALayoutWithoutTheModelsTensorsIsRefusedUpFront) {
  const LmScorerData data = load_lm_scorer_data(kTinyModels / "base", kTiny / "data", kSmall);
  Layout layout = tiny_models({"base"}).layout;
  layout.pop_back();  // a tensor the forward pass needs
  EXPECT_THROW(lm_scorer(data, layout), lm::LmError);
}

TEST(LmScorerTest, BarrierVerdictsOnTheTinyLmPairs) {
  // Two fine-tunes of one base stay in its basin; a fine-tune of an independently initialised base does not.
  const FlatModels m = tiny_models({"ft_python", "ft_prose", "diffinit_prose"});
  const LmScorerData data = load_lm_scorer_data(kTinyModels / "base", kTiny / "data", kSmall);
  const Scorer s = lm_scorer(data, m.layout);
  const PathOptions opt{.method = PathMethod::Lerp, .points = 3, .refine = 0};
  const PathResult same = interpolation_path(m.layout, m.vectors[0], m.vectors[1], s, opt, {.threads = 2});
  const PathResult other = interpolation_path(m.layout, m.vectors[1], m.vectors[2], s, opt, {.threads = 2});
  ASSERT_TRUE(same.barrier.valid && other.barrier.valid);
  EXPECT_FALSE(same.barrier.present) << same.barrier.verdict;
  EXPECT_TRUE(other.barrier.present) << other.barrier.verdict;
  EXPECT_GT(other.barrier.height, 10 * same.barrier.height);
  // The ends of the path are the two models' own scores.
  EXPECT_DOUBLE_EQ(same.points.front().score.combined, s.score(m.vectors[0]).combined);
}

TEST(LmScorerTest, ProjectionOfTaskArithmeticOnTheTinyLmPlaneIsExact) {
  const FlatModels m = tiny_models({"base", "ft_python", "ft_c"});
  const auto* ta = merge::find_method("task_arithmetic");
  merge::Params p = merge::make_params(*ta, "mergekit");
  p.set_model(0, "weight", 0.7);
  p.set_model(1, "weight", 0.4);
  p.set("lambda", 1.0);
  const Eigen::VectorXf merged = merge_flat(*ta, p, m.layout, &m.vectors[0], {&m.vectors[1], &m.vectors[2]});
  const Eigen::VectorXf tau_i = m.vectors[1] - m.vectors[0], tau_j = m.vectors[2] - m.vectors[0];
  const PlaneCoordinates c = project_onto_plane(m.vectors[0], tau_i, tau_j, merged);
  EXPECT_NEAR(c.a, 0.7, 1e-5);
  EXPECT_NEAR(c.b, 0.4, 1e-5);
  EXPECT_LT(c.relative_distance, 1e-5);
  // And the plane's own cell at (0.7, 0.4) is that merge, bit for bit.
  EXPECT_EQ((plane_point(m.vectors[0], tau_i, tau_j, 0.7, 0.4) - merged).cwiseAbs().maxCoeff(), 0.0f);
}

}  // namespace
}  // namespace mergelab::analysis
