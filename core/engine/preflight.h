// Pre-flight: everything a merge can refuse, found from the YAML, the checkpoints' headers and the config /
// tokenizer files alone, before any tensor data is read; then what the merge will do and cost.
//
//   engine::Preflight p = engine::preflight("merge.yml", {.threads = 2});   // never throws
//   if (!p.ok) std::cerr << p.error << "\n";        // "merge.yml:7: parameter 'densty' ...; did you mean 'density'?"
//   std::cout << p.text();                           // what `mergelab merge --dry-run` prints
//
// Checked: the YAML itself, method and parameter names (with the closest valid name), parameters the method does
// not take, values out of range, layer counts and layer_ranges, missing tensors, shapes, vocabulary sizes
// (core/engine/vocab.h), the output dtype. Every refusal is one line "<file>:<line>: <problem>; <what to change>"
// (the line of the YAML entry the problem comes from). Not checked here because it needs tensor data: whether the
// non-float tensors (position ids, ...) of every input hold the same bytes; the merge itself checks that.
//
// The plan: tensors, layers, output dtypes, bytes read and written, an estimate of peak memory (the `threads`
// largest per-tensor working sets: every input of the tensor plus the result as float32, the re-ordered copies of
// vocabulary tensors included) and of the time (bytes moved at kEstimateBytesPerSecond, a rough figure).
// A multi-stage file (several YAML documents, core/engine/stages.h) gets its stage graph and each stage's own
// pre-flight (a stage whose inputs are not built yet is checked as far as the YAML goes).
//
// Thread safety: a pure function of its arguments and the files; a GUI may run it off its UI thread and show the
// result (it holds no references into the opened checkpoints).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/recipe/recipe.h"

namespace mergelab::engine {

/// Bytes per second the time estimate assumes for reading inputs plus writing the output (rough).
inline constexpr double kEstimateBytesPerSecond = 400e6;

struct PreflightOptions {
  std::uint32_t seed = 0;
  int threads = 0;  ///< 0 = hardware concurrency (as RunOptions::threads)
};

struct Preflight {
  bool ok = false;
  std::string config;                 ///< the YAML file
  std::string error;                  ///< the first refusal (empty when ok)
  std::vector<std::string> warnings;  ///< what the merge will ignore or assume
  std::string method;
  std::size_t tensors = 0, copied_tensors = 0;
  int layers = 0;
  std::vector<std::string> output_dtypes;  ///< "bfloat16: 29 tensors", ...
  std::uint64_t bytes_read = 0, bytes_written = 0;
  std::uint64_t peak_memory_bytes = 0;
  double estimated_seconds = 0;
  std::string plan;       ///< MergePlan::describe(): the resolved parameters per tensor group
  std::string stage_graph;  ///< multi-stage files: the stages in run order with what each uses
  double checked_in_seconds = 0;  ///< how long the pre-flight itself took

  /// The report as `mergelab merge --dry-run` prints it.
  std::string text() const;
};

/// Pre-flight of a mergekit YAML file (one recipe, or several documents with `name:`, whose intermediates may
/// already be in `cache_dir`). Never throws.
Preflight preflight(const std::string& yaml_path, const PreflightOptions& options = {}, const std::string& cache_dir = "");
/// Pre-flight of a recipe already read (its `source` names the file in messages). Never throws.
Preflight preflight_recipe(const recipe::Recipe& recipe, const PreflightOptions& options = {});

/// `message` (a RecipeError / EngineError text) as "<file>:<line>: ...": the line of the YAML entry whose model
/// path the message names, when it does not already start with the recipe's file and a line.
std::string locate_in_yaml(const recipe::Recipe& recipe, const std::string& message);

}  // namespace mergelab::engine
