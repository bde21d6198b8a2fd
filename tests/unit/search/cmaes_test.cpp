// CMA-ES on the standard test functions, with the budgets the algorithm needs.
//
// Measured with this implementation (seeds 0..9, default population 10 in 10-D):
//   sphere     10-D, x0 = 1, sigma0 = 1,   to f < 1e-10: 1610..1780 evaluations
//   Rosenbrock 10-D, x0 = 0, sigma0 = 0.5, to f < 1e-6:  4940..6730 evaluations (literature: ~6000-10000 to 1e-10)
//   Rastrigin  5-D, x0 = 3, sigma0 = 2: population 200 reaches the global minimum (f < 1e-8) for 6 of 10 seeds
//              (the others stop at f = 0.995, one coordinate at the neighbouring optimum); the default population
//              (8) never does (it stops in local minima with f = 2..14): the known effect of a large population.
#include "core/search/cmaes.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mergelab::search;

namespace {

double sphere(const Eigen::VectorXd& x) { return x.squaredNorm(); }

double rosenbrock(const Eigen::VectorXd& x) {
  double s = 0;
  for (Eigen::Index i = 0; i + 1 < x.size(); ++i) {
    const double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}

double rastrigin(const Eigen::VectorXd& x) {
  double s = 10.0 * static_cast<double>(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) s += x[i] * x[i] - 10 * std::cos(2 * M_PI * x[i]);
  return s;
}

}  // namespace

TEST(Cmaes, DefaultStrategyParameters) {
  // Hansen's tutorial, n = 10: lambda = 4 + floor(3 ln 10) = 10, mu = 5, mu_eff = 3.1673 (computed by hand in Python).
  Cmaes es(Eigen::VectorXd::Zero(10), CmaesOptions{});
  EXPECT_EQ(es.population(), 10);
  EXPECT_EQ(es.parents(), 5);
  EXPECT_NEAR(es.mu_eff(), 3.1672992814107017, 1e-12);
  EXPECT_NEAR(es.weights().sum(), 1.0, 1e-15);
  EXPECT_NEAR(es.weights()[0], 0.45627264690340597, 1e-15);
  EXPECT_NEAR(es.weights()[4], 0.025509591835974777, 1e-15);
  EXPECT_EQ(Cmaes(Eigen::VectorXd::Zero(2), CmaesOptions{}).population(), 6);
}

TEST(Cmaes, SphereTenDimensions) {
  for (uint32_t seed = 0; seed < 5; ++seed) {
    CmaesOptions o;
    o.seed = seed;
    o.sigma0 = 1.0;
    o.target = 1e-10;
    o.budget = 2500;
    const auto r = minimize(sphere, Eigen::VectorXd::Constant(10, 1.0), o);
    EXPECT_EQ(r.stop, CmaesStop::Target) << "seed " << seed << " stopped by " << cmaes_stop_name(r.stop);
    EXPECT_LT(r.best_f, 1e-10) << "seed " << seed;
    EXPECT_LE(r.evaluations, 2500);
    EXPECT_LT(r.best_x.cwiseAbs().maxCoeff(), 1e-4);
  }
}

TEST(Cmaes, RosenbrockTenDimensions) {
  for (uint32_t seed = 0; seed < 5; ++seed) {
    CmaesOptions o;
    o.seed = seed;
    o.sigma0 = 0.5;
    o.target = 1e-6;
    o.budget = 10000;
    const auto r = minimize(rosenbrock, Eigen::VectorXd::Zero(10), o);
    EXPECT_EQ(r.stop, CmaesStop::Target) << "seed " << seed << " stopped by " << cmaes_stop_name(r.stop);
    EXPECT_LT(r.best_f, 1e-6) << "seed " << seed;
    EXPECT_LT((r.best_x - Eigen::VectorXd::Ones(10)).cwiseAbs().maxCoeff(), 1e-2);  // the global minimum (1, ..., 1)
  }
}

TEST(Cmaes, RastriginNeedsALargePopulation) {
  int global_large = 0, global_default = 0;
  for (uint32_t seed = 0; seed < 10; ++seed) {
    CmaesOptions o;
    o.seed = seed;
    o.sigma0 = 2.0;
    o.target = 1e-8;
    o.budget = 40000;
    o.population = 200;
    const auto large = minimize(rastrigin, Eigen::VectorXd::Constant(5, 3.0), o);
    global_large += large.best_f < 1e-8;
    EXPECT_LT(large.best_f, 1.0 + 1e-9) << "seed " << seed;  // at worst one coordinate one basin away
    o.population = 0;
    global_default += minimize(rastrigin, Eigen::VectorXd::Constant(5, 3.0), o).best_f < 1e-8;
  }
  EXPECT_GE(global_large, 5);
  EXPECT_LE(global_default, 2);
  // The fixed seed the documentation quotes.
  CmaesOptions o;
  o.seed = 0;
  o.sigma0 = 2.0;
  o.target = 1e-8;
  o.budget = 40000;
  o.population = 200;
  const auto r = minimize(rastrigin, Eigen::VectorXd::Constant(5, 3.0), o);
  EXPECT_LT(r.best_f, 1e-8);
  EXPECT_LT(r.best_x.cwiseAbs().maxCoeff(), 1e-4);
}

TEST(Cmaes, DeterministicForASeedAndThreadCount) {
  CmaesOptions o;
  o.seed = 42;
  o.budget = 600;
  const auto a = minimize(rosenbrock, Eigen::VectorXd::Zero(6), o);
  o.threads = 2;
  const auto b = minimize(rosenbrock, Eigen::VectorXd::Zero(6), o);
  ASSERT_EQ(a.history.size(), b.history.size());
  for (size_t g = 0; g < a.history.size(); ++g) {
    EXPECT_EQ(a.history[g].best, b.history[g].best);
    EXPECT_EQ(a.history[g].mean, b.history[g].mean);
    EXPECT_EQ(a.history[g].sigma, b.history[g].sigma);
  }
  EXPECT_EQ(a.best_x, b.best_x);
  o.seed = 43;
  const auto c = minimize(rosenbrock, Eigen::VectorXd::Zero(6), o);
  EXPECT_NE(a.history[0].best, c.history[0].best);
}

TEST(Cmaes, HistoryIsConsistent) {
  CmaesOptions o;
  o.budget = 500;
  const auto r = minimize(sphere, Eigen::VectorXd::Constant(4, 2.0), o);
  ASSERT_FALSE(r.history.empty());
  double best = INFINITY;
  for (size_t g = 0; g < r.history.size(); ++g) {
    const auto& h = r.history[g];
    EXPECT_EQ(h.generation, static_cast<int>(g) + 1);
    EXPECT_EQ(h.evaluations, static_cast<int64_t>(g + 1) * 8);
    EXPECT_LE(h.best, h.mean);
    best = std::min(best, h.best);
    EXPECT_EQ(h.best_so_far, best);
  }
  EXPECT_EQ(r.best_f, best);
  EXPECT_EQ(r.best_f, sphere(r.best_x));
}

TEST(Cmaes, BudgetIsNeverExceeded) {
  CmaesOptions o;
  o.population = 10;
  o.budget = 95;
  const auto r = minimize(sphere, Eigen::VectorXd::Constant(3, 1.0), o);
  EXPECT_EQ(r.stop, CmaesStop::Budget);
  EXPECT_EQ(r.evaluations, 90);
  EXPECT_EQ(r.generations, 9);
}

TEST(Cmaes, BoxBoundsRepairAndPenalty) {
  // Optimum of sum (x_i - 2)^2 over [0, 1]^5 is the corner x = 1, f = 5; every evaluated point is in the box.
  CmaesOptions o;
  o.lower = Eigen::VectorXd::Zero(5);
  o.upper = Eigen::VectorXd::Ones(5);
  o.sigma0 = 0.3;
  o.budget = 3000;
  bool outside = false;
  const auto f = [&](const Eigen::VectorXd& x) {
    if ((x.array() < 0).any() || (x.array() > 1).any()) outside = true;
    return (x.array() - 2.0).square().sum();
  };
  const auto r = minimize(f, Eigen::VectorXd::Constant(5, 0.5), o);
  EXPECT_FALSE(outside);
  EXPECT_NEAR(r.best_f, 5.0, 1e-8);
  EXPECT_LT((r.best_x - Eigen::VectorXd::Ones(5)).cwiseAbs().maxCoeff(), 1e-8);
  // The mean is pulled back near the box by the penalty instead of drifting away.
  EXPECT_LT((r.final_mean - Eigen::VectorXd::Ones(5)).cwiseAbs().maxCoeff(), 0.5);
  // x0 outside the box is clamped.
  Cmaes es(Eigen::VectorXd::Constant(5, 3.0), o);
  EXPECT_EQ(es.mean(), Eigen::VectorXd::Ones(5));
}

TEST(Cmaes, CancelStopsBetweenGenerations) {
  std::atomic<bool> cancel{false};
  CmaesOptions o;
  o.budget = 10000;
  const auto r = minimize(
      sphere, Eigen::VectorXd::Constant(3, 1.0), o,
      [&](const CmaesGeneration& g) {
        if (g.generation == 3) cancel = true;
      },
      &cancel);
  EXPECT_EQ(r.stop, CmaesStop::Cancelled);
  EXPECT_EQ(r.generations, 3);
}

TEST(Cmaes, AskTellMisuseAndBadOptions) {
  Cmaes es(Eigen::VectorXd::Zero(3), CmaesOptions{});
  EXPECT_THROW(es.tell(std::vector<double>(es.population(), 0.0)), std::logic_error);
  es.ask();
  EXPECT_THROW(es.tell({1.0}), std::invalid_argument);
  CmaesOptions bad;
  bad.sigma0 = 0;
  EXPECT_THROW(Cmaes(Eigen::VectorXd::Zero(3), bad), std::invalid_argument);
  bad = {};
  bad.lower = Eigen::VectorXd::Zero(2);
  EXPECT_THROW(Cmaes(Eigen::VectorXd::Zero(3), bad), std::invalid_argument);
  EXPECT_THROW(Cmaes(Eigen::VectorXd(), CmaesOptions{}), std::invalid_argument);
}

TEST(Cmaes, NanValuesRankLast) {
  // A region that returns NaN (x0 < 0) is avoided: the optimum of (x - 1)^2 with NaN for x0 < 0 is still found.
  CmaesOptions o;
  o.target = 1e-10;
  o.budget = 3000;
  const auto f = [](const Eigen::VectorXd& x) { return x[0] < 0 ? NAN : (x.array() - 1.0).square().sum(); };
  const auto r = minimize(f, Eigen::VectorXd::Constant(2, 0.5), o);
  EXPECT_LT(r.best_f, 1e-10);
}
