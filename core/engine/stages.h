// Running a multi-stage recipe (core/recipe/multi_stage.h): the stages in dependency order, each earlier stage
// merged into its own folder of a cache folder (CACHE/NAME), the final stage into the output folder.
//
// Reuse: a stage's folder holds `.mergelab-stage-key`, a hash of the stage's recipe as mergekit YAML with every
// path absolute, the seed, the size and modification time of every file of its local inputs and the keys of the
// stages it uses. A stage whose folder holds the same key is not merged again; any change upstream changes the
// keys downstream, so they are merged again.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/engine/engine.h"
#include "core/engine/preflight.h"
#include "core/recipe/multi_stage.h"

namespace mergelab::engine {

struct StageOptions {
  std::string cache_dir;  ///< intermediates go to cache_dir/NAME
  RunOptions run;         ///< out_dir = the final stage's output; force applies to it (intermediates are replaced)
  std::uint32_t seed = 0;
  /// Called before each stage: its name and whether its cached folder is reused.
  std::function<void(const std::string& stage, bool reused)> on_stage;
};

struct StageReport {
  std::vector<std::string> merged, reused;  ///< stage names
};

/// Runs every stage; throws EngineError / recipe::RecipeError (nothing of the failing stage is left behind).
StageReport run_stages(const recipe::MultiRecipe& multi, const StageOptions& options);

/// The stage graph as text: one line per stage in run order, with what it uses ("2. final: slerp of 'a', ../m").
std::string stage_graph(const recipe::MultiRecipe& multi);

/// Pre-flight of every stage: the graph, and each stage whose inputs exist (local paths, or stages already in
/// `cache_dir` with a current key) checked in full; the others as far as their YAML goes.
Preflight preflight_stages(const recipe::MultiRecipe& multi, const PreflightOptions& options,
                           const std::string& cache_dir = "");

/// The reuse key of `stage` given the keys of the stages it uses (name -> key) and their folders.
std::string stage_key(const recipe::Stage& stage, const std::map<std::string, std::string>& folders,
                      const std::map<std::string, std::string>& keys, std::uint32_t seed);

}  // namespace mergelab::engine
