#include "core/analysis/maps.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

#include "core/checkpoint/diagnostics.h"
#include "core/recipe/recipe.h"
#include "core/io/parallel.h"

namespace mergelab::analysis {

namespace {

std::vector<std::string> split_dots(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, '.')) out.push_back(part);
  return out;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string join(const std::vector<std::string>& parts, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) out += (out.empty() ? "" : ".") + parts[i];
  return out;
}

// Pools tensors into one statistic (sums of squares, dots, counts).
struct Pool {
  std::string name;
  std::size_t entries = 0;
  std::vector<double> sq;
  Eigen::MatrixXd dot;
  double conflicts = 0;
  std::vector<double> kept;

  void add(const TaskVectorStats& t) {
    const std::size_t k = t.norms.size();
    if (sq.empty()) {
      sq.assign(k, 0.0);
      kept.assign(k, 0.0);
      dot = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
    }
    entries += t.entries;
    conflicts += t.sign_conflict * static_cast<double>(t.entries);
    for (std::size_t i = 0; i < k; ++i) {
      sq[i] += t.norms[i] * t.norms[i];
      kept[i] += t.kept[i] * static_cast<double>(t.entries);
      for (std::size_t j = 0; j < k; ++j)
        dot(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) +=
            t.cosines(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) * t.norms[i] * t.norms[j];
    }
  }
  TaskVectorStats stats() const {
    TaskVectorStats s;
    s.name = name;
    s.entries = entries;
    const std::size_t k = sq.size();
    s.cosines = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
    for (std::size_t i = 0; i < k; ++i) {
      s.norms.push_back(std::sqrt(sq[i]));
      s.kept.push_back(entries ? kept[i] / static_cast<double>(entries) : 0.0);
    }
    for (std::size_t i = 0; i < k; ++i)
      for (std::size_t j = 0; j < k; ++j) {
        const double d = s.norms[i] * s.norms[j];
        s.cosines(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
            d > 0 ? dot(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) / d : 0.0;
      }
    s.sign_conflict = entries ? conflicts / static_cast<double>(entries) : 0.0;
    return s;
  }
};

}  // namespace

double TaskVectorStats::mean_cosine() const {
  // The same statistic as the per-tensor diagnostics (`mergelab inspect`, the Checkpoints panel): one definition.
  ckpt::TensorDiagnostics d;
  d.cosines = cosines;
  return d.mean_cosine();
}

std::string module_kind(const std::string& tensor) {
  const auto parts = split_dots(tensor);
  std::size_t at = parts.size();
  for (std::size_t i = 0; i < parts.size(); ++i)
    if (all_digits(parts[i])) {
      at = i;
      break;
    }
  if (at == parts.size()) return "";
  std::vector<std::string> rest;
  for (std::size_t i = at + 1; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p == "self_attn" || p == "attn" || p == "attention" || p == "mlp" || p == "feed_forward") continue;
    if (i + 1 == parts.size() && (p == "weight" || p == "bias")) continue;
    rest.push_back(p);
  }
  if (rest.empty()) return parts.size() > at + 1 ? parts.back() : "layer";
  std::string& last = rest.back();
  if (last.size() > 5 && last.ends_with("_proj")) last.resize(last.size() - 5);
  return join(rest, 0, rest.size());
}

std::string tensor_group(const std::string& tensor) {
  std::string kind = module_kind(tensor);
  if (!kind.empty()) return kind;
  const auto parts = split_dots(tensor);
  if (parts.size() > 1 && (parts.back() == "weight" || parts.back() == "bias")) return join(parts, 0, parts.size() - 1);
  return tensor;
}

