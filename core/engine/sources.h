// The opened inputs of a merge plan: the base checkpoint and the models (checkpoints, or LoRA adapters applied
// to the base), and how a worker reads one tensor of one of them.
//
//   const Sources& src = *plan.sources;
//   src.read(m, name, dst);                   // input m's tensor as f32 (m = -1: the base), adapters applied
//   if (const float* p = src.direct(m, name)) // aligned little-endian F32: straight from the map, no copy
//   src.release(m, name);                     // drop the pages read again
//
// Inputs are indexed as the plan's layout: -1 is the base, 0 .. models.size() - 1 the models. Reads are const and
// may run on several workers at once (run_merge does).
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/lora.h"

namespace mergelab::engine {

/// One opened model: a checkpoint, or a LoRA adapter whose Delta W is added to the base's tensors.
struct Input {
  std::string path;
  std::optional<ckpt::Checkpoint> checkpoint;
  std::optional<ckpt::LoraAdapter> adapter;  ///< the model is base + Delta W
  std::set<std::string> adapted;
};

struct Sources {
  std::optional<ckpt::Checkpoint> base;
  std::vector<Input> models;
  const ckpt::Checkpoint* reference = nullptr;  ///< the tensor list: the base, or the first model

  /// Reads tensor `name` of input `m` (-1 = the base) as f32 into dst.
  void read(int m, const std::string& name, std::span<float> dst) const {
    if (m < 0) return base->read_f32(name, dst);
    const Input& in = models[static_cast<size_t>(m)];
    if (in.checkpoint) return in.checkpoint->read_f32(name, dst);
    base->read_f32(name, dst);
    if (in.adapted.count(name)) {
      const Eigen::VectorXf d = in.adapter->delta_flat(name);
      for (size_t i = 0; i < dst.size(); ++i) dst[i] += d[static_cast<Eigen::Index>(i)];
    }
  }
  /// Input m's tensor (-1 = the base) straight from its file's map when it is stored as aligned
  /// little-endian F32 (no copy, no conversion); nullptr otherwise (F16/BF16/F64, LoRA, unaligned).
  const float* direct(int m, const std::string& name) const {
    if constexpr (std::endian::native != std::endian::little) return nullptr;
    const ckpt::Checkpoint* ck = m < 0 ? &*base : (models[static_cast<size_t>(m)].checkpoint ? &*models[static_cast<size_t>(m)].checkpoint : nullptr);
    if (!ck) return nullptr;
    const ckpt::TensorInfo* info = ck->find(name);
    if (!info || info->dtype != ckpt::DType::F32) return nullptr;
    const auto bytes = ck->raw(name);
    if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(float) != 0) return nullptr;
    return reinterpret_cast<const float*>(bytes.data());
  }
  void release(int m, const std::string& name) const {
    if (m < 0) base->release(name);
    else if (models[static_cast<size_t>(m)].checkpoint) models[static_cast<size_t>(m)].checkpoint->release(name);
  }
  const ckpt::Checkpoint& checkpoint(int m) const { return m < 0 ? *base : *models[static_cast<size_t>(m)].checkpoint; }
  /// Throws naming the input file that shrank under its map (what was read from it is not data).
  void check_intact() const {
    if (base) base->check_intact();
    for (const auto& in : models)
      if (in.checkpoint) in.checkpoint->check_intact();
  }
  void release(const std::string& name) const {
    if (base) base->release(name);
    for (const auto& in : models)
      if (in.checkpoint) in.checkpoint->release(name);
  }
};

}  // namespace mergelab::engine
