#include "core/eval/merge_eval.h"

#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/writer.h"
#include "core/engine/engine.h"  // tensor_seed: the engine's per-tensor seeds
#include "core/io/atomic_file.h"

namespace mergelab::eval {

namespace {

std::size_t numel(const std::vector<std::uint64_t>& shape) {
  std::size_t n = 1;
  for (auto d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

Eigen::VectorXf read_flat(const ckpt::Checkpoint& ck, const std::vector<TensorSlot>& layout) {
  std::size_t total = 0;
  for (const auto& s : layout) total += numel(s.shape);
  Eigen::VectorXf flat(static_cast<Eigen::Index>(total));
  std::size_t offset = 0;
  for (const auto& s : layout) {
    const auto& info = ck.at(s.name);  // throws "<file>: tensor 'x': not in this checkpoint"
    if (info.shape != s.shape)
      throw DataError(ck.path() + ": tensor '" + s.name + "': shape " + ckpt::shape_string(info.shape) +
                      " differs from the base's " + ckpt::shape_string(s.shape));
    const std::size_t n = numel(s.shape);
    ck.read_f32(s.name, std::span<float>(flat.data() + offset, n));
    offset += n;
  }
  return flat;
}

}  // namespace

MergeFamily MergeFamily::load(const std::filesystem::path& base_dir, const std::vector<std::filesystem::path>& model_dirs) {
  MlpConfig config = load_mlp_config(base_dir);
  const auto base = ckpt::Checkpoint::open(base_dir.string());
  std::vector<TensorSlot> layout;
  for (const auto& t : base.tensors()) layout.push_back({t.name, t.shape});
  Eigen::VectorXf base_flat = read_flat(base, layout);
  std::vector<Eigen::VectorXf> models;
  for (const auto& dir : model_dirs) models.push_back(read_flat(ckpt::Checkpoint::open(dir.string()), layout));
  MergeFamily family(std::move(config), std::move(layout), std::move(base_flat), std::move(models));
  std::ifstream in(base_dir / "config.json");
  std::ostringstream text;
  text << in.rdbuf();
  family.config_text_ = text.str();
  return family;
}

MergeFamily::MergeFamily(MlpConfig config, std::vector<TensorSlot> layout, Eigen::VectorXf base,
                         std::vector<Eigen::VectorXf> models)
    : config_(std::move(config)), layout_(std::move(layout)), base_(std::move(base)), models_(std::move(models)) {
  std::size_t offset = 0;
  for (const auto& s : layout_) {
    offsets_.push_back(offset);
    offset += numel(s.shape);
  }
  if (static_cast<std::size_t>(base_.size()) != offset)
    throw std::invalid_argument("MergeFamily: the base has " + std::to_string(base_.size()) + " values, the layout " +
                                std::to_string(offset));
  for (const auto& m : models_)
    if (m.size() != base_.size()) throw std::invalid_argument("MergeFamily: models differ in size from the base");
  // Layer positions as engine::plan_merge computes them.
  for (const auto& s : layout_)
    if (auto l = recipe::layer_index(s.name)) n_layers_ = std::max(n_layers_, *l + 1);
  for (const auto& s : layout_) positions_.push_back(recipe::layer_position(s.name, n_layers_));
  classifier(base_);  // validates the layout against the config once, with a clear error
}

void MergeFamily::fill_inputs(merge::MergeInputs<float>& in, std::size_t off, Eigen::Index size) const {
  in.base = base_role_ == BaseRole::Origin ? base_.data() + off : nullptr;
  in.models.clear();
  if (base_role_ == BaseRole::JoinsModels) in.models.push_back(base_.data() + off);
  for (const auto& m : models_) in.models.push_back(m.data() + off);
  in.size = size;
}

template <class ParamsOf>
Eigen::VectorXf MergeFamily::merge_per_tensor(const merge::MethodSpec& method, const ParamsOf& params_of) const {
  merge::MergeInputs<float> in;
  Eigen::VectorXf out(base_.size());
  for (std::size_t t = 0; t < layout_.size(); ++t) {
    const std::size_t off = offsets_[t];
    fill_inputs(in, off, static_cast<Eigen::Index>(numel(layout_[t].shape)));
    in.shape = layout_[t].shape;
    out.segment(static_cast<Eigen::Index>(off), in.size) = merge::run_merge(method, in, params_of(t));
  }
  return out;
}

Eigen::VectorXf MergeFamily::merge(const merge::MethodSpec& method, const merge::Params& params, MergeScope scope) const {
  merge::MergeInputs<float> in;
  if (scope == MergeScope::WholeVector) {
    fill_inputs(in, 0, base_.size());
    return merge::run_merge(method, in, params);
  }
  return merge_per_tensor(method, [&](std::size_t) -> const merge::Params& { return params; });
}

TensorParams MergeFamily::resolve_tensor_params(const recipe::Recipe& recipe, const recipe::MergeLayout& layout,
                                               std::uint32_t seed) const {
  if (layout.models.size() != merged_model_count())
    throw std::invalid_argument("MergeFamily: the recipe merges " + std::to_string(layout.models.size()) +
                                " models, the family merges " + std::to_string(merged_model_count()));
  TensorParams out;
  out.reserve(layout_.size());
  for (std::size_t t = 0; t < layout_.size(); ++t)
    out.push_back(recipe::resolve_params(recipe, layout, layout_[t].name, positions_[t],
                                         engine::tensor_seed(seed, layout_[t].name)));
  return out;
}

Eigen::VectorXf MergeFamily::merge(const merge::MethodSpec& method, const TensorParams& per_tensor) const {
  if (per_tensor.size() != layout_.size())
    throw std::invalid_argument("MergeFamily: " + std::to_string(per_tensor.size()) + " parameter sets for " +
                                std::to_string(layout_.size()) + " tensors");
  return merge_per_tensor(method, [&](std::size_t t) -> const merge::Params& { return per_tensor[t]; });
}

Eigen::VectorXf MergeFamily::merge(const recipe::Recipe& recipe, const recipe::MergeLayout& layout,
                                   std::uint32_t seed) const {
  return merge(recipe::method_of(recipe), resolve_tensor_params(recipe, layout, seed));
}

EvalReport MergeFamily::evaluate(const recipe::Recipe& recipe, const recipe::MergeLayout& layout, const TaskSet& tasks,
                                 std::uint32_t seed) const {
  return eval::evaluate(classifier(merge(recipe, layout, seed)), tasks);
}

MlpClassifier MergeFamily::classifier(const Eigen::VectorXf& flat) const {
  return MlpClassifier::from_weights(
      config_, split_flat(std::span<const float>(flat.data(), static_cast<std::size_t>(flat.size())), layout_));
}

EvalReport MergeFamily::evaluate(const merge::MethodSpec& method, const merge::Params& params, const TaskSet& tasks,
                                 MergeScope scope) const {
  return eval::evaluate(classifier(merge(method, params, scope)), tasks);
}

void MergeFamily::write_checkpoint(const Eigen::VectorXf& flat, const std::filesystem::path& dir) const {
  if (flat.size() != base_.size())
    throw std::invalid_argument("write_checkpoint: " + std::to_string(flat.size()) + " values for a model of " +
                                std::to_string(base_.size()));
  std::string config = config_text_;
  if (config.empty()) {
    nlohmann::ordered_json j;
    j["model_type"] = "mergelab_mlp";
    j["layers"] = config_.layers;
    j["hidden_act"] = activation_name(config_.hidden_act);
    if (!config_.layer_sizes.empty()) j["layer_sizes"] = config_.layer_sizes;
    if (config_.num_labels > 0) j["num_labels"] = config_.num_labels;
    config = j.dump(2) + "\n";
  }
  io::write_file_atomic(dir / "config.json", config);
  std::vector<ckpt::TensorSpec> specs;
  for (const auto& s : layout_) specs.push_back({s.name, ckpt::DType::F32, s.shape});
  ckpt::CheckpointWriter writer(dir.string(), specs, {{"format", "pt"}}, {.max_shard_bytes = 0, .overwrite = true, .sync = false});
  for (std::size_t t = 0; t < layout_.size(); ++t)
    writer.write(layout_[t].name, std::span<const float>(flat.data() + offsets_[t], numel(layout_[t].shape)));
  writer.finish();
}

ExternalEvalResult MergeFamily::evaluate_external(const merge::MethodSpec& method, const merge::Params& params,
                                                  const ExternalEvalOptions& options, MergeScope scope,
                                                  const std::filesystem::path& work_dir) const {
  const Eigen::VectorXf merged = merge(method, params, scope);
  const std::filesystem::path root = work_dir.empty() ? std::filesystem::temp_directory_path() : work_dir;
  std::string pattern = (root / "mergelab-merge-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error(root.string() + ": cannot create a temporary folder");
  const std::filesystem::path dir = pattern;
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{dir};
  write_checkpoint(merged, dir);
  return run_external_evaluator(options, dir);
}

}  // namespace mergelab::eval
