// The searches over a TuningProblem (declared in tuning.h): a grid sweep and CMA-ES.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <stdexcept>

#include "core/search/tuning.h"

namespace mergelab::search {

namespace {

double nan() { return std::numeric_limits<double>::quiet_NaN(); }

bool better(double a, double b, bool maximize) {
  if (std::isnan(b)) return !std::isnan(a);
  return maximize ? a > b : a < b;
}

// Progress with tokens/s and the best objective so far; serialised by the callers (run_sweep, minimize).
class ProgressReporter {
 public:
  ProgressReporter(const TuningProblem& p, const TuningRunOptions& o, std::size_t total) : problem_(p), options_(o), total_(total) {}
  void candidate(double objective) {
    ++done_;
    if (std::isfinite(objective) && better(objective, best_, problem_.maximize())) best_ = objective;
  }
  void report() const {
    if (!options_.progress) return;
    TuningProgress p;
    p.done = done_;
    p.total = total_;
    p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    p.eta_seconds = done_ ? p.seconds / static_cast<double>(done_) * static_cast<double>(total_ > done_ ? total_ - done_ : 0) : 0;
    p.tokens_per_second = p.seconds > 0 ? static_cast<double>(done_) * static_cast<double>(problem_.tokens_per_evaluation()) / p.seconds : 0;
    p.best = best_;
    options_.progress(p);
  }

