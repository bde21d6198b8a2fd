#include "core/search/cmaes.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "core/io/parallel.h"

namespace mergelab::search {

const char* cmaes_stop_name(CmaesStop s) {
  switch (s) {
    case CmaesStop::None: return "none";
    case CmaesStop::Budget: return "budget";
    case CmaesStop::Target: return "target";
    case CmaesStop::TolX: return "tolx";
    case CmaesStop::TolFun: return "tolfun";
    case CmaesStop::ConditionCov: return "condition";
    case CmaesStop::NumericalError: return "numerical-error";
    case CmaesStop::Cancelled: return "cancelled";
  }
  return "?";
}

Cmaes::Cmaes(const Eigen::VectorXd& x0, const CmaesOptions& options) : opt_(options), rng_(options.seed) {
  n_ = static_cast<int>(x0.size());
  if (n_ < 1) throw std::invalid_argument("CMA-ES: x0 must have at least one coordinate");
  if (!(opt_.sigma0 > 0) || !std::isfinite(opt_.sigma0)) throw std::invalid_argument("CMA-ES: sigma0 must be > 0");
  if (!x0.allFinite()) throw std::invalid_argument("CMA-ES: x0 must be finite");
  const double n = n_;
  lambda_ = opt_.population > 0 ? opt_.population : 4 + static_cast<int>(std::floor(3.0 * std::log(n)));
  if (lambda_ < 2) throw std::invalid_argument("CMA-ES: population must be at least 2");
  mu_ = opt_.parents > 0 ? opt_.parents : lambda_ / 2;
  if (mu_ < 1 || mu_ > lambda_) throw std::invalid_argument("CMA-ES: parents must be in [1, population]");
  if (opt_.budget <= 0) opt_.budget = static_cast<int64_t>(10000) * n_;
  const bool has_lower = opt_.lower.size() > 0, has_upper = opt_.upper.size() > 0;
  if ((has_lower && opt_.lower.size() != n_) || (has_upper && opt_.upper.size() != n_))
    throw std::invalid_argument("CMA-ES: bounds must have one entry per coordinate (" + std::to_string(n_) + ")");
  if (!has_lower) opt_.lower = Eigen::VectorXd::Constant(n_, -std::numeric_limits<double>::infinity());
  if (!has_upper) opt_.upper = Eigen::VectorXd::Constant(n_, std::numeric_limits<double>::infinity());
  for (int i = 0; i < n_; ++i)
    if (!(opt_.lower[i] <= opt_.upper[i])) throw std::invalid_argument("CMA-ES: lower bound above upper bound");
  if (opt_.bound_penalty < 0) throw std::invalid_argument("CMA-ES: bound_penalty must be >= 0");

  // Recombination weights (positive, for the mu best), normalised to sum 1.
  weights_.resize(mu_);
  for (int i = 0; i < mu_; ++i) weights_[i] = std::log((lambda_ + 1) / 2.0) - std::log(i + 1.0);
  if (weights_.minCoeff() <= 0)  // only when parents > (lambda + 1) / 2 was asked for: fall back to equal weights
    weights_.setOnes();
  weights_ /= weights_.sum();
  mu_eff_ = 1.0 / weights_.squaredNorm();

  c_sigma_ = (mu_eff_ + 2) / (n + mu_eff_ + 5);
  d_sigma_ = 1 + 2 * std::max(0.0, std::sqrt((mu_eff_ - 1) / (n + 1)) - 1) + c_sigma_;
  c_c_ = (4 + mu_eff_ / n) / (n + 4 + 2 * mu_eff_ / n);
  c_1_ = 2 / ((n + 1.3) * (n + 1.3) + mu_eff_);
  c_mu_ = std::min(1 - c_1_, 2 * (mu_eff_ - 2 + 1 / mu_eff_) / ((n + 2) * (n + 2) + mu_eff_));
  chi_n_ = std::sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));

  mean_ = repair(x0);
  sigma_ = opt_.sigma0;
  p_sigma_ = Eigen::VectorXd::Zero(n_);
  p_c_ = Eigen::VectorXd::Zero(n_);
  C_ = Eigen::MatrixXd::Identity(n_, n_);
  B_ = Eigen::MatrixXd::Identity(n_, n_);
  D_ = Eigen::VectorXd::Ones(n_);
  inv_sqrt_C_ = Eigen::MatrixXd::Identity(n_, n_);
  best_x_ = mean_;
}

