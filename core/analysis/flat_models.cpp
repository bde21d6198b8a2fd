#include "core/analysis/flat_models.h"

#include <stdexcept>

#include "core/checkpoint/checkpoint.h"
#include "core/engine/engine.h"  // tensor_seed: the engine's per-tensor seeds

namespace mergelab::analysis {

std::size_t numel(const std::vector<std::uint64_t>& shape) {
  std::size_t n = 1;
  for (auto d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

std::vector<std::size_t> offsets_of(const Layout& layout) {
  std::vector<std::size_t> out;
  out.reserve(layout.size() + 1);
  std::size_t offset = 0;
  for (const auto& t : layout) {
    out.push_back(offset);
    offset += numel(t.shape);
  }
  out.push_back(offset);
  return out;
}

FlatModels load_flat_models(const std::vector<std::filesystem::path>& paths) {
  FlatModels out;
  out.paths = paths;
  if (paths.empty()) return out;
  std::size_t total = 0;
  for (std::size_t k = 0; k < paths.size(); ++k) {
    const auto ck = ckpt::Checkpoint::open(paths[k].string());
    if (k == 0) {
      for (const auto& t : ck.tensors())
        if (ckpt::dtype_is_float(t.dtype)) out.layout.push_back({t.name, t.shape});
      if (out.layout.empty()) throw std::runtime_error(paths[k].string() + ": no float tensors");
      total = offsets_of(out.layout).back();
    }
    Eigen::VectorXf flat(static_cast<Eigen::Index>(total));
    std::size_t offset = 0;
    for (const auto& s : out.layout) {
      const auto& info = ck.at(s.name);  // throws "<file>: tensor 'x': not in this checkpoint"
      if (info.shape != s.shape)
        throw std::runtime_error(ck.path() + ": tensor '" + s.name + "': shape " + ckpt::shape_string(info.shape) +
                                 " differs from " + paths[0].string() + "'s " + ckpt::shape_string(s.shape));
      if (!ckpt::dtype_is_float(info.dtype))
        throw std::runtime_error(ck.path() + ": tensor '" + s.name + "': not a float tensor");
      const std::size_t n = numel(s.shape);
      ck.read_f32(s.name, std::span<float>(flat.data() + offset, n));
      ck.release(s.name);
      offset += n;
    }
    out.vectors.push_back(std::move(flat));
  }
  return out;
}

Eigen::VectorXf merge_flat(const merge::MethodSpec& method, const merge::Params& params, const Layout& layout,
                           const Eigen::VectorXf* base, const std::vector<const Eigen::VectorXf*>& models) {
  const auto offsets = offsets_of(layout);
  const auto n = static_cast<Eigen::Index>(offsets.back());
  if (base && base->size() != n) throw std::invalid_argument("merge_flat: the base's size differs from the layout");
  for (const auto* m : models)
    if (m->size() != n) throw std::invalid_argument("merge_flat: a model's size differs from the layout");
  Eigen::VectorXf out(n);
  merge::MergeInputs<float> in;
  merge::Params p = params;
  for (std::size_t t = 0; t < layout.size(); ++t) {
    const std::size_t off = offsets[t];
    in.base = base ? base->data() + off : nullptr;
    in.models.clear();
    for (const auto* m : models) in.models.push_back(m->data() + off);
    in.size = static_cast<Eigen::Index>(offsets[t + 1] - off);
    in.shape = layout[t].shape;
    p.seed = engine::tensor_seed(params.seed, layout[t].name);
    out.segment(static_cast<Eigen::Index>(off), in.size) = merge::run_merge(method, in, p);
  }
  return out;
}

}  // namespace mergelab::analysis
