// Merge in memory, then evaluate: the objective behind sweeps and CMA-ES searches on classifier families.
//
// Holds a base and N fine-tunes of one MLP family as flat float vectors (tensors end to end in sorted-name
// order, the checkpoint reader's order), merges them with any registry method — tensor by tensor as mergekit
// does, or over the whole flattened vector for the article's global rules — and evaluates the merged weights
// with the built-in evaluator. Nothing is written to disk. evaluate() is const and thread-safe.
//
//   auto family = MergeFamily::load("models/base", {"models/ft_task0", "models/ft_task1", "models/ft_task2"});
//   const auto* ta = merge::find_method("task_arithmetic");
//   merge::Params p = merge::make_params(*ta);
//   p.set("lambda", 0.5);
//   EvalReport r = family.evaluate(*ta, p, val_tasks);      // r.flat()["combined.acc"], ...
#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <vector>

#include "core/eval/external.h"
#include "core/eval/mlp.h"
#include "core/merge/registry.h"

namespace mergelab::eval {

enum class MergeScope {
  PerTensor,    // one run_merge per tensor (mergekit's semantics; quantiles, norms and signs per tensor)
  WholeVector,  // one run_merge over all tensors concatenated (the article's "global" rules, DARE masks)
};

class MergeFamily {
 public:
  /// Reads the base's config.json and every checkpoint (F32/F16/BF16, sharded or not). All models must hold
  /// the base's tensors with the same shapes. Throws DataError or ckpt::CheckpointError naming the file.
  static MergeFamily load(const std::filesystem::path& base_dir, const std::vector<std::filesystem::path>& model_dirs);

  /// From memory: `base` and each of `models` hold the tensors of `layout` end to end.
  MergeFamily(MlpConfig config, std::vector<TensorSlot> layout, Eigen::VectorXf base, std::vector<Eigen::VectorXf> models);

  const MlpConfig& config() const { return config_; }
  const std::vector<TensorSlot>& layout() const { return layout_; }
  std::size_t model_count() const { return models_.size(); }
  const Eigen::VectorXf& base() const { return base_; }
  const Eigen::VectorXf& model(std::size_t i) const { return models_.at(i); }

  /// The merged parameters, flat in layout() order. Throws std::invalid_argument from the registry
  /// (parameter out of range, wrong model count).
  Eigen::VectorXf merge(const merge::MethodSpec& method, const merge::Params& params,
                        MergeScope scope = MergeScope::PerTensor) const;
  /// A classifier with the given flat weights (e.g. a merge, the base, one model).
  MlpClassifier classifier(const Eigen::VectorXf& flat) const;
  /// merge() then evaluate() on `tasks`.
  EvalReport evaluate(const merge::MethodSpec& method, const merge::Params& params, const TaskSet& tasks,
                      MergeScope scope = MergeScope::PerTensor) const;

  /// Writes a checkpoint folder (which must exist): config.json (the base's text when loaded from disk) and
  /// model.safetensors (F32) holding `flat`. Throws ckpt::CheckpointError / std::runtime_error naming the file.
  void write_checkpoint(const Eigen::VectorXf& flat, const std::filesystem::path& dir) const;

  /// The external path: merge(), write the checkpoint to a fresh temporary folder under `work_dir` (default:
  /// the system temp folder), run the evaluator on it, delete the folder. Failures of the evaluator are in
  /// the result (ok/error); a failed merge or write throws.
  ExternalEvalResult evaluate_external(const merge::MethodSpec& method, const merge::Params& params,
                                       const ExternalEvalOptions& options, MergeScope scope = MergeScope::PerTensor,
                                       const std::filesystem::path& work_dir = {}) const;

 private:
  MlpConfig config_;
  std::string config_text_;  // config.json as read by load(); empty when built from memory
  std::vector<TensorSlot> layout_;
  std::vector<std::size_t> offsets_;  // start of each tensor in the flat vectors
  Eigen::VectorXf base_;
  std::vector<Eigen::VectorXf> models_;
};

}  // namespace mergelab::eval
