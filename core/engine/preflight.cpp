#include "core/engine/preflight.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include "core/checkpoint/dtype.h"
#include "core/engine/engine.h"
#include "core/engine/stages.h"
#include "core/engine/slice_plan.h"
#include "core/recipe/mergekit_yaml.h"

namespace mergelab::engine {

namespace fs = std::filesystem;

namespace {

bool starts_with_line(const std::string& message, const std::string& source) {
  if (source.empty() || message.compare(0, source.size() + 1, source + ":") != 0) return false;
  return message.size() > source.size() + 1 && std::isdigit(static_cast<unsigned char>(message[source.size() + 1]));
}

/// The YAML line of the first entry whose path (as written or resolved) the message names.
int line_named_in(const recipe::Recipe& r, const std::string& message) {
  auto names = [&](const std::string& p) {
    if (p.empty()) return false;
    const std::string resolved = recipe::resolve_path(r, p);
    return message.find("'" + p + "'") != std::string::npos || message.find(resolved) != std::string::npos ||
           message.find(canonical_path(resolved)) != std::string::npos;
  };
  if (message.find("vocabulary sizes differ") != std::string::npos ||
      message.find("tokenizer_source") != std::string::npos) {
    if (r.tokenizer_line) return r.tokenizer_line;
  }
  if (message.find("dtype") != std::string::npos && r.dtype_line) return r.dtype_line;
  for (const auto& sl : r.slices)
    for (const auto& s : sl.sources)
      if (names(s.path) && s.line) return s.line;
  // The model entries first: a message about a model names it after the base it compares with.
  for (const auto& m : r.models)
    if (names(m.path) && m.line) {
      const std::string resolved = recipe::resolve_path(r, m.path);
      if (message.rfind(resolved, 0) == 0 || message.rfind(canonical_path(resolved), 0) == 0) return m.line;
    }
  if (names(r.base_model) && r.base_line) {
    const std::string resolved = recipe::resolve_path(r, r.base_model);
    if (message.rfind(resolved, 0) == 0 || message.rfind(canonical_path(resolved), 0) == 0) return r.base_line;
  }
  // Else the entry named last ("... rows in BASE and 700 in MODEL"): the one that differs.
  int line = 0;
  size_t last = 0;
  auto consider = [&](const std::string& p, int l) {
    if (p.empty() || !l) return;
    for (const std::string& form : {"'" + p + "'", recipe::resolve_path(r, p), canonical_path(recipe::resolve_path(r, p))})
      if (const size_t at = message.rfind(form); at != std::string::npos && (line == 0 || at > last)) line = l, last = at;
  };
  consider(r.base_model, r.base_line);
  for (const auto& m : r.models) consider(m.path, m.line);
  return line;
}

/// Per tensor: every input of it plus the result, as float32 (plus the re-ordered copies of a vocabulary tensor).
std::uint64_t working_set(const TensorPlan& t, std::size_t n_inputs) {
  if (t.copied) return t.input_bytes;
  const std::size_t n = t.model_sources.empty() ? n_inputs : t.model_sources.size() + (t.base_source ? 1 : 0);
  const std::uint64_t one = t.numel * 4;
  return one * (n + 1) + (t.vocab ? one * n : 0);
}

}  // namespace

std::string locate_in_yaml(const recipe::Recipe& r, const std::string& message) {
  if (r.source.empty() || starts_with_line(message, r.source)) return message;
  std::string rest = message;
  if (rest.compare(0, r.source.size() + 2, r.source + ": ") == 0) rest = rest.substr(r.source.size() + 2);
  const int line = line_named_in(r, rest);
  return r.source + (line ? ":" + std::to_string(line) : "") + ": " + rest;
}

Preflight preflight_recipe(const recipe::Recipe& r, const PreflightOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  Preflight p;
  p.config = r.source;
  p.method = r.method;
  try {
    const MergePlan plan = plan_merge(r, {.seed = o.seed, .read_data = false});
    p.warnings = plan.warnings;
    p.tensors = plan.tensors.size();
    p.layers = plan.n_layers;
    p.bytes_read = plan.input_bytes;
    p.bytes_written = plan.output_bytes;
    p.plan = plan.describe();
    std::map<std::string, std::size_t> dtypes;
    std::vector<std::uint64_t> sets;
    const std::size_t n_inputs = std::max<std::size_t>(1, plan.layout.models.size() + (plan.layout.base.empty() ? 0 : 1));
    for (const auto& t : plan.tensors) {
      p.copied_tensors += t.copied ? 1 : 0;
      dtypes[std::string(ckpt::dtype_name(t.out_dtype))]++;
      sets.push_back(working_set(t, n_inputs));
    }
    for (const auto& [d, n] : dtypes) p.output_dtypes.push_back(d + ": " + std::to_string(n) + " tensor(s)");
    const int threads = std::max(1, o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency()));
    std::sort(sets.rbegin(), sets.rend());
    for (std::size_t i = 0; i < sets.size() && i < static_cast<std::size_t>(threads); ++i) p.peak_memory_bytes += sets[i];
    p.estimated_seconds = static_cast<double>(p.bytes_read + p.bytes_written) / kEstimateBytesPerSecond;
    p.ok = true;
  } catch (const std::exception& e) {
    p.error = locate_in_yaml(r, e.what());
  }
  p.checked_in_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return p;
}

Preflight preflight(const std::string& yaml_path, const PreflightOptions& o, const std::string& cache_dir) {
  const auto start = std::chrono::steady_clock::now();
  Preflight p;
  p.config = yaml_path;
  try {
    const recipe::MultiRecipe multi = recipe::read_recipes(yaml_path);
    if (multi.stages.size() == 1) {
      p = preflight_recipe(multi.stages[0].recipe, o);
    } else {
      p = preflight_stages(multi, o, cache_dir);
    }
  } catch (const std::exception& e) {
    p.ok = false;
    p.error = e.what();
  }
  p.config = yaml_path;
  p.checked_in_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return p;
}

std::string Preflight::text() const {
  std::ostringstream s;
  s << "pre-flight of " << config << ": " << (ok ? "ok" : "refused") << " (checked in " << static_cast<int>(checked_in_seconds * 1000 + 0.5)
    << " ms, headers and config files only)\n";
  if (!ok) {
    s << "error: " << error << "\n";
    return s.str();
  }
  if (!stage_graph.empty()) s << stage_graph;
  if (!plan.empty()) s << plan;
  if (tensors) {
    s << "output: " << tensors << " tensor(s)";
    if (copied_tensors) s << " (" << copied_tensors << " copied unchanged)";
    s << ", " << layers << " layer(s);";
    for (const auto& d : output_dtypes) s << " " << d;
    s << "\n";
  }
  s << "estimate: read " << format_bytes(bytes_read) << ", write " << format_bytes(bytes_written) << ", peak memory about "
    << format_bytes(peak_memory_bytes) << ", about ";
  s.setf(std::ios::fixed);
  s.precision(1);
  s << estimated_seconds << " s (at " << format_bytes(static_cast<std::uint64_t>(kEstimateBytesPerSecond)) << "/s)\n";
  for (const auto& w : warnings)
    if (plan.find("warning: " + w + "\n") == std::string::npos) s << "warning: " << w << "\n";
  return s.str();
}

}  // namespace mergelab::engine
