#include "core/search/sweep.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "core/io/parallel.h"
#include "core/io/atomic_file.h"

namespace mergelab::search {

// [SECTION] axes and grid

namespace {

bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno != ERANGE && std::isfinite(value);
}

std::string number_text(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

std::vector<double> SweepAxis::values() const {
  std::vector<double> v(static_cast<size_t>(steps));
  if (steps == 1) {
    v[0] = start;
    return v;
  }
  const double step = (stop - start) / (steps - 1);
  for (int i = 0; i < steps; ++i) v[static_cast<size_t>(i)] = start + i * step;
  v.back() = stop;
  return v;
}

SweepAxis parse_axis_range(const std::string& name, const std::string& range) {
  const std::string where = "parameter '" + name + "': range '" + range + "'";
  std::vector<std::string> parts;
  size_t pos = 0;
  while (true) {
    const size_t colon = range.find(':', pos);
    parts.push_back(range.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos));
    if (colon == std::string::npos) break;
    pos = colon + 1;
  }
  if (parts.size() != 3) throw std::invalid_argument(where + " must be start:stop:steps (e.g. 0:1:11)");
  SweepAxis axis;
  axis.name = name;
  if (!parse_number(parts[0], axis.start)) throw std::invalid_argument(where + ": start '" + parts[0] + "' is not a number");
  if (!parse_number(parts[1], axis.stop)) throw std::invalid_argument(where + ": stop '" + parts[1] + "' is not a number");
  double steps = 0;
  if (!parse_number(parts[2], steps) || steps != std::floor(steps) || steps < 1 || steps > 100000)
    throw std::invalid_argument(where + ": steps '" + parts[2] + "' must be a whole number from 1 to 100000");
  axis.steps = static_cast<int>(steps);
  return axis;
}

SweepAxis parse_axis(const std::string& spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0)
    throw std::invalid_argument("sweep parameter '" + spec + "' must be NAME=start:stop:steps (e.g. alpha=0:1:11)");
  return parse_axis_range(spec.substr(0, eq), spec.substr(eq + 1));
}

SweepGrid::SweepGrid(std::vector<SweepAxis> axes) : axes_(std::move(axes)) {
  if (axes_.empty() || axes_.size() > 3)
    throw std::invalid_argument("a sweep takes 1 to 3 parameters, got " + std::to_string(axes_.size()));
  std::set<std::string> seen;
  for (const auto& a : axes_) {
    if (a.name.empty()) throw std::invalid_argument("sweep parameter with an empty name");
    if (!seen.insert(a.name).second) throw std::invalid_argument("sweep parameter '" + a.name + "' given twice");
    if (a.steps < 1) throw std::invalid_argument("sweep parameter '" + a.name + "': steps must be >= 1");
    values_.push_back(a.values());
  }
}

std::vector<std::string> SweepGrid::names() const {
  std::vector<std::string> n;
  for (const auto& a : axes_) n.push_back(a.name);
  return n;
}

std::size_t SweepGrid::size() const {
  std::size_t n = 1;
  for (const auto& v : values_) n *= v.size();
  return n;
}

std::vector<std::size_t> SweepGrid::indices(std::size_t index) const {
  std::vector<std::size_t> idx(axes_.size());
  for (size_t k = axes_.size(); k-- > 0;) {
    idx[k] = index % values_[k].size();
    index /= values_[k].size();
  }
  return idx;
}

std::vector<double> SweepGrid::point(std::size_t index) const {
  const auto idx = indices(index);
  std::vector<double> p(axes_.size());
  for (size_t k = 0; k < axes_.size(); ++k) p[k] = values_[k][idx[k]];
  return p;
}

// [SECTION] running