Eigen::VectorXd Cmaes::repair(const Eigen::VectorXd& x) const { return x.cwiseMax(opt_.lower).cwiseMin(opt_.upper); }

const std::vector<Eigen::VectorXd>& Cmaes::ask() {
  raw_.assign(static_cast<size_t>(lambda_), Eigen::VectorXd());
  repaired_.assign(static_cast<size_t>(lambda_), Eigen::VectorXd());
  Eigen::VectorXd z(n_);
  for (int k = 0; k < lambda_; ++k) {
    for (int i = 0; i < n_; ++i) z[i] = rng_.standard_normal();
    raw_[static_cast<size_t>(k)] = mean_ + sigma_ * (B_ * D_.cwiseProduct(z));
    repaired_[static_cast<size_t>(k)] = repair(raw_[static_cast<size_t>(k)]);
  }
  pending_ = true;
  return repaired_;
}

void Cmaes::tell(const std::vector<double>& values) {
  if (!pending_) throw std::logic_error("CMA-ES: tell() without a pending ask()");
  if (values.size() != static_cast<size_t>(lambda_))
    throw std::invalid_argument("CMA-ES: tell() got " + std::to_string(values.size()) + " values for a population of " +
                                std::to_string(lambda_));
  pending_ = false;
  ++generation_;
  evaluations_ += lambda_;
  const double n = n_;

  // Ranking fitness: objective (NaN -> +inf) plus the box penalty of the raw sample.
  std::vector<double> fitness(values.size());
  CmaesGeneration g;
  g.generation = generation_;
  g.evaluations = evaluations_;
  g.best = std::numeric_limits<double>::infinity();
  double sum = 0;
  for (size_t k = 0; k < values.size(); ++k) {
    const double f = std::isnan(values[k]) ? std::numeric_limits<double>::infinity() : values[k];
    double penalty = 0;
    if (opt_.bound_penalty > 0) {
      for (int i = 0; i < n_; ++i) {
        const double d = raw_[k][i] - repaired_[k][i];
        if (d == 0) continue;
        const double width = opt_.upper[i] - opt_.lower[i];
        const double scale = std::isfinite(width) && width > 0 ? width : 1.0;
        penalty += (d / scale) * (d / scale);
      }
    }
    fitness[k] = f + opt_.bound_penalty * penalty;
    sum += f;
    if (f < g.best) g.best = f;
    if (f < best_f_) {
      best_f_ = f;
      best_x_ = repaired_[k];
    }
  }
  last_values_.assign(values.begin(), values.end());
  g.mean = sum / static_cast<double>(values.size());
  g.best_so_far = best_f_;

  std::vector<int> order(static_cast<size_t>(lambda_));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return fitness[static_cast<size_t>(a)] < fitness[static_cast<size_t>(b)]; });

  // Recombination: y_i = (x_i:lambda - m) / sigma; m += sigma * y_w.
  const Eigen::VectorXd old_mean = mean_;
  Eigen::MatrixXd Y(n_, mu_);
  for (int i = 0; i < mu_; ++i) Y.col(i) = (raw_[static_cast<size_t>(order[static_cast<size_t>(i)])] - old_mean) / sigma_;
  const Eigen::VectorXd y_w = Y * weights_;
  mean_ = old_mean + sigma_ * y_w;

  // Cumulative step-size adaptation.
  p_sigma_ = (1 - c_sigma_) * p_sigma_ + std::sqrt(c_sigma_ * (2 - c_sigma_) * mu_eff_) * (inv_sqrt_C_ * y_w);
  const double ps_norm = p_sigma_.norm();
  const double ps_correction = std::sqrt(1 - std::pow(1 - c_sigma_, 2.0 * generation_));
  const bool h_sigma = ps_norm / ps_correction / chi_n_ < 1.4 + 2 / (n + 1);

  // Covariance: rank-one (evolution path) + rank-mu.
  p_c_ = (1 - c_c_) * p_c_ + (h_sigma ? std::sqrt(c_c_ * (2 - c_c_) * mu_eff_) : 0.0) * y_w;
  const double stall = h_sigma ? 0.0 : c_1_ * c_c_ * (2 - c_c_);  // keeps C's scale when p_c was not updated
  C_ = (1 - c_1_ - c_mu_ + stall) * C_ + c_1_ * (p_c_ * p_c_.transpose()) +
       c_mu_ * (Y * weights_.asDiagonal() * Y.transpose());

  sigma_ *= std::exp((c_sigma_ / d_sigma_) * (ps_norm / chi_n_ - 1));
  if (!std::isfinite(sigma_) || !C_.allFinite() || !mean_.allFinite()) numerical_error_ = true;

  // Eigendecomposition: lazily, about every max(1, 1 / ((c_1 + c_mu) n 10)) generations.
  if (!numerical_error_ && static_cast<double>(evaluations_ - eigen_evaluations_) >
                               static_cast<double>(lambda_) / (c_1_ + c_mu_) / n / 10.0)
    update_eigensystem();

  g.sigma = sigma_;
  history_.push_back(g);
}

