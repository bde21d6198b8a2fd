#include "core/search/objective.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace mergelab::search {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    const size_t hit = s.find(sep, pos);
    out.push_back(s.substr(pos, hit == std::string::npos ? std::string::npos : hit - pos));
    if (hit == std::string::npos) return out;
    pos = hit + 1;
  }
}

}  // namespace

ObjectiveSpec parse_objective(const std::string& text, bool maximize) {
  const std::string where = "objective '" + text + "'";
  ObjectiveSpec spec;
  spec.maximize = maximize;
  spec.keys.clear();
  std::string list = text;
  if (const size_t colon = text.find(':'); colon != std::string::npos) {
    const std::string kind = text.substr(0, colon);
    list = text.substr(colon + 1);
    if (kind == "mean")
      spec.reduce = ObjectiveSpec::Reduce::Mean;
    else if (kind == "min")
      spec.reduce = ObjectiveSpec::Reduce::Min;
    else if (kind == "max")
      spec.reduce = ObjectiveSpec::Reduce::Max;
    else if (kind == "weighted")
      spec.reduce = ObjectiveSpec::Reduce::WeightedSum;
    else
      throw std::invalid_argument(where + ": unknown reduction '" + kind + "' (mean, min, max or weighted)");
  }
  for (const auto& item : split(list, ',')) {
    if (spec.reduce == ObjectiveSpec::Reduce::WeightedSum) {
      const size_t eq = item.find('=');
      if (eq == std::string::npos || eq == 0)
        throw std::invalid_argument(where + ": weighted terms are KEY=WEIGHT, got '" + item + "'");
      const std::string w = item.substr(eq + 1);
      char* end = nullptr;
      errno = 0;
      const double weight = std::strtod(w.c_str(), &end);
      if (w.empty() || end != w.c_str() + w.size() || errno == ERANGE || !std::isfinite(weight))
        throw std::invalid_argument(where + ": weight '" + w + "' is not a number");
      spec.keys.push_back(item.substr(0, eq));
      spec.weights.push_back(weight);
    } else {
      if (item.empty()) throw std::invalid_argument(where + ": empty metric name");
      spec.keys.push_back(item);
    }
  }
  return spec;
}

double reduce_metrics(const eval::MetricMap& metrics, const ObjectiveSpec& spec) {
  if (spec.keys.empty()) throw std::invalid_argument("objective has no metrics");
  if (spec.reduce == ObjectiveSpec::Reduce::WeightedSum && spec.weights.size() != spec.keys.size())
    throw std::invalid_argument("weighted objective needs one weight per metric");
  std::vector<double> values;
  for (const auto& k : spec.keys) {
    auto it = metrics.find(k);
    if (it == metrics.end()) {
      std::string have;
      for (const auto& [name, v] : metrics) have += (have.empty() ? "" : ", ") + name;
      throw std::invalid_argument("metric '" + k + "' not among the evaluator's metrics (" + have + ")");
    }
    values.push_back(it->second);
  }
  switch (spec.reduce) {
    case ObjectiveSpec::Reduce::Mean: {
      double s = 0;
      for (double v : values) s += v;
      return s / static_cast<double>(values.size());
    }
    case ObjectiveSpec::Reduce::Min: return *std::min_element(values.begin(), values.end());
    case ObjectiveSpec::Reduce::Max: return *std::max_element(values.begin(), values.end());
    case ObjectiveSpec::Reduce::WeightedSum: {
      double s = 0;
      for (size_t i = 0; i < values.size(); ++i) s += spec.weights[i] * values[i];
      return s;
    }
  }
  return 0;
}

std::vector<std::string> task_metric_keys(const eval::EvalReport& report, const std::string& metric) {
  std::vector<std::string> keys;
  for (const auto& t : report.tasks) keys.push_back(t.name + "." + metric);
  return keys;
}

ScalarObjective to_cmaes_objective(std::function<eval::MetricMap(const std::vector<double>&)> metrics,
                                   ObjectiveSpec spec) {
  return [metrics = std::move(metrics), spec = std::move(spec)](const Eigen::VectorXd& x) {
    eval::MetricMap m;
    try {
      m = metrics(std::vector<double>(x.data(), x.data() + x.size()));
    } catch (const std::exception&) {
      return std::numeric_limits<double>::infinity();  // a failed evaluation ranks last
    }
    const double v = reduce_metrics(m, spec);  // a wrong metric name is the caller's error: it propagates
    return spec.maximize ? -v : v;
  };
}

bool replaces_kept_best(bool cancelled, const double* kept, double found, bool maximize) {
  if (!std::isfinite(found)) return false;
  if (!cancelled || !kept || !std::isfinite(*kept)) return true;
  return maximize ? found > *kept : found < *kept;
}

}  // namespace mergelab::search
