// CMA-ES: the (mu/mu_w, lambda) evolution strategy with covariance matrix adaptation, as in
// N. Hansen, "The CMA Evolution Strategy: A Tutorial" (arXiv:1604.00772), with its default parameters:
//   lambda = 4 + floor(3 ln n), mu = floor(lambda / 2), w_i ∝ ln((lambda + 1) / 2) - ln i (i = 1..mu, sum 1),
//   mu_eff = 1 / sum w_i², c_sigma = (mu_eff + 2) / (n + mu_eff + 5),
//   d_sigma = 1 + 2 max(0, sqrt((mu_eff - 1) / (n + 1)) - 1) + c_sigma,
//   c_c = (4 + mu_eff / n) / (n + 4 + 2 mu_eff / n), c_1 = 2 / ((n + 1.3)² + mu_eff),
//   c_mu = min(1 - c_1, 2 (mu_eff - 2 + 1 / mu_eff) / ((n + 2)² + mu_eff)).
// One generation: sample x_k = m + sigma B D z_k (z_k ~ N(0, I) from RandomState::standard_normal, k = 1..lambda,
// coordinates in order), rank by fitness, recombine the mu best (weighted), cumulative step-size adaptation
// (p_sigma, with C^{-1/2} = B D^{-1} Bᵀ), rank-one (p_c, with the h_sigma stall) and rank-mu covariance updates;
// B and D from an eigendecomposition of C (every generation while n is small, lazily for large n).
// Minimisation; deterministic for a seed (the evaluation order of a population does not matter).
//
// Box bounds (optional, per coordinate, may be ±inf): a sample outside the box is repaired by clamping; the
// objective is evaluated at the repaired point (always feasible), and the strategy ranks it by
//   f(repair(x)) + bound_penalty * sum_i ((x_i - repair(x)_i) / width_i)²     (width_i = upper - lower, or 1)
// so the distribution is pulled back into the box.
//
// Stopping: the evaluation budget (never exceeded: a generation that does not fit is not sampled), a target
// fitness, TolX (sigma * max_i max(|p_c,i|, sqrt(C_ii)) < tol_x), TolFun (the best values of the last
// 10 + ceil(30 n / lambda) generations and all values of the current one within tol_fun), a condition number
// of C above 1e14, or a cancel flag.
#pragma once

#include <Eigen/Dense>
#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/rng.h"

namespace mergelab::search {

struct CmaesOptions {
  int population = 0;               // lambda; 0 = 4 + floor(3 ln n)
  int parents = 0;                  // mu; 0 = floor(lambda / 2)
  double sigma0 = 0.3;              // initial step size (in the units of x)
  uint32_t seed = 0;                // RandomState seed
  int64_t budget = 0;               // maximum objective evaluations; 0 = 1e4 * n
  double target = -std::numeric_limits<double>::infinity();  // stop once best f <= target
  double tol_x = 1e-12;
  double tol_fun = 1e-12;
  Eigen::VectorXd lower, upper;     // box; empty = unbounded; size n otherwise (entries may be ±inf)
  double bound_penalty = 1.0;       // weight of the squared (width-normalised) distance to the box
  int threads = 1;                  // minimize(): evaluate each population on this many threads
};

enum class CmaesStop { None, Budget, Target, TolX, TolFun, ConditionCov, NumericalError, Cancelled };
const char* cmaes_stop_name(CmaesStop s);

/// One generation, for plotting.
struct CmaesGeneration {
  int generation = 0;          // 1, 2, ...
  int64_t evaluations = 0;     // total so far
  double best = 0;             // best objective value in this generation (at the evaluated, repaired point)
  double mean = 0;             // mean objective value of this generation
  double best_so_far = 0;
  double sigma = 0;            // step size after the update
};

class Cmaes {
 public:
  /// x0 = initial mean (n >= 1; clamped into the box). Throws std::invalid_argument on bad options
  /// (sigma0 <= 0, population < 2, parents outside [1, population], bound sizes != n, lower > upper).
  Cmaes(const Eigen::VectorXd& x0, const CmaesOptions& options);

  /// Samples the next population: lambda points inside the box, to be evaluated in any order.
  const std::vector<Eigen::VectorXd>& ask();
  /// Objective values of the points of the last ask(), same order (NaN counts as +inf).
  /// Throws std::logic_error without a pending ask(), std::invalid_argument on a size mismatch.
  void tell(const std::vector<double>& values);

  /// Checks the stopping rules (budget: when another population would exceed it).
  CmaesStop stop() const;

  int dimension() const { return n_; }
  int population() const { return lambda_; }
  int parents() const { return mu_; }
  double mu_eff() const { return mu_eff_; }
  const Eigen::VectorXd& weights() const { return weights_; }
  const Eigen::VectorXd& mean() const { return mean_; }
  double sigma() const { return sigma_; }
  const Eigen::MatrixXd& covariance() const { return C_; }
  int generation() const { return generation_; }
  int64_t evaluations() const { return evaluations_; }
  const Eigen::VectorXd& best_x() const { return best_x_; }
  double best_f() const { return best_f_; }
  const std::vector<CmaesGeneration>& history() const { return history_; }
  /// The box repair used by ask() (identity when unbounded).
  Eigen::VectorXd repair(const Eigen::VectorXd& x) const;

 private:
  void update_eigensystem();

  CmaesOptions opt_;
  RandomState rng_;
  int n_ = 0, lambda_ = 0, mu_ = 0;
  Eigen::VectorXd weights_;
  double mu_eff_ = 0, c_sigma_ = 0, d_sigma_ = 0, c_c_ = 0, c_1_ = 0, c_mu_ = 0, chi_n_ = 0;
  Eigen::VectorXd mean_, p_sigma_, p_c_, D_;
  Eigen::MatrixXd C_, B_, inv_sqrt_C_;
  double sigma_ = 0;
  int generation_ = 0;
  int64_t evaluations_ = 0, eigen_evaluations_ = 0;
  bool pending_ = false;
  bool numerical_error_ = false;
  std::vector<Eigen::VectorXd> raw_;       // unrepaired samples of the pending population
  std::vector<Eigen::VectorXd> repaired_;  // what ask() returned
  Eigen::VectorXd best_x_;
  double best_f_ = std::numeric_limits<double>::infinity();
  std::vector<CmaesGeneration> history_;
  std::vector<double> last_values_;        // objective values of the last told generation
};

using ScalarObjective = std::function<double(const Eigen::VectorXd&)>;

struct CmaesResult {
  Eigen::VectorXd best_x;
  double best_f = std::numeric_limits<double>::infinity();
  int64_t evaluations = 0;
  int generations = 0;
  CmaesStop stop = CmaesStop::None;
  Eigen::VectorXd final_mean;
  double final_sigma = 0;
  std::vector<CmaesGeneration> history;
};

/// The ask/evaluate/tell loop until a stopping rule fires. `on_generation` (optional) is called after every
/// generation (from the calling thread); `cancel` (optional) is checked between generations and stops
/// handing out evaluations within one. With options.threads > 1 the objective is called concurrently and
/// must be thread-safe. An exception from the objective propagates.
CmaesResult minimize(const ScalarObjective& objective, const Eigen::VectorXd& x0, const CmaesOptions& options,
                     const std::function<void(const CmaesGeneration&)>& on_generation = {},
                     const std::atomic<bool>* cancel = nullptr);

}  // namespace mergelab::search