TaskVectorMaps task_vector_maps(const Layout& layout, const Eigen::VectorXf& theta0,
                                const std::vector<const Eigen::VectorXf*>& models, double density,
                                const RunControl& control) {
  if (models.empty()) throw std::invalid_argument("maps: at least one model besides the base");
  if (!(density >= 0.0 && density <= 1.0)) throw std::invalid_argument("maps: density must be in [0, 1]");
  const auto offsets = offsets_of(layout);
  const auto n = static_cast<Eigen::Index>(offsets.back());
  if (theta0.size() != n) throw std::invalid_argument("maps: the base does not fit the layout");
  for (const auto* m : models)
    if (m->size() != n) throw std::invalid_argument("maps: a model does not fit the layout");

  TaskVectorMaps out;
  out.density = density;
  out.tensors.resize(layout.size());
  std::vector<bool> done(layout.size(), false);
  std::size_t count = 0;
  auto body = [&](std::size_t t) {
    const auto off = static_cast<Eigen::Index>(offsets[t]);
    const auto len = static_cast<Eigen::Index>(offsets[t + 1] - offsets[t]);
    std::vector<Eigen::VectorXf> taus;
    for (const auto* m : models) taus.push_back(m->segment(off, len) - theta0.segment(off, len));
    std::vector<Eigen::Ref<const Eigen::VectorXf>> views(taus.begin(), taus.end());
    const ckpt::TensorDiagnostics d = ckpt::task_vector_diagnostics(views, density);
    TaskVectorStats& s = out.tensors[t];
    s.name = layout[t].name;
    s.entries = static_cast<std::size_t>(len);
    s.norms = d.norms;
    s.cosines = d.cosines;
    s.sign_conflict = d.sign_conflict;
    s.kept = d.kept;
  };
  auto on_done = [&](std::size_t t) {
    done[t] = true;
    ++count;
    if (control.progress) control.progress(count, layout.size());
  };
  const std::size_t ran = io::parallel_for(layout.size(), control.threads, body, on_done, control.cancel);
  out.cancelled = ran < layout.size();

  Pool whole;
  whole.name = "all tensors";
  std::vector<Pool> groups;
  std::map<std::string, std::size_t> group_index;
  std::map<std::pair<int, std::string>, Pool> cells;
  std::vector<std::string> seen_kinds;
  for (std::size_t t = 0; t < layout.size(); ++t) {
    if (!done[t]) continue;
    const TaskVectorStats& s = out.tensors[t];
    whole.add(s);
    const std::string g = tensor_group(s.name);
    auto [it, fresh] = group_index.emplace(g, groups.size());
    if (fresh) {
      groups.emplace_back();
      groups.back().name = g;
    }
    groups[it->second].add(s);
    if (const auto layer = recipe::layer_index(s.name)) {
      const std::string kind = module_kind(s.name);
      auto& cell = cells[{*layer, kind}];
      cell.name = "layer " + std::to_string(*layer) + " " + kind;
      cell.add(s);
      if (std::find(out.layers.begin(), out.layers.end(), *layer) == out.layers.end()) out.layers.push_back(*layer);
      if (std::find(seen_kinds.begin(), seen_kinds.end(), kind) == seen_kinds.end()) seen_kinds.push_back(kind);
    }
  }
  out.whole = whole.stats();
  for (const auto& g : groups) out.groups.push_back(g.stats());
  std::sort(out.layers.begin(), out.layers.end());
  for (const char* k : {"q", "k", "v", "o", "gate", "up", "down"})
    if (std::find(seen_kinds.begin(), seen_kinds.end(), k) != seen_kinds.end()) out.kinds.push_back(k);
  for (const auto& k : seen_kinds)
    if (std::find(out.kinds.begin(), out.kinds.end(), k) == out.kinds.end()) out.kinds.push_back(k);
  out.cells.resize(out.layers.size() * out.kinds.size());
  for (std::size_t r = 0; r < out.layers.size(); ++r)
    for (std::size_t c = 0; c < out.kinds.size(); ++c) {
      auto it = cells.find({out.layers[r], out.kinds[c]});
      if (it != cells.end()) out.cells[r * out.kinds.size() + c] = it->second.stats();
    }
  return out;
}

}  // namespace mergelab::analysis
