// The streaming merge of whole checkpoints.
//
//   recipe::Recipe r = recipe::read_mergekit_yaml("ties.yml");
//   engine::MergePlan plan = engine::plan_merge(r, {.seed = 0});   // opens inputs, checks them, resolves params
//   std::cout << plan.describe();                                  // what --dry-run prints
//   engine::run_merge(plan, {.out_dir = "out", .threads = 2, .on_progress = ..., .cancel = &flag});
//
// One tensor at a time across all inputs: each worker reads the tensor from every input (converted to f32),
// runs the registry method on it, writes the result at its final offset through the streaming writer, and
// drops the inputs' pages again. Resident memory is bounded by threads x (inputs + temporaries) x the largest
// tensor, independent of the number of tensors.
//
// Per tensor: parameters are resolved from the recipe at the tensor's name and layer position (gradients,
// filters; core/recipe/recipe.h); random methods draw from seed_of_tensor = seed XOR fnv1a32(name), model i
// using seed_of_tensor + i. Output dtype: out_dtype, else dtype, else the input tensor's dtype (F64 -> F32).
// Non-float tensors (integer, bool, F8: position_ids, attention masks, ...) are not merged but copied: the
// reference's (the base's, else the first model's) bytes are written unchanged, same dtype and shape, as
// mergekit does. Like mergekit, every input that holds such a tensor must hold the same bytes and dtype (else
// EngineError "<model>: tensor '<name>': ... differs ..."); a model that lacks it only gets a warning. A
// tensor that is float in one input and not in another is refused.
//
// Output: model.safetensors (or shards + model.safetensors.index.json with max_shard_bytes), `__metadata__` =
// {format: pt, merge_method, mergelab_recipe (JSON), mergelab_seed}; the base's non-tensor files (config.json,
// tokenizer files, ...) copied; mergekit_config.yml (the recipe as mergekit YAML). Everything is written into
// a hidden temporary folder beside the destination and renamed into place at the end; a failed or cancelled
// merge leaves nothing behind. An existing destination is refused unless `force`; a destination that is, holds
// or sits inside an input is always refused.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/checkpoint/dtype.h"
#include "core/merge/registry.h"
#include "core/recipe/recipe.h"

namespace mergelab::engine {

/// A merge that cannot run or failed: one message naming the file/model, tensor and problem.
struct EngineError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
/// Thrown by run_merge when the cancel flag was raised; nothing was written.
struct Cancelled : EngineError {
  Cancelled() : EngineError("merge cancelled") {}
};

struct Progress {
  std::size_t tensors_done = 0, tensors_total = 0;
  std::uint64_t bytes_done = 0, bytes_total = 0;  ///< input + output bytes of the tensors done / of all
  double elapsed_s = 0, eta_s = 0;
  std::string tensor;  ///< the tensor just finished
};

struct PlanOptions {
  std::uint32_t seed = 0;
  /// false: headers and config files only (pre-flight, core/engine/preflight.h): the non-float tensors that every
  /// input must hold byte for byte are not compared.
  bool read_data = true;
};

/// One input of a tensor's merge: input `input` of the plan (index into its opened models), tensor `name` there.
struct TensorSource {
  int input = 0;
  std::string name;
};

struct VocabRemap;  // core/engine/vocab.h

struct TensorPlan {
  std::string name;
  std::vector<std::uint64_t> shape;
  std::uint64_t numel = 0;
  ckpt::DType out_dtype = ckpt::DType::F32;
  double t = 0;            ///< gradient position (layer / (L - 1); 0 outside the layer stack)
  merge::Params params;    ///< resolved for this tensor, seed included (unused when copied)
  bool copied = false;     ///< a non-float tensor: the reference's bytes are written unchanged (out_dtype = its dtype)
  /// `slices:` plans: where the method's base and models come from (a copied tensor: model_sources[0]). Empty
  /// for `models:` plans, where every input's tensor `name` is used.
  std::optional<TensorSource> base_source;
  std::vector<TensorSource> model_sources;
  std::uint64_t input_bytes = 0;  ///< bytes read for this tensor
  int slice = -1;                 ///< `slices:` plans: the slice it belongs to (-1: before / after the stack too)
  /// A vocabulary tensor whose inputs' rows are re-ordered into the output vocabulary first (tokenizer_source;
  /// core/engine/vocab.h); shape is the output's. nullptr = the inputs' rows are used as they are.
  std::shared_ptr<const VocabRemap> vocab;
};

struct Sources;  // the opened inputs (checkpoints / LoRA adapters): core/engine/sources.h

struct MergePlan {
  recipe::Recipe recipe;
  recipe::MergeLayout layout;
  const merge::MethodSpec* method = nullptr;
  std::uint32_t seed = 0;
  int n_layers = 0;  ///< layers in the stack (0 = no numbered layers)
  std::vector<TensorPlan> tensors;
  std::uint64_t input_bytes = 0;   ///< bytes read from every input
  std::uint64_t output_bytes = 0;  ///< tensor bytes written
  std::vector<std::string> copied_files;  ///< non-tensor files of the base folder that will be copied
  /// Files written into the output after the copies (and over them): file name -> contents (config.json with
  /// the output's layer count, README.md model card, ...).
  std::map<std::string, std::string> generated_files;
  std::vector<std::string> warnings;      ///< extra tensors ignored, options ignored, ...
  std::shared_ptr<const Sources> sources;

  /// The resolved plan as text: method, inputs, parameter groups (tensors sharing the same resolved values),
  /// the non-float tensors copied unchanged, output dtypes and size.
  std::string describe() const;
};

/// Opens every input, checks compatibility (missing tensors, shape mismatches, float vs non-float, non-float
/// tensors that differ between inputs: the first problem is thrown as EngineError "<model>: tensor '<name>':
/// <problem>") and resolves parameters per tensor (each checked against the hard limits and joint rules).
MergePlan plan_merge(const recipe::Recipe& recipe, const PlanOptions& options = {});

struct RunOptions {
  std::string out_dir;
  int threads = 0;                       ///< 0 = hardware concurrency
  std::uint64_t max_shard_bytes = 0;     ///< 0 = one model.safetensors
  bool force = false;                    ///< replace an existing out_dir
  bool sync = true;                      ///< fsync output files before renaming
  std::function<void(const Progress&)> on_progress;  ///< called after each tensor (serialised)
  std::function<void(const std::string&)> on_note;   ///< stale staging folders removed (from the calling thread)
  const std::atomic<bool>* cancel = nullptr;
};

struct RunReport {
  std::size_t tensors = 0;
  std::uint64_t bytes_in = 0, bytes_out = 0;
  double seconds = 0;
  std::vector<std::string> files;  ///< what the output folder holds
};

RunReport run_merge(const MergePlan& plan, const RunOptions& options);

/// plan_merge + run_merge.
RunReport merge_checkpoints(const recipe::Recipe& recipe, const RunOptions& options, const PlanOptions& plan = {});

/// mergekit dtype names -> DType ("float32"/"fp32"/"float", "float16"/"fp16"/"half", "bfloat16"/"bf16").
ckpt::DType dtype_from_name(const std::string& name);
/// Per-tensor seed: seed XOR fnv1a32(name).
std::uint32_t tensor_seed(std::uint32_t seed, const std::string& name);
/// "1.5 GB", "12.0 MB" (decimal units) and "500MB" / "2GB" / "1.5G" / plain bytes -> bytes (throws EngineError).
std::string format_bytes(std::uint64_t bytes);
std::uint64_t parse_size(const std::string& text);

}  // namespace mergelab::engine
