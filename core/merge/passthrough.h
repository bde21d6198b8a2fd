// Passthrough: one model's tensor, optionally scaled. mergekit's method for frankenmerges (layers stacked or
// repeated through `slices:`) and for rescaling parts of a model.
//
// model  n values; scale  a real factor (default 1: the tensor unchanged, bit for bit). Exactly one model, no
// base: with two or more inputs there is nothing to choose between, so the registry refuses it.
#pragma once

#include "core/merge/types.h"

namespace mergelab::merge {

/// model * scale, computed in T (as mergekit's `tensor * scale` on a float32 tensor).
template <class T>
Vec<T> passthrough_scale(const VecView<T>& model, double scale);

}  // namespace mergelab::merge
