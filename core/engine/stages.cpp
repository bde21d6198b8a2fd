#include "core/engine/stages.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/recipe/mergekit_yaml.h"

namespace mergelab::engine {

namespace fs = std::filesystem;

namespace {

constexpr const char* kKeyFile = ".mergelab-stage-key";

std::uint64_t fnv1a64(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string hex(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string read_key(const std::string& folder) {
  std::ifstream in(fs::path(folder) / kKeyFile);
  std::string k;
  std::getline(in, k);
  return k;
}

/// Size and modification time of every file of a local input (a folder, or a file).
void describe_input(const std::string& path, std::ostringstream& s) {
  std::error_code ec;
  std::vector<fs::path> files;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec))
      if (e.is_regular_file()) files.push_back(e.path());
  } else {
    files.push_back(path);
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const auto size = fs::file_size(f, ec);
    const auto time = fs::last_write_time(f, ec).time_since_epoch().count();
    s << f.string() << " " << size << " " << time << "\n";
  }
}

std::vector<std::string> local_inputs(const recipe::Recipe& r) {
  std::vector<std::string> out;
  if (!r.base_model.empty()) out.push_back(r.base_model);
  for (const auto& m : r.models) out.push_back(m.path);
  for (const auto& sl : r.slices) {
    if (!sl.base_model.empty()) out.push_back(sl.base_model);
    for (const auto& s : sl.sources) out.push_back(s.path);
  }
  if (!r.tokenizer_source.empty() && r.tokenizer_source != "base") out.push_back(r.tokenizer_source);
  return out;
}

std::string folder_of(const recipe::MultiRecipe& m, const recipe::Stage& s, const StageOptions& o) {
  return &s == &m.stages.back() ? o.run.out_dir : (fs::path(o.cache_dir) / s.name).string();
}

}  // namespace

std::string stage_key(const recipe::Stage& stage, const std::map<std::string, std::string>& folders,
                      const std::map<std::string, std::string>& keys, std::uint32_t seed) {
  const recipe::Recipe r = recipe::with_stage_outputs(stage.recipe, folders);
  std::ostringstream s;
  s << recipe::to_mergekit_yaml(r, "/") << "seed " << seed << "\n";
  for (const auto& p : local_inputs(stage.recipe)) {
    if (auto it = keys.find(p); it != keys.end()) s << "stage " << p << " " << it->second << "\n";
    else describe_input(fs::absolute(recipe::resolve_path(stage.recipe, p)).string(), s);
  }
  return hex(fnv1a64(s.str()));
}

std::string stage_graph(const recipe::MultiRecipe& m) {
  std::ostringstream s;
  s << "stages (in run order):\n";
  for (size_t i = 0; i < m.stages.size(); ++i) {
    const auto& st = m.stages[i];
    s << "  " << i + 1 << ". " << st.name << (i + 1 == m.stages.size() ? " (final)" : "") << ": " << st.recipe.method << " of";
    const auto inputs = local_inputs(st.recipe);
    std::set<std::string> seen;
    for (const auto& p : inputs) {
      if (!seen.insert(p).second) continue;
      s << " " << (m.find(p) ? "[" + p + "]" : p);
    }
    s << "\n";
  }
  return s.str();
}

StageReport run_stages(const recipe::MultiRecipe& m, const StageOptions& o) {
  if (m.stages.size() > 1 && o.cache_dir.empty()) throw EngineError(m.source + ": a multi-stage recipe needs a cache folder");
  StageReport report;
  std::map<std::string, std::string> folders, keys;
  for (const auto& st : m.stages) {
    const std::string folder = folder_of(m, st, o);
    const std::string key = stage_key(st, folders, keys, o.seed);
    const bool final_stage = &st == &m.stages.back();
    std::error_code ec;
    const bool reuse = !final_stage && fs::is_directory(folder, ec) && read_key(folder) == key;
    if (o.on_stage) o.on_stage(st.name, reuse);
    if (!reuse) {
      recipe::Recipe r = recipe::with_stage_outputs(st.recipe, folders);
      const MergePlan plan = plan_merge(r, {.seed = o.seed});
      RunOptions run = o.run;
      run.out_dir = folder;
      run.force = final_stage ? o.run.force : true;
      if (!final_stage) fs::create_directories(o.cache_dir, ec);
      run_merge(plan, run);
      if (!final_stage) {
        std::ofstream k(fs::path(folder) / kKeyFile);
        k << key << "\n";
        if (!k.flush()) throw EngineError(folder + ": cannot write " + kKeyFile);
      }
      report.merged.push_back(st.name);
    } else {
      report.reused.push_back(st.name);
    }
    folders[st.name] = fs::absolute(folder).lexically_normal().string();
    keys[st.name] = key;
  }
  return report;
}

Preflight preflight_stages(const recipe::MultiRecipe& m, const PreflightOptions& o, const std::string& cache_dir) {
  Preflight p;
  p.config = m.source;
  p.ok = true;
  p.stage_graph = stage_graph(m);
  std::map<std::string, std::string> folders, keys;
  for (const auto& st : m.stages) {
    std::vector<std::string> missing;
    for (const auto& u : st.uses)
      if (!folders.count(u)) missing.push_back(u);
    p.method = st.recipe.method;
    if (!missing.empty()) {
      std::string list;
      for (const auto& u : missing) list += (list.empty() ? "'" : ", '") + u + "'";
      p.plan += "== stage " + st.name + ": checked as far as its YAML goes (uses " + list + ", not built yet)\n";
      continue;
    }
    const Preflight one = preflight_recipe(recipe::with_stage_outputs(st.recipe, folders), o);
    if (!one.ok) {
      p.ok = false;
      p.error = one.error;
      return p;
    }
    p.plan += "== stage " + st.name + "\n" + one.plan;
    p.bytes_read += one.bytes_read;
    p.bytes_written += one.bytes_written;
    p.peak_memory_bytes = std::max(p.peak_memory_bytes, one.peak_memory_bytes);
    p.estimated_seconds += one.estimated_seconds;
    p.warnings.insert(p.warnings.end(), one.warnings.begin(), one.warnings.end());
    if (&st == &m.stages.back()) {
      p.tensors = one.tensors;
      p.copied_tensors = one.copied_tensors;
      p.layers = one.layers;
      p.output_dtypes = one.output_dtypes;
    }
    // A cached intermediate with a current key can feed the stages after it.
    const std::string key = stage_key(st, folders, keys, o.seed);
    const std::string folder = cache_dir.empty() ? "" : (fs::path(cache_dir) / st.name).string();
    std::error_code ec;
    if (!folder.empty() && fs::is_directory(folder, ec) && read_key(folder) == key) {
      folders[st.name] = fs::absolute(folder).lexically_normal().string();
      keys[st.name] = key;
    }
  }
  return p;
}

}  // namespace mergelab::engine
