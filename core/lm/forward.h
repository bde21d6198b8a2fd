// The transformer forward pass on one token sequence, exactly as transformers computes it, in f32.
//
//   Scratch s(model, 256);                        // once per thread: every buffer for up to 256 tokens
//   const float* h = forward_hidden(model, ids, s);   // [T × hidden]: final-norm output per position
//   double nll = sequence_nll(model, ids, 1, s);  // Σ_{t ≥ 1} -log softmax(logits[t-1])[ids[t]], natural log
//
// llama/mistral/qwen2: x = embed[ids]; per layer h = RMSNorm(x)·w (mean of squares in double, then f32),
// q|k|v = h·W_qkvᵀ (+b), rotary embedding on q and k (rotate-half pairs (i, i + d/2)), causal softmax(q·kᵀ/√d)·v
// per head (kv head ⌊h / (heads/kv_heads)⌋), x += o_proj; h = RMSNorm(x)·w; x += down(act(gate(h)) · up(h));
// finally RMSNorm(x)·w. gpt2: x = wte[ids] + wpe[pos]; LayerNorm (ε inside the square root), c_attn, causal
// attention, c_proj, LayerNorm, c_fc, gelu_new, c_proj; ln_f. Logits = final · lm_headᵀ (all vocab rows).
// Attention is computed block-causally (64-row blocks only see keys up to the block's end), so a position's
// result never depends on later tokens. No heap allocation after the Scratch is built.
//
// Packed choices (PackedLayout): the choices of a multiple-choice item share one pass. The sequence is the
// context followed by every choice; a choice's tokens take positions context, context + 1, ... and attend to
// the context and to their own choice's earlier tokens only, so each choice sees exactly what it would see alone
// (same positions, same keys; sums over the other choices' keys add exact zeros).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/lm/model.h"

namespace mergelab::lm {

/// Every buffer the forward pass needs for sequences of up to `capacity` tokens (packed sequences may be longer
/// than the model's positions; plain ones may not). One per thread.
class Scratch {
 public:
  Scratch(const LmModel& model, int capacity);
  int capacity() const { return capacity_; }

  std::vector<float> x, h, qkv, attn, scores, kpack, vpack, mlp, logits, gathered;
  std::vector<double> row_sum;  // per-row norm statistics

 private:
  int capacity_ = 0;
};

/// Rows of logits computed at once by sequence_nll / logits (the logits buffer holds kLogitRows × vocab).
inline constexpr int kLogitRows = 32;

/// Positions and attention segments of a packed sequence: row i sits at position positions[i] and attends to keys
/// j <= i with j < shared or j >= segment_start[i] (segment_start[i] = 0: every earlier key).
struct PackedLayout {
  std::span<const std::int32_t> positions;
  std::span<const std::int32_t> segment_start;
  int shared = 0;
};

/// Runs the model on ids (positions 0..T-1, or those of `layout`; T = ids.size() <= scratch capacity, positions
/// < model.max_tokens()) and returns the final-norm hidden states [T × hidden] (row-major, inside `s`, valid until
/// the next call). Throws LmError when an id is outside [0, vocab) or T is too long.
const float* forward_hidden(const LmModel& model, std::span<const std::int32_t> ids, Scratch& s,
                            const PackedLayout* layout = nullptr);

/// Σ_k -log softmax(logits of hidden row rows[k])[targets[k]] (natural log; log-sum-exp in double), per_token[k]
/// when non-null. `hidden` as returned by forward_hidden.
double rows_nll(const LmModel& model, const float* hidden, std::span<const std::int32_t> rows,
                std::span<const std::int32_t> targets, Scratch& s, double* per_token = nullptr);

/// logits [n × vocab] of n hidden rows (row stride hidden) into out (row stride vocab).
void logits_of(const LmModel& model, const float* hidden_rows, int n, float* out);

/// Σ over t in [max(first, 1), T) of -log softmax(logits at t-1)[ids[t]] (natural log; log-sum-exp in double).
/// When per_token is non-null it receives the T-first' values (first' = max(first, 1)).
double sequence_nll(const LmModel& model, std::span<const std::int32_t> ids, int first, Scratch& s,
                    double* per_token = nullptr);

}  // namespace mergelab::lm
