#include "core/analysis/path.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>

#include "core/analysis/flat_models.h"
#include "core/merge/registry.h"
#include "fixtures.h"

namespace mergelab::analysis {
namespace {

using testing::digits_models;
using testing::digits_scorer;
using testing::first_value_scorer;

// One tensor of two values: a = (0, 5), b = (1, 5), so on the LERP path flat[0] == t.
const Layout kLine{{"w", {2}}};
const Eigen::VectorXf kA = (Eigen::VectorXf(2) << 0.0f, 5.0f).finished();
const Eigen::VectorXf kB = (Eigen::VectorXf(2) << 1.0f, 5.0f).finished();

TEST(PathTest, LerpPointIsTheRegistrysLinearMergeWithWeightsOneMinusTAndT) {
  const FlatModels m = digits_models({"ft_task0", "ft_task1"});
  const auto* linear = merge::find_method("linear");
  for (double t : {0.0, 0.05, 0.3, 0.5, 0.95, 1.0}) {
    merge::Params p = merge::make_params(*linear);
    p.set_model(0, "weight", 1.0 - t);
    p.set_model(1, "weight", t);
    const Eigen::VectorXf want = merge_flat(*linear, p, m.layout, nullptr, {&m.vectors[0], &m.vectors[1]});
    const Eigen::VectorXf got = path_point(m.layout, m.vectors[0], m.vectors[1], t, PathMethod::Lerp);
    EXPECT_EQ((got - want).cwiseAbs().maxCoeff(), 0.0f) << "t = " << t;
  }
}

TEST(PathTest, SlerpPointIsTheRegistrysSlerpWithMergekitsRulePerTensor) {
  const FlatModels m = digits_models({"ft_task0", "ft_task1"});
  const auto* slerp = merge::find_method("slerp");
  for (double t : {0.0, 0.25, 0.5, 1.0}) {
    merge::Params p = merge::make_params(*slerp, "mergekit");
    p.set("t", t);
    const Eigen::VectorXf want = merge_flat(*slerp, p, m.layout, nullptr, {&m.vectors[0], &m.vectors[1]});
    const Eigen::VectorXf got = path_point(m.layout, m.vectors[0], m.vectors[1], t, PathMethod::Slerp);
    EXPECT_EQ((got - want).cwiseAbs().maxCoeff(), 0.0f) << "t = " << t;
  }
  // The ends are the models themselves.
  EXPECT_LE((path_point(m.layout, m.vectors[0], m.vectors[1], 0.0, PathMethod::Slerp) - m.vectors[0]).cwiseAbs().maxCoeff(), 1e-6f);
  EXPECT_LE((path_point(m.layout, m.vectors[0], m.vectors[1], 1.0, PathMethod::Slerp) - m.vectors[1]).cwiseAbs().maxCoeff(), 1e-6f);
}

TEST(PathTest, BarrierIsTheLargestRiseAboveTheLineBetweenTheEnds) {
  // Ends 1 and 3: the line is 1 + 2t. At t = 0.5 the value 4 is 2 above it; at t = 0.25, 2.6 is 0.1 above.
  const Barrier b = path_barrier({0.0, 0.25, 0.5, 1.0}, {1.0, 2.6, 4.0, 3.0}, /*lower_is_better=*/true);
  ASSERT_TRUE(b.valid);
  EXPECT_DOUBLE_EQ(b.height, 2.0);
  EXPECT_DOUBLE_EQ(b.t, 0.5);
  EXPECT_DOUBLE_EQ(b.threshold, kBarrierRelativeThreshold * 2.0);
  EXPECT_TRUE(b.present);
  // Below the line everywhere: height 0, no barrier.
  const Barrier low = path_barrier({0.0, 0.5, 1.0}, {1.0, 0.5, 3.0}, true);
  EXPECT_EQ(low.height, 0.0);
  EXPECT_FALSE(low.present);
  // Just under and just over the threshold (ends 1, 1: threshold 0.1).
  EXPECT_FALSE(path_barrier({0.0, 0.5, 1.0}, {1.0, 1.09, 1.0}, true).present);
  EXPECT_TRUE(path_barrier({0.0, 0.5, 1.0}, {1.0, 1.11, 1.0}, true).present);
  // Higher is better (an accuracy): a dip below the line is the barrier.
  const Barrier acc = path_barrier({0.0, 0.5, 1.0}, {0.9, 0.5, 0.9}, false);
  EXPECT_NEAR(acc.height, 0.4, 1e-15);
  EXPECT_TRUE(acc.present);
  // Without both ends there is no barrier to compute.
  EXPECT_FALSE(path_barrier({0.0, 0.5}, {1.0, 2.0}, true).valid);
}

TEST(PathTest, GridIsEvenAndRefinementClosesInOnTheMinimum) {
  // f(t) = (t - 0.3137)^2: the grid's best point is t = 0.3; golden section inside [0.25, 0.35] gets closer.
  const double t_min = 0.3137;
  const Scorer s = first_value_scorer([&](double x) { return (x - t_min) * (x - t_min); });
  const PathResult r = interpolation_path(kLine, kA, kB, s, {.method = PathMethod::Lerp, .points = 21, .refine = 8});
  ASSERT_EQ(r.points.size(), 29u);
  int grid = 0;
  for (const auto& p : r.points) {
    EXPECT_TRUE(p.evaluated);
    EXPECT_EQ(p.score.metrics[0], static_cast<float>(p.t));  // flat[0] == t on this path (in float)
    if (!p.refined) {
      EXPECT_DOUBLE_EQ(p.t, grid / 20.0);
      ++grid;
    } else {
      EXPECT_GT(p.t, 0.25);
      EXPECT_LT(p.t, 0.35);
    }
  }
  EXPECT_EQ(grid, 21);
  for (std::size_t k = 1; k < r.points.size(); ++k) EXPECT_LE(r.points[k - 1].t, r.points[k].t);
  // 8 golden-section points shrink the bracket of width 0.1 to 0.1 * 0.618^7 ~ 0.0034.
  EXPECT_NEAR(r.points[r.best].t, t_min, 0.004);
  EXPECT_TRUE(r.points[r.best].refined);
  EXPECT_FALSE(r.barrier.present);  // a convex curve is below its chord
}

TEST(PathTest, ThreadsGiveTheSameNumbersAndCancelStopsEarly) {
  const FlatModels m = digits_models({"ft_task0", "ft_task1"});
  const Scorer s = digits_scorer(m.layout);
  const PathResult one = interpolation_path(m.layout, m.vectors[0], m.vectors[1], s, {.points = 7, .refine = 2}, {.threads = 1});
  const PathResult two = interpolation_path(m.layout, m.vectors[0], m.vectors[1], s, {.points = 7, .refine = 2}, {.threads = 2});
  ASSERT_EQ(one.points.size(), two.points.size());
  for (std::size_t k = 0; k < one.points.size(); ++k) {
    EXPECT_EQ(one.points[k].t, two.points[k].t);
    EXPECT_EQ(one.points[k].score.combined, two.points[k].score.combined);
    EXPECT_EQ(one.points[k].score.metrics, two.points[k].score.metrics);
  }
  std::atomic<bool> cancel{false};
  std::size_t seen = 0, last_total = 0;
  RunControl run{.threads = 1,
                 .progress = [&](std::size_t done, std::size_t total) {
                   seen = done;
                   last_total = total;
                   if (done == 3) cancel = true;
                 },
                 .cancel = &cancel};
  const PathResult cut = interpolation_path(m.layout, m.vectors[0], m.vectors[1], s, {.points = 21, .refine = 6}, run);
  EXPECT_TRUE(cut.cancelled);
  EXPECT_EQ(seen, 3u);
  EXPECT_EQ(last_total, 27u);
  EXPECT_FALSE(cut.barrier.valid);  // t = 1 never ran
}

// The fixtures: fine-tunes of one base are linearly connected; models from two inits are not.
TEST(PathTest, FineTunesOfOneBaseStayLowAndDifferentInitsShowTheBarrier) {
  for (PathMethod method : {PathMethod::Lerp, PathMethod::Slerp}) {
    const FlatModels same = digits_models({"ft_task0", "ft_task1"});
    const PathResult low = interpolation_path(same.layout, same.vectors[0], same.vectors[1], digits_scorer(same.layout),
                                              {.method = method}, {.threads = 2});
    ASSERT_TRUE(low.barrier.valid);
    EXPECT_FALSE(low.barrier.present) << low.barrier.verdict;
    EXPECT_LT(low.barrier.height, low.barrier.threshold);

    const FlatModels diff = digits_models({"multitask", "diffinit_multitask"});
    const PathResult high = interpolation_path(diff.layout, diff.vectors[0], diff.vectors[1], digits_scorer(diff.layout),
                                               {.method = method}, {.threads = 2});
    ASSERT_TRUE(high.barrier.valid);
    EXPECT_TRUE(high.barrier.present) << high.barrier.verdict;
    EXPECT_GT(high.barrier.t, 0.0);
    EXPECT_LT(high.barrier.t, 1.0);
  }
}

TEST(PathTest, RejectsBadOptions) {
  const Scorer s = first_value_scorer([](double x) { return x; });
  EXPECT_THROW(interpolation_path(kLine, kA, kB, s, {.points = 1}), std::invalid_argument);
  EXPECT_THROW(interpolation_path(kLine, kA, kB, s, {.refine = -1}), std::invalid_argument);
  EXPECT_THROW(interpolation_path(kLine, kA, Eigen::VectorXf::Zero(3), s), std::invalid_argument);
  EXPECT_THROW(parse_path_method("cubic"), std::invalid_argument);
}

}  // namespace
}  // namespace mergelab::analysis
