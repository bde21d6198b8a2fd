#include "core/search/mergekit_evolve.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>
#include <stdexcept>

#include "core/checkpoint/lora.h"
#include "core/io/atomic_file.h"
#include "core/search/sweep.h"

namespace mergelab::search {

namespace fs = std::filesystem;

namespace {

/// The parameters mergekit-evolve's genome searches per model (mergekit/evo/genome.py METHOD_PARAM_MAPS).
std::vector<std::string> genome_params(const std::string& method) {
  if (method == "linear" || method == "task_arithmetic") return {"weight"};
  if (method == "ties" || method == "dare_ties") return {"weight", "density"};
  if (method == "slerp") return {"t"};
  return {};
}

std::string number(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

/// Single-quoted for bash.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string absolute_model(const recipe::Recipe& r, const std::string& path) {
  const std::string p = fs::absolute(path).lexically_normal().string();
  if (!r.base_model.empty() && ckpt::is_lora_adapter(p))
    return fs::absolute(recipe::resolve_path(r, r.base_model)).lexically_normal().string() + "+" + p;
  return p;
}

/// The recipe's value of a global parameter for the first tensor (its first gradient value), else the default.
double recipe_value(const recipe::Recipe& r, const merge::MethodSpec& spec, const std::string& name) {
  if (auto it = r.params.find(name); it != r.params.end())
    if (auto v = it->second.evaluate("", 0.0)) return *v;
  return spec.param(name)->default_value;
}

}  // namespace

std::vector<EvolveTask> parse_evolve_tasks(const std::string& text, const std::string& metric) {
  std::vector<EvolveTask> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    EvolveTask t;
    t.metric = metric;
    const auto eq = item.find('=');
    t.name = item.substr(0, eq);
    if (t.name.empty()) throw std::invalid_argument("evolve tasks: empty task name in '" + text + "'");
    if (eq != std::string::npos) {
      const std::string w = item.substr(eq + 1);
      size_t used = 0;
      try {
        t.weight = std::stod(w, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != w.size() || w.empty() || !std::isfinite(t.weight))
        throw std::invalid_argument("evolve tasks: weight of '" + t.name + "' is not a number: '" + w + "'");
    }
    out.push_back(t);
  }
  if (out.empty()) throw std::invalid_argument("evolve tasks: no task given");
  return out;
}

MergekitEvolveExport mergekit_evolve_export(const EvolveSearch& s, const std::vector<EvolveTask>& tasks,
                                            const std::string& task_search_path) {
  const recipe::Recipe& r = s.recipe;
  const merge::MethodSpec& spec = recipe::method_of(r);
  const std::vector<std::string> searched_by_genome = genome_params(spec.name);
  if (searched_by_genome.empty())
    throw std::invalid_argument("mergekit-evolve searches linear, task_arithmetic, ties, dare_ties and slerp merges only, "
                                "not " + spec.name);
  if (tasks.empty()) throw std::invalid_argument("mergekit-evolve needs at least one lm-eval-harness task");
  if (s.bounds.size() != s.params.size()) throw std::invalid_argument("mergekit-evolve export: one bound per parameter");
  MergekitEvolveExport e;
  auto& notes = e.notes;

  // Models: the merged ones (slerp: both, its base first, as mergekit-evolve picks slerp's pair itself).
  std::vector<std::string> models;
  for (size_t i = 0; i < s.layout.models.size(); ++i) models.push_back(absolute_model(r, s.layout.models[i]));
  const bool with_base = spec.name != "slerp" && !s.layout.base.empty();

  // Layer groups: mergekit's layer_granularity is layers per group; smooth makes the group values a gradient.
  int groups = 1;
  std::set<int> all_groups;
  for (const auto& p : s.params) {
    groups = std::max(groups, p.groups);
    all_groups.insert(std::max(1, p.groups));
  }
  int granularity = 0;
  if (groups > 1) {
    if (spec.name == "slerp") throw std::invalid_argument("mergekit-evolve's slerp has no smooth layer gradients");
    if (s.n_layers <= 0 || s.n_layers % groups != 0)
      throw std::invalid_argument("mergekit-evolve needs the " + std::to_string(s.n_layers) +
                                  " layers to split into equal groups: " + std::to_string(groups) +
                                  " layer groups do not divide them");
    granularity = s.n_layers / groups;
    if (all_groups.size() > 1)
      notes.push_back("every parameter is searched with " + std::to_string(groups) +
                      " layer groups (mergekit-evolve has one layer_granularity), some had fewer here");
  }

  // What is searched: every model's genome parameters; compare with this search.
  std::set<std::string> ours, theirs;
  for (const auto& p : s.params) ours.insert(p.model < 0 ? p.name : p.name + "@" + std::to_string(p.model));
  for (size_t i = 0; i < s.layout.models.size(); ++i)
    for (const auto& n : searched_by_genome) {
      if (spec.name == "slerp") {
        theirs.insert("t");
        break;
      }
      theirs.insert(n + "@" + std::to_string(i));
    }
  for (const auto& p : ours)
    if (!theirs.count(p)) notes.push_back(p + " is searched here but not by mergekit-evolve");
  for (const auto& p : theirs)
    if (!ours.count(p)) notes.push_back(p + " is searched by mergekit-evolve but held at the recipe's value here");
  // The recipe's other parameters: mergekit-evolve writes only the genome's, normalize, int8_mask and dtype bfloat16.
  for (const auto& [name, setting] : r.params)
    if (name != "normalize")
      notes.push_back("the recipe's " + name + " is not passed on (mergekit-evolve uses mergekit's default)");
  bool negative = false;
  for (size_t i = 0; i < s.params.size(); ++i) {
    const auto& p = s.params[i];
    const auto [lo, hi] = s.bounds[i];
    negative = negative || (p.name == "weight" && lo < 0.0);
    notes.push_back("bounds of " + p.label() + " [" + number(lo) + ", " + number(hi) +
                    "] are not enforced: mergekit-evolve searches unbounded and takes |weight| (unless "
                    "allow_negative_weights) and |density| clamped to [0, 1]");
  }
  notes.push_back("mergekit-evolve starts from weight 1/N and density 1 (random_init: false), not from the recipe's values");
  notes.push_back("--random-seed " + std::to_string(s.seed) +
                  " seeds the merges' random draws; mergekit-evolve's CMA-ES draws its own seed");
  notes.push_back("scores come from the lm-eval-harness tasks below, not from MergeLab's built-in evaluator (--data, "
                  "--objective); merges run in bfloat16");

  YAML::Emitter y;
  y << YAML::BeginMap << YAML::Key << "genome" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "models" << YAML::Value << YAML::BeginSeq;
  for (const auto& m : models) y << m;
  y << YAML::EndSeq;
  y << YAML::Key << "merge_method" << YAML::Value << spec.name;
  if (with_base) y << YAML::Key << "base_model" << YAML::Value << absolute_model(r, s.layout.base);
  y << YAML::Key << "layer_granularity" << YAML::Value << granularity;
  y << YAML::Key << "smooth" << YAML::Value << (granularity > 0);
  if (spec.param("normalize")) y << YAML::Key << "normalize" << YAML::Value << (recipe_value(r, spec, "normalize") != 0.0);
  y << YAML::Key << "allow_negative_weights" << YAML::Value << negative;
  y << YAML::Key << "filters" << YAML::Value << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
  y << YAML::EndMap;
  y << YAML::Key << "tasks" << YAML::Value << YAML::BeginSeq;
  for (const auto& t : tasks) {
    y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << t.name;
    y << YAML::Key << "weight" << YAML::Value << t.weight;
    y << YAML::Key << "metric" << YAML::Value << YAML::DoubleQuoted << t.metric << YAML::EndMap;
  }
  y << YAML::EndSeq;
  y << YAML::Key << "random_init" << YAML::Value << false;
  y << YAML::EndMap;
  std::string header = "# mergekit-evolve genome config written by MergeLab (mergelab evolve --export-mergekit-evolve)\n"
                       "# Run: ./run.sh (beside this file). What does not carry over from the MergeLab search:\n";
  for (const auto& n : notes) header += "#  - " + n + "\n";
  e.genome_yaml = header + y.c_str() + "\n";

  // mergekit-evolve's sigma0 is in parameter units; MergeLab's sigma is a fraction of each range.
  double width = 0.0;
  for (const auto& [lo, hi] : s.bounds) width += hi - lo;
  const double sigma0 = s.sigma * (s.bounds.empty() ? 1.0 : width / static_cast<double>(s.bounds.size()));
  std::ostringstream sh;
  sh << "#!/usr/bin/env bash\n"
        "# Runs the search MergeLab exported (genome.yml beside this script) with mergekit-evolve.\n"
        "# STORAGE_PATH: a folder every Ray node can reach (default: storage/ beside this script).\n"
        "# Further options (--vllm, --num-gpus N, --in-memory, --wandb, ...) are passed on.\n"
        "set -euo pipefail\n"
        "here=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"\n"
        "exec mergekit-evolve \"$here/genome.yml\" \\\n"
        "  --storage-path \"${STORAGE_PATH:-$here/storage}\" \\\n"
     << "  --max-fevals " << s.budget << " \\\n"
     << "  --random-seed " << s.seed << " \\\n"
     << "  --sigma0 " << number(sigma0) << " \\\n";
  if (s.population > 0) sh << "  --force-population-size " << s.population << " \\\n";
  if (!task_search_path.empty())
    sh << "  --task-search-path " << shell_quote(fs::absolute(task_search_path).lexically_normal().string()) << " \\\n";
  sh << "  \"$@\"\n";
  e.run_sh = sh.str();
  return e;
}

void write_mergekit_evolve(const std::string& dir, const MergekitEvolveExport& e) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create the folder (" + ec.message() + ")");
  io::write_file_atomic(fs::path(dir) / "genome.yml", e.genome_yaml);
  const fs::path script = fs::path(dir) / "run.sh";
  io::write_file_atomic(script, e.run_sh);
  fs::permissions(script, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add,
                  ec);
  if (ec) throw std::runtime_error(script.string() + ": cannot make it executable (" + ec.message() + ")");
}

}  // namespace mergelab::search