void Cmaes::update_eigensystem() {
  eigen_evaluations_ = evaluations_;
  C_ = 0.5 * (C_ + C_.transpose());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(C_);
  if (es.info() != Eigen::Success) {
    numerical_error_ = true;
    return;
  }
  const Eigen::VectorXd eig = es.eigenvalues().cwiseMax(1e-300);
  B_ = es.eigenvectors();
  D_ = eig.cwiseSqrt();
  inv_sqrt_C_ = B_ * D_.cwiseInverse().asDiagonal() * B_.transpose();
}

CmaesStop Cmaes::stop() const {
  if (numerical_error_) return CmaesStop::NumericalError;
  if (best_f_ <= opt_.target) return CmaesStop::Target;
  if (evaluations_ + lambda_ > opt_.budget) return CmaesStop::Budget;
  if (generation_ == 0) return CmaesStop::None;
  // TolX: every coordinate's spread (and the evolution path) below tol_x.
  bool small = true;
  for (int i = 0; i < n_ && small; ++i)
    small = sigma_ * std::max(std::abs(p_c_[i]), std::sqrt(C_(i, i))) < opt_.tol_x;
  if (small) return CmaesStop::TolX;
  // TolFun: recent generation bests and the current values all within tol_fun.
  const size_t span = 10 + static_cast<size_t>(std::ceil(30.0 * n_ / lambda_));
  if (history_.size() >= span) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (size_t k = history_.size() - span; k < history_.size(); ++k) {
      lo = std::min(lo, history_[k].best);
      hi = std::max(hi, history_[k].best);
    }
    for (double v : last_values_) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (hi - lo < opt_.tol_fun) return CmaesStop::TolFun;
  }
  if (D_.maxCoeff() > 1e7 * D_.minCoeff()) return CmaesStop::ConditionCov;  // cond(C) = (max D / min D)² > 1e14
  return CmaesStop::None;
}

CmaesResult minimize(const ScalarObjective& objective, const Eigen::VectorXd& x0, const CmaesOptions& options,
                     const std::function<void(const CmaesGeneration&)>& on_generation,
                     const std::atomic<bool>* cancel) {
  Cmaes es(x0, options);
  CmaesResult result;
  CmaesStop stop = es.stop();
  while (stop == CmaesStop::None) {
    if (cancel && cancel->load()) {
      stop = CmaesStop::Cancelled;
      break;
    }
    const auto& points = es.ask();
    std::vector<double> values(points.size(), std::numeric_limits<double>::quiet_NaN());
    const size_t done = io::parallel_for(
        points.size(), options.threads, [&](size_t k) { values[k] = objective(points[k]); }, {}, cancel);
    if (done < points.size()) {  // cancelled in the middle of a generation: drop it
      stop = CmaesStop::Cancelled;
      break;
    }
    es.tell(values);
    if (on_generation) on_generation(es.history().back());
    stop = es.stop();
  }
  result.best_x = es.best_x();
  result.best_f = es.best_f();
  result.evaluations = es.evaluations();
  result.generations = es.generation();
  result.stop = stop;
  result.final_mean = es.mean();
  result.final_sigma = es.sigma();
  result.history = es.history();
  return result;
}

}  // namespace mergelab::search
