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
//
// Per-tensor parameters (mergekit gradients and filters), exactly as `mergelab merge` applies them: a recipe is
// resolved tensor by tensor with the engine's own code (recipe::layer_position with L = largest layer number in
// the tensor names + 1, recipe::resolve_params, seeds engine::tensor_seed(seed, name)), so the in-memory merge
// equals the engine's output for the same recipe and seed. The family's models must be the recipe's merge
// layout in order (MergeFamily::load(layout.base or layout.models[0], layout.models), as the tune commands do).
//
//   recipe::Recipe r = recipe::read_mergekit_yaml("ta.yml");
//   const recipe::MergeLayout layout = recipe::merge_layout(r);
//   r.models[0].params["weight"] = recipe::ParamSetting::gradient({0.2, 0.9});   // layer 0 -> 0.2, last -> 0.9
//   EvalReport g = family.evaluate(r, layout, val_tasks, /*seed=*/0);
//   // or resolve once and reuse: one merge::Params per layout() tensor
//   TensorParams per_tensor = family.resolve_tensor_params(r, layout, 0);
//   Eigen::VectorXf merged = family.merge(recipe::method_of(r), per_tensor);
// Tensor names without a layer number ("fc1.weight": the digits fixtures) are outside the layer stack: every
// such tensor takes a gradient's first value (recipe.h). layer_count() == 0 tells a caller so.
#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <vector>

#include "core/eval/external.h"
#include "core/eval/mlp.h"
#include "core/merge/registry.h"
#include "core/recipe/recipe.h"

namespace mergelab::eval {

enum class MergeScope {
  PerTensor,    // one run_merge per tensor (mergekit's semantics; quantiles, norms and signs per tensor)
  WholeVector,  // one run_merge over all tensors concatenated (the article's "global" rules, DARE masks)
};

/// One merge::Params per tensor of MergeFamily::layout(), in that order.
using TensorParams = std::vector<merge::Params>;

/// What the family's base is to the merge method (mergekit's rules for a recipe's base_model).
enum class BaseRole {
  Origin,       ///< the methods' base: task vectors are taken from it (every needs-base method; nuslerp and
                ///< multislerp when a base_model is given)
  None,         ///< not handed to the method (nuslerp, multislerp without a base_model): merges see no base
  JoinsModels,  ///< merged as one more model, first (karcher with a base_model); no base is handed to the method
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

  /// The base's role in every merge (default Origin). The tune commands set it from the recipe's layout:
  /// None when the layout has no base (the family's base is then its first model); a family loaded with the
  /// fine-tunes only takes JoinsModels for karcher with a base, and a layout then lists the base first.
  void set_base_role(BaseRole role) { base_role_ = role; }
  BaseRole base_role() const { return base_role_; }
  /// Models a merge receives: model_count(), plus one when the base joins them.
  std::size_t merged_model_count() const { return models_.size() + (base_role_ == BaseRole::JoinsModels ? 1 : 0); }

  /// The merged parameters, flat in layout() order. Throws std::invalid_argument from the registry
  /// (parameter out of range, wrong model count).
  Eigen::VectorXf merge(const merge::MethodSpec& method, const merge::Params& params,
                        MergeScope scope = MergeScope::PerTensor) const;

  /// Layers in the stack as the engine counts them: largest recipe::layer_index over the tensor names + 1
  /// (0 = no numbered layers: gradients then give every tensor their first value).
  int layer_count() const { return n_layers_; }
  /// Gradient position t of tensor i of layout(): recipe::layer_position(name, layer_count()).
  double layer_position(std::size_t tensor) const { return positions_.at(tensor); }

  /// The Params of every tensor for `recipe` (gradients and filters evaluated at the tensor's name and
  /// position, seed engine::tensor_seed(seed, name)) — what engine::plan_merge resolves for the same recipe.
  /// `layout` = recipe::merge_layout(recipe); throws std::invalid_argument when its model count differs from
  /// model_count(), recipe::RecipeError for an unknown method.
  TensorParams resolve_tensor_params(const recipe::Recipe& recipe, const recipe::MergeLayout& layout,
                                     std::uint32_t seed = 0) const;
  /// Tensor i merged with per_tensor[i] (always per tensor). Throws std::invalid_argument from the registry,
  /// or when per_tensor.size() != layout().size().
  Eigen::VectorXf merge(const merge::MethodSpec& method, const TensorParams& per_tensor) const;
  /// resolve_tensor_params + merge: the engine's result for `recipe`, in memory.
  Eigen::VectorXf merge(const recipe::Recipe& recipe, const recipe::MergeLayout& layout, std::uint32_t seed = 0) const;
  /// merge(recipe, ...) then evaluate() on `tasks`.
  EvalReport evaluate(const recipe::Recipe& recipe, const recipe::MergeLayout& layout, const TaskSet& tasks,
                      std::uint32_t seed = 0) const;

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
  /// Tensor t merged with params_of(t) (a const merge::Params&), each at its offset.
  template <class ParamsOf>
  Eigen::VectorXf merge_per_tensor(const merge::MethodSpec& method, const ParamsOf& params_of) const;

  MlpConfig config_;
  std::string config_text_;  // config.json as read by load(); empty when built from memory
  std::vector<TensorSlot> layout_;
  std::vector<std::size_t> offsets_;  // start of each tensor in the flat vectors
  int n_layers_ = 0;                  // layer_count()
  std::vector<double> positions_;     // layer_position() per tensor
  /// The inputs of one merge over [off, off + size): base or none by base_role_, the models (base first when it joins).
  void fill_inputs(merge::MergeInputs<float>& in, std::size_t off, Eigen::Index size) const;

  Eigen::VectorXf base_;
  std::vector<Eigen::VectorXf> models_;
  BaseRole base_role_ = BaseRole::Origin;
};

}  // namespace mergelab::eval
