// Grid sweeps over one to three named parameters, evaluated on a small thread pool.
//
//   SweepGrid grid({parse_axis("alpha=0:1:11"), parse_axis("density=0.1:0.5:5")});
//   SweepResult r = run_sweep(grid, [&](const std::vector<double>& p) { return metrics_for(p[0], p[1]); },
//                             {.threads = 2, .on_progress = show, .cancel = &stop_flag});
//   r.write_csv("sweep.csv"); auto best = r.best("combined.acc", /*maximize=*/true);
//
// Axis syntax: start:stop:steps — `steps` evenly spaced values from start to stop inclusive (numpy.linspace:
// start + i * (stop - start) / (steps - 1), the last one exactly stop); steps = 1 gives just start.
// Points are numbered row-major (the last axis varies fastest); results keep that order whatever thread
// finished first. The objective returns named metrics (eval::MetricMap) and must be thread-safe when
// threads > 1; an exception at one point is recorded in that row's `error` and the sweep goes on.
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/eval/mlp.h"  // MetricMap

namespace mergelab::search {

using eval::MetricMap;

struct SweepAxis {
  std::string name;
  double start = 0, stop = 0;
  int steps = 1;
  std::vector<double> values() const;
};

/// Parses "start:stop:steps" for parameter `name`. Throws std::invalid_argument with a message that quotes
/// the text and says what is wrong (missing part, not a number, steps not a whole number >= 1, ...).
SweepAxis parse_axis_range(const std::string& name, const std::string& range);
/// Parses "NAME=start:stop:steps".
SweepAxis parse_axis(const std::string& spec);

class SweepGrid {
 public:
  /// 1 to 3 axes with distinct, non-empty names; throws std::invalid_argument otherwise.
  explicit SweepGrid(std::vector<SweepAxis> axes);
  const std::vector<SweepAxis>& axes() const { return axes_; }
  std::vector<std::string> names() const;
  std::size_t size() const;
  /// Parameter values of point `index` (row-major, last axis fastest).
  std::vector<double> point(std::size_t index) const;
  /// Per-axis indices of point `index`.
  std::vector<std::size_t> indices(std::size_t index) const;

 private:
  std::vector<SweepAxis> axes_;
  std::vector<std::vector<double>> values_;
};

struct SweepRow {
  std::vector<double> params;  // one per axis
  MetricMap metrics;
  std::string error;           // non-empty when the objective threw at this point
  bool done = false;           // false for points a cancel left unevaluated
  double seconds = 0;          // time spent in the objective
};

struct SweepProgress {
  std::size_t done = 0, total = 0;
  double elapsed_seconds = 0;
  double eta_seconds = 0;         // elapsed / done * (total - done)
  std::size_t last_index = 0;     // the point that just finished
  const SweepRow* last_row = nullptr;
};

struct SweepOptions {
  int threads = 1;  // <= 0: one per hardware thread
  std::function<void(const SweepProgress&)> on_progress;  // after each point, serialised
  const std::atomic<bool>* cancel = nullptr;              // checked before each point
};

struct SweepResult {
  std::vector<std::string> param_names;
  std::vector<SweepRow> rows;  // grid order, one per point
  std::size_t completed = 0;
  bool cancelled = false;
  double seconds = 0;

  /// Sorted union of the metric names of all rows.
  std::vector<std::string> metric_names() const;
  /// The done, error-free row with the largest (or smallest) finite value of `metric`; nullopt if none has it.
  /// Ties keep the first point in grid order.
  std::optional<std::size_t> best(const std::string& metric, bool maximize) const;
  /// Header: parameters, metrics (sorted), "error"; one line per done row; numbers with 17 significant digits.
  /// A non-empty `direction` ("lower is better") adds a last column "objective_direction" holding it.
  std::string to_csv(const std::string& direction = "") const;
  /// {"params": [...], "metrics": [...], "completed": n, "total": n, "cancelled": b,
  ///  "rows": [{"params": {...}, "metrics": {...}, "error": "..."}, ...],
  ///  "best": {"metric": m, "maximize": b, "direction": "higher is better" | "lower is better", "index": i,
  ///           "params": {...}, "metrics": {...}}  (when best_metric given)}
  std::string to_json(const std::string& best_metric = "", bool maximize = true) const;
  void write_csv(const std::filesystem::path& path, const std::string& direction = "") const;
  void write_json(const std::filesystem::path& path, const std::string& best_metric = "", bool maximize = true) const;
};

using PointObjective = std::function<MetricMap(const std::vector<double>& params)>;

SweepResult run_sweep(const SweepGrid& grid, const PointObjective& objective, const SweepOptions& options = {});

}  // namespace mergelab::search
