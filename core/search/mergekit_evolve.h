// A `mergelab evolve` search written for mergekit-evolve (Ray workers, lm-eval-harness tasks, optionally
// vLLM), for searches that outgrow one machine. mergekit's `mergekit/evo/config.py` schema:
//
//   genome:                       # ModelGenomeDefinition
//     models: [PATH, ...]         #   the merged models (absolute paths; BASE+ADAPTER for a LoRA adapter)
//     merge_method: ties          #   linear, task_arithmetic, ties, dare_ties or slerp (mergekit-evolve's only ones)
//     base_model: PATH            #   required by task_arithmetic, ties, dare_ties
//     layer_granularity: 0        #   layers per group (0 = one group); with smooth: true the G group values are
//     smooth: false               #   a gradient over the layers, as MergeLab's NAME:gG control points
//     normalize: true             #   the recipe's normalize
//     allow_negative_weights: false
//     filters: []                 #   no per-filter parameter sets
//   tasks: [{name: T, weight: 1.0, metric: "acc,none"}, ...]
//
// mergekit-evolve always searches every model's weight (and density for ties / dare_ties), unbounded
// (|weight|, |density| clamped to [0, 1]), from 1/N and density 1, with CMA-ES seeded on its own; MergeLab's
// budget, population, sigma and seed go on its command line (run.sh). What does not carry over is listed in
// the export's notes (written as comments at the top of genome.yml), e.g. other searched parameters, bounds,
// the starting point, and the built-in evaluator (mergekit-evolve scores lm-eval-harness tasks).
//
//   MergekitEvolveExport e = mergekit_evolve_export(search, parse_evolve_tasks("my_task=2,other"));
//   write_mergekit_evolve("evolve_out", e);   // evolve_out/genome.yml, evolve_out/run.sh (atomic writes)
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/recipe/recipe.h"
#include "core/search/recipe_space.h"

namespace mergelab::search {

/// One lm-eval-harness task of mergekit-evolve's objective (TaskConfiguration).
struct EvolveTask {
  std::string name;
  double weight = 1.0;
  std::string metric = "acc,none";
};

/// The search as `mergelab evolve` runs it.
struct EvolveSearch {
  recipe::Recipe recipe;
  recipe::MergeLayout layout;
  std::vector<RecipeParam> params;                ///< the searched parameters
  std::vector<std::pair<double, double>> bounds;  ///< [lo, hi] per searched parameter
  int n_layers = 0;                               ///< layers in the stack (0 = none numbered)
  std::uint32_t seed = 0;
  long budget = 300;
  int population = 0;   ///< 0 = CMA-ES's default
  double sigma = 0.25;  ///< initial step, as a fraction of each parameter's range
};

struct MergekitEvolveExport {
  std::string genome_yaml;         ///< the mergekit-evolve config (notes as leading comments)
  std::string run_sh;              ///< the mergekit-evolve command line
  std::vector<std::string> notes;  ///< what does not carry over
};

/// "name[=weight][,name[=weight]...]" -> tasks. Throws std::invalid_argument on an empty list, an empty name
/// or a weight that is not a finite number.
std::vector<EvolveTask> parse_evolve_tasks(const std::string& text, const std::string& metric = "acc,none");

/// Builds the export. `task_search_path` ("" = none) becomes --task-search-path. Throws std::invalid_argument
/// when mergekit-evolve cannot run the search at all: a method it does not search, no task, or layer groups
/// that do not divide the layer stack.
MergekitEvolveExport mergekit_evolve_export(const EvolveSearch& search, const std::vector<EvolveTask>& tasks,
                                            const std::string& task_search_path = "");

/// Writes DIR/genome.yml and DIR/run.sh (executable), each atomically; creates DIR.
void write_mergekit_evolve(const std::string& dir, const MergekitEvolveExport& e);

}  // namespace mergelab::search