SweepResult run_sweep(const SweepGrid& grid, const PointObjective& objective, const SweepOptions& options) {
  using clock = std::chrono::steady_clock;
  SweepResult result;
  result.param_names = grid.names();
  const size_t total = grid.size();
  result.rows.resize(total);
  for (size_t i = 0; i < total; ++i) result.rows[i].params = grid.point(i);
  const auto t0 = clock::now();
  size_t done = 0;
  io::parallel_for(
      total, options.threads,
      [&](size_t i) {
        SweepRow& row = result.rows[i];
        const auto start = clock::now();
        try {
          row.metrics = objective(row.params);
        } catch (const std::exception& e) {
          row.error = e.what();
          if (row.error.empty()) row.error = "error";
        } catch (...) {
          row.error = "unknown error";
        }
        row.seconds = std::chrono::duration<double>(clock::now() - start).count();
        row.done = true;
      },
      [&](size_t i) {
        ++done;
        if (!options.on_progress) return;
        SweepProgress p;
        p.done = done;
        p.total = total;
        p.elapsed_seconds = std::chrono::duration<double>(clock::now() - t0).count();
        p.eta_seconds = p.elapsed_seconds / static_cast<double>(done) * static_cast<double>(total - done);
        p.last_index = i;
        p.last_row = &result.rows[i];
        options.on_progress(p);
      },
      options.cancel);
  result.completed = done;
  result.cancelled = done < total;
  result.seconds = std::chrono::duration<double>(clock::now() - t0).count();
  return result;
}

// [SECTION] results

std::vector<std::string> SweepResult::metric_names() const {
  std::set<std::string> names;
  for (const auto& r : rows)
    for (const auto& [k, v] : r.metrics) names.insert(k);
  return {names.begin(), names.end()};
}

std::optional<std::size_t> SweepResult::best(const std::string& metric, bool maximize) const {
  std::optional<std::size_t> best;
  double best_value = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (!r.done || !r.error.empty()) continue;
    auto it = r.metrics.find(metric);
    if (it == r.metrics.end() || !std::isfinite(it->second)) continue;
    if (!best || (maximize ? it->second > best_value : it->second < best_value)) {
      best = i;
      best_value = it->second;
    }
  }
  return best;
}

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string SweepResult::to_csv(const std::string& direction) const {
  const auto metrics = metric_names();
  std::string out;
  for (const auto& p : param_names) out += csv_field(p) + ",";
  for (const auto& m : metrics) out += csv_field(m) + ",";
  out += direction.empty() ? "error\n" : "error,objective_direction\n";
  for (const auto& r : rows) {
    if (!r.done) continue;
    for (double v : r.params) out += number_text(v) + ",";
    for (const auto& m : metrics) {
      auto it = r.metrics.find(m);
      if (it != r.metrics.end()) out += number_text(it->second);
      out += ",";
    }
    out += csv_field(r.error) + (direction.empty() ? "" : "," + csv_field(direction)) + "\n";
  }
  return out;
}

std::string SweepResult::to_json(const std::string& best_metric, bool maximize) const {
  nlohmann::ordered_json doc;
  doc["params"] = param_names;
  doc["metrics"] = metric_names();
  doc["completed"] = completed;
  doc["total"] = rows.size();
  doc["cancelled"] = cancelled;
  auto row_json = [&](const SweepRow& r) {
    nlohmann::ordered_json j;
    j["params"] = nlohmann::ordered_json::object();
    for (size_t k = 0; k < param_names.size(); ++k) j["params"][param_names[k]] = r.params[k];
    j["metrics"] = nlohmann::ordered_json::object();
    for (const auto& [name, v] : r.metrics) {
      if (std::isfinite(v))
        j["metrics"][name] = v;
      else
        j["metrics"][name] = nullptr;  // JSON has no NaN/inf
    }
    if (!r.error.empty()) j["error"] = r.error;
    return j;
  };
  doc["rows"] = nlohmann::ordered_json::array();
  for (const auto& r : rows)
    if (r.done) doc["rows"].push_back(row_json(r));
  if (!best_metric.empty()) {
    const auto b = best(best_metric, maximize);
    if (b) {
      auto j = row_json(rows[*b]);
      doc["best"] = {{"metric", best_metric}, {"maximize", maximize},
                     {"direction", maximize ? "higher is better" : "lower is better"}, {"index", *b}, {"params", j["params"]},
                     {"metrics", j["metrics"]}};
    } else {
      doc["best"] = nullptr;
    }
  }
  return doc.dump(1);
}

void SweepResult::write_csv(const std::filesystem::path& path, const std::string& direction) const {
  io::write_file_atomic(path, to_csv(direction));
}

void SweepResult::write_json(const std::filesystem::path& path, const std::string& best_metric, bool maximize) const {
  io::write_file_atomic(path, to_json(best_metric, maximize) + "\n");
}


}  // namespace mergelab::search