 private:
  const TuningProblem& problem_;
  const TuningRunOptions& options_;
  std::size_t total_ = 0, done_ = 0;
  double best_ = nan();
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// LM candidates run one after another, each evaluation on all of spec.lm_threads.
int candidate_threads(const TuningProblem& p, int threads) { return p.evaluator() == EvaluatorKind::LanguageModel ? 1 : threads; }

}  // namespace

SweepResult tuning_sweep(const TuningProblem& problem, const std::vector<RecipeParam>& space, const SweepGrid& grid,
                         const TuningRunOptions& options) {
  if (space.size() != grid.axes().size()) throw std::invalid_argument("one grid axis per searched parameter is needed");
  for (const auto& p : space)
    if (p.groups > 1) throw std::invalid_argument("a layer gradient (" + p.label() + ") cannot be one grid axis");
  ProgressReporter reporter(problem, options, grid.size());
  SweepOptions opts;
  opts.threads = candidate_threads(problem, options.threads);
  opts.cancel = options.cancel;
  opts.on_progress = [&](const SweepProgress& p) {
    const auto& m = p.last_row->metrics;
    reporter.candidate(m.count("objective") ? m.at("objective") : nan());
    reporter.report();
  };
  SweepResult r = run_sweep(
      grid, [&](const std::vector<double>& values) { return problem.metrics(space, values, Split::Tune, options.cancel); }, opts);
  if (options.cancel && options.cancel->load()) {
    r.cancelled = true;
    for (auto& row : r.rows)
      if (row.error == "cancelled") {
        row.done = false;
        row.error.clear();
        row.metrics.clear();
      }
    r.completed = static_cast<std::size_t>(std::count_if(r.rows.begin(), r.rows.end(), [](const SweepRow& x) { return x.done; }));
  }
  return r;
}

EvolveDimension parse_dimension(const std::string& text, const TuningProblem& problem, int default_groups) {
  EvolveDimension d;
  const auto eq = text.find('=');
  d.param = parse_recipe_param(text.substr(0, eq), problem.method(), problem.model_count(), default_groups);
  const auto [lo, hi] = param_range(d.param, problem.method());
  d.lo = std::max(lo, 0.0);
  d.hi = std::min(hi, 2.0);
  if (eq != std::string::npos) {
    const std::string range = text.substr(eq + 1);
    const auto colon = range.find(':');
    if (colon == std::string::npos) throw std::invalid_argument(text + ": expected NAME[@i][:gG]=LO:HI");
    const auto number = [&](const std::string& t) {
      std::size_t used = 0;
      double v = 0;
      try {
        v = std::stod(t, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (t.empty() || used != t.size()) throw std::invalid_argument(text + ": '" + t + "' is not a number");
      return v;
    };
    d.lo = number(range.substr(0, colon));
    d.hi = number(range.substr(colon + 1));
    const auto [lim_lo, lim_hi] = param_limits(d.param, problem.method());
    if (!std::isfinite(d.lo) || !std::isfinite(d.hi) || d.lo < lim_lo || d.hi > lim_hi) {
      char buf[96];
      std::snprintf(buf, sizeof buf, ": bounds outside the parameter's limits [%g, %g]", lim_lo, lim_hi);
      throw std::invalid_argument(text + buf);
    }
  }
  if (!(d.lo < d.hi)) throw std::invalid_argument(text + ": empty range");
  return d;
}

std::vector<EvolveDimension> default_dimensions(const TuningProblem& problem, int groups) {
  std::vector<EvolveDimension> dims;
  const auto* weight = problem.method().param("weight");
  const auto* density = problem.method().param("density");
  for (std::size_t i = 0; i < problem.model_count(); ++i) {
    if (weight && weight->per_model) dims.push_back({{"weight", static_cast<int>(i), groups}, 0.0, 1.0});
    if (density && density->per_model) dims.push_back({{"density", static_cast<int>(i), groups}, 0.05, 1.0});
  }
  if (dims.empty()) throw std::invalid_argument(problem.method().name + " has no per-model weight or density: choose the parameters");
  return dims;
}

void check_dimensions(const TuningProblem& problem, const std::vector<EvolveDimension>& dims) {
  const std::vector<double> positions = problem.layer_positions();
  for (const auto& d : dims) {
    if (d.param.groups <= 1) continue;
    const std::string what = "layer gradient " + d.param.label() + ": ";
    if (problem.spec().scope != eval::MergeScope::PerTensor)
      throw std::invalid_argument(what + "layer gradients need --scope tensor (a global merge has one value per parameter)");
    if (problem.layer_count() == 0)
      throw std::invalid_argument(what + "the models' tensor names carry no layer number (e.g. '" + problem.first_tensor() +
                                  "'), so every tensor takes a gradient's first value; search scalars instead (no :gG, --layer-groups 1)");
    const auto unused = unused_control_points(d.param.groups, positions);
    if (!unused.empty())
      throw std::invalid_argument(what + "control point " + std::to_string(unused.front()) + " of " + std::to_string(d.param.groups) +
                                  " affects no tensor (" + std::to_string(problem.layer_count()) +
                                  " layers in the stack); use at most :g" + std::to_string(problem.layer_count()));
  }
}

std::vector<double> values_of(const std::vector<RecipeParam>& space, std::size_t param, const std::vector<double>& point) {
  std::size_t k = 0;
  for (std::size_t i = 0; i < param; ++i) k += static_cast<std::size_t>(std::max(1, space[i].groups));
  const auto first = point.begin() + static_cast<std::ptrdiff_t>(k);
  return std::vector<double>(first, first + std::max(1, space.at(param).groups));
}

EvolveResult tuning_evolve(const TuningProblem& problem, const std::vector<EvolveDimension>& dims, const EvolveOptions& options) {
  if (dims.empty()) throw std::invalid_argument("nothing to search: no parameters");
  EvolveResult out;
  std::vector<double> lo, hi;  // per value of a point (a gradient's control points share their parameter's bounds)
  for (const auto& d : dims) {
    out.space.push_back(d.param);
    for (int k = 0; k < std::max(1, d.param.groups); ++k) {
      lo.push_back(d.lo);
      hi.push_back(d.hi);
    }
  }
  const std::size_t n_values = point_size(out.space);
  const auto to_values = [&](const Eigen::VectorXd& u) {
    std::vector<double> v(n_values);
    for (std::size_t i = 0; i < n_values; ++i) v[i] = lo[i] + std::clamp(u[static_cast<Eigen::Index>(i)], 0.0, 1.0) * (hi[i] - lo[i]);
    return v;
  };
  out.start = problem.recipe_point(out.space);
  const auto n = static_cast<Eigen::Index>(n_values);
  Eigen::VectorXd x0(n);
  for (std::size_t i = 0; i < n_values; ++i) x0[static_cast<Eigen::Index>(i)] = std::clamp((out.start[i] - lo[i]) / (hi[i] - lo[i]), 0.0, 1.0);
  CmaesOptions opts;
  opts.population = options.population;
  opts.sigma0 = options.sigma;
  opts.seed = options.seed;
  opts.budget = options.budget;
  opts.lower = Eigen::VectorXd::Zero(n);
  opts.upper = Eigen::VectorXd::Ones(n);
  opts.threads = candidate_threads(problem, options.run.threads);
  const double sign = problem.maximize() ? -1.0 : 1.0;  // CMA-ES minimises
  ProgressReporter reporter(problem, options.run, static_cast<std::size_t>(std::max<std::int64_t>(options.budget, 0)));
  std::mutex mu;
  const auto objective = [&](const Eigen::VectorXd& u) {
    double f = std::numeric_limits<double>::infinity();
    try {
      f = sign * problem.metrics(out.space, to_values(u), Split::Tune, options.run.cancel).at("objective");
    } catch (const std::invalid_argument&) {
    } catch (const std::runtime_error&) {  // a failed evaluation (or a cancel) ranks last
    }
    std::lock_guard lock(mu);
    reporter.candidate(sign * f);
    return f;
  };
  out.start_objective = sign * objective(x0);
  const CmaesResult r = minimize(
      objective, x0, opts,
      [&](const CmaesGeneration& g) {
        CmaesGeneration h = g;
        h.best = sign * g.best;
        h.mean = sign * g.mean;
        h.best_so_far = sign * g.best_so_far;
        out.history.push_back(h);
        if (options.on_generation) options.on_generation(h);
        reporter.report();
      },
      options.run.cancel);
  out.best = to_values(r.best_x);
  out.best_objective = sign * r.best_f;
  out.evaluations = r.evaluations;
  out.stop = r.stop;
  return out;
}

}  // namespace mergelab::search
