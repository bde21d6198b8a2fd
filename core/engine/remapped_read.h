// Reading a vocabulary tensor whose inputs' rows are re-ordered into the output vocabulary (TensorPlan::vocab,
// core/engine/vocab.h) before the method merges them.
#pragma once

#include <cstddef>
#include <vector>

#include "core/engine/engine.h"
#include "core/engine/sources.h"
#include "core/merge/registry.h"

namespace mergelab::engine {

/// A vocabulary tensor's method inputs read whole and re-ordered into the output vocabulary (core/engine/vocab.h).
/// `out` receives one re-ordered copy per method input (t.shape: output rows x cols), `in` points at them: the
/// base first when the method has one, then the models. Each input's pages are released after it is read.
void read_remapped(const Sources& src, const TensorPlan& t, bool has_base, size_t n_models,
                   std::vector<std::vector<float>>& out, merge::MergeInputs<float>& in);

}  // namespace mergelab::engine
