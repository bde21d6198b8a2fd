#include "core/lm/merge_family.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/lora.h"
#include "core/engine/engine.h"  // tensor_seed: the engine's per-tensor seeds
#include "core/lm/lm_error.h"

namespace mergelab::lm {

namespace fs = std::filesystem;

namespace {

bool is_float(ckpt::DType d) {
  return d == ckpt::DType::F32 || d == ckpt::DType::F16 || d == ckpt::DType::BF16 || d == ckpt::DType::F64;
}

}  // namespace

// Named rather than anonymous: LmMergeFamily::Impl (declared in the header) holds Sources.
namespace merge_family_detail {

// One input model: a memory-mapped checkpoint, or (a LoRA adapter) weights applied in memory.
struct Source {
  std::string path;
  std::optional<ckpt::Checkpoint> checkpoint;
  OwnedWeights owned;

  // The tensor's values: in place when stored as aligned F32, else converted into `buffer`.
  std::span<const float> values(const std::string& name, std::size_t n, std::vector<float>& buffer) const {
    if (!checkpoint) return {owned.values.at(name).data(), n};
    const ckpt::TensorInfo& info = checkpoint->at(name);
    if (info.dtype == ckpt::DType::F32) {
      const auto raw = checkpoint->raw(name);
      if (reinterpret_cast<std::uintptr_t>(raw.data()) % alignof(float) == 0)
        return {reinterpret_cast<const float*>(raw.data()), n};
    }
    buffer.resize(n);
    checkpoint->read_f32(name, buffer);
    return {buffer.data(), n};
  }

  std::vector<std::uint64_t> shape(const std::string& name) const {
    if (!checkpoint) {
      const auto it = owned.shapes.find(name);
      if (it == owned.shapes.end()) throw LmError(path + ": tensor '" + name + "': not in this model");
      return it->second;
    }
    return checkpoint->at(name).shape;  // throws "<checkpoint>: tensor 'x': not in this checkpoint"
  }
};

Source open_source(const fs::path& dir) {
  Source s;
  s.path = dir.string();
  std::error_code ec;
  if (!fs::exists(dir / "config.json", ec) && ckpt::is_lora_adapter(dir.string())) {
    s.owned = read_lora_applied_weights(dir, nullptr);
    return s;
  }
  s.checkpoint.emplace(ckpt::Checkpoint::open(dir.string()));
  return s;
}

}  // namespace merge_family_detail
using merge_family_detail::open_source;
using merge_family_detail::Source;

namespace {
std::string family_shape_text(const std::vector<std::uint64_t>& shape) { return ckpt::shape_string(shape); }
}  // namespace

struct LmMergeFamily::Impl {
  LmConfig config;
  Source base;
  std::vector<Source> models;
  std::vector<std::string> names;
  std::vector<std::vector<std::uint64_t>> shapes;
  std::vector<std::size_t> offsets, sizes;
  std::size_t total = 0;
  int n_layers = 0;
  std::vector<double> positions;
};

LmMergeFamily::LmMergeFamily(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LmMergeFamily::LmMergeFamily(LmMergeFamily&&) noexcept = default;
LmMergeFamily& LmMergeFamily::operator=(LmMergeFamily&&) noexcept = default;
LmMergeFamily::~LmMergeFamily() = default;

LmMergeFamily LmMergeFamily::load(const fs::path& base_dir, const std::vector<fs::path>& model_dirs, int window) {
  auto impl = std::make_unique<Impl>();
  impl->config = load_lm_config(base_dir, window);
  impl->base = open_source(base_dir);
  if (!impl->base.checkpoint)
    throw LmError(base_dir.string() + ": the base of a merge must be a full model (config.json + safetensors), not an adapter");
  for (const ckpt::TensorInfo& t : impl->base.checkpoint->tensors()) {
    if (!is_float(t.dtype)) continue;  // integer buffers are not weights
    impl->names.push_back(t.name);
    impl->shapes.push_back(t.shape);
    impl->offsets.push_back(impl->total);
    impl->sizes.push_back(t.numel);
    impl->total += t.numel;
  }
  for (const auto& dir : model_dirs) {
    Source s = open_source(dir);
    for (std::size_t i = 0; i < impl->names.size(); ++i) {
      const auto shape = s.shape(impl->names[i]);
      if (shape != impl->shapes[i])
        throw LmError(dir.string() + ": tensor '" + impl->names[i] + "': shape " + family_shape_text(shape) + " differs from the base's " +
                      family_shape_text(impl->shapes[i]));
    }
    impl->models.push_back(std::move(s));
  }
  for (const auto& n : impl->names)
    if (auto l = recipe::layer_index(n)) impl->n_layers = std::max(impl->n_layers, *l + 1);
  for (const auto& n : impl->names) impl->positions.push_back(recipe::layer_position(n, impl->n_layers));
  return LmMergeFamily(std::move(impl));
}

const LmConfig& LmMergeFamily::config() const { return impl_->config; }
std::size_t LmMergeFamily::model_count() const { return impl_->models.size(); }
const std::vector<std::string>& LmMergeFamily::tensor_names() const { return impl_->names; }
std::size_t LmMergeFamily::parameter_count() const { return impl_->total; }
int LmMergeFamily::layer_count() const { return impl_->n_layers; }
double LmMergeFamily::layer_position(std::size_t tensor) const { return impl_->positions.at(tensor); }

std::vector<float> LmMergeFamily::merge(const recipe::Recipe& recipe, const recipe::MergeLayout& layout,
                                        std::uint32_t seed) const {
  const Impl& f = *impl_;
  if (layout.models.size() != f.models.size())
    throw std::invalid_argument("the recipe merges " + std::to_string(layout.models.size()) + " models, the family holds " +
                                std::to_string(f.models.size()));
  const merge::MethodSpec& method = recipe::method_of(recipe);
  std::vector<float> out(f.total);
  std::vector<float> base_buf;
  std::vector<std::vector<float>> model_bufs(f.models.size());
  merge::MergeInputs<float> in;
  for (std::size_t t = 0; t < f.names.size(); ++t) {
    const std::string& name = f.names[t];
    // Without a base_model in the layout (nuslerp, multislerp), the family's base is only its first model.
    in.base = layout.base.empty() ? nullptr : f.base.values(name, f.sizes[t], base_buf).data();
    in.models.clear();
    for (std::size_t m = 0; m < f.models.size(); ++m) in.models.push_back(f.models[m].values(name, f.sizes[t], model_bufs[m]).data());
    in.size = static_cast<Eigen::Index>(f.sizes[t]);
    in.shape = f.shapes[t];
    const merge::Params p = recipe::resolve_params(recipe, layout, name, f.positions[t], engine::tensor_seed(seed, name));
    const Eigen::VectorXf merged = merge::run_merge(method, in, p);
    std::memcpy(out.data() + f.offsets[t], merged.data(), f.sizes[t] * sizeof(float));
  }
  return out;
}

LmModel LmMergeFamily::model(const recipe::Recipe& recipe, const recipe::MergeLayout& layout, std::uint32_t seed) const {
  const Impl& f = *impl_;
  std::vector<float> flat = merge(recipe, layout, seed);
  WeightViews views;
  for (std::size_t t = 0; t < f.names.size(); ++t)
    views.emplace(f.names[t], TensorView{std::span<const float>(flat.data() + f.offsets[t], f.sizes[t]), f.shapes[t]});
  return LmModel::from_weights(f.config, views, "<merge of " + f.base.path + ">");
}

}  // namespace mergelab::lm
