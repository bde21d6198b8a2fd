#include "core/lm/forward.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/lm/lm_error.h"
#include "core/lm/sgemm.h"
#include "core/lm/vector_math.h"

namespace mergelab::lm {
namespace {

constexpr int kAttnBlock = 64;  // query rows per causal attention block

std::size_t sz(long long a, long long b) { return static_cast<std::size_t>(a) * static_cast<std::size_t>(b); }

// y[T × out] = x[T × in] · Wᵀ (+= when accumulate) + b.
void linear(const PackedLinear& l, int T, const float* x, int ldx, float* y, int ldy, bool accumulate) {
  sgemm(T, l.out, l.in, x, ldx, l.packed.data(), y, ldy, accumulate);
  if (!l.bias.empty())
    for (int t = 0; t < T; ++t) {
      float* row = y + sz(t, ldy);
      for (int j = 0; j < l.out; ++j) row[j] += l.bias[j];
    }
}

void rms_norm(const float* x, int T, int H, const std::vector<float>& w, double eps, float* out) {
  for (int t = 0; t < T; ++t) {
    const float* xr = x + sz(t, H);
    double ss = 0;
    for (int i = 0; i < H; ++i) ss += static_cast<double>(xr[i]) * xr[i];
    const float r = static_cast<float>(1.0 / std::sqrt(ss / H + eps));
    float* o = out + sz(t, H);
    for (int i = 0; i < H; ++i) o[i] = w[i] * (xr[i] * r);
  }
}

void layer_norm(const float* x, int T, int H, const std::vector<float>& w, const std::vector<float>& b, double eps,
                float* out) {
  for (int t = 0; t < T; ++t) {
    const float* xr = x + sz(t, H);
    double mean = 0;
    for (int i = 0; i < H; ++i) mean += xr[i];
    mean /= H;
    double var = 0;
    for (int i = 0; i < H; ++i) var += (xr[i] - mean) * (xr[i] - mean);
    var /= H;
    const double r = 1.0 / std::sqrt(var + eps);
    float* o = out + sz(t, H);
    for (int i = 0; i < H; ++i) o[i] = static_cast<float>((xr[i] - mean) * r) * w[i] + b[i];
  }
}

void norm(const LmConfig& c, const float* x, int T, const std::vector<float>& w, const std::vector<float>& b, float* out) {
  if (c.family == Family::Gpt2) layer_norm(x, T, c.hidden, w, b, c.norm_eps, out);
  else rms_norm(x, T, c.hidden, w, c.norm_eps, out);
}

inline float activate(Act a, float x) {
  switch (a) {
    case Act::Silu: return x / (1.0f + std::exp(-x));
    case Act::GeluErf: return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f));
    case Act::GeluTanh: return 0.5f * x * (1.0f + std::tanh(0.79788456080286536f * (x + 0.044715f * x * x * x)));
    case Act::Relu: return x > 0 ? x : 0.0f;
  }
  return x;
}

// Rotary embedding in place on `count` heads of width d starting at row pointer v (rows of stride ld); row t sits
// at position pos[t] (t when pos is empty).
void rope(float* v, int T, int ld, int count, int d, const std::vector<float>& cos, const std::vector<float>& sin,
          std::span<const std::int32_t> pos) {
  const int half = d / 2;
  for (int t = 0; t < T; ++t) {
    const int p = pos.empty() ? t : pos[t];
    const float* c = cos.data() + sz(p, half);
    const float* s = sin.data() + sz(p, half);
    for (int h = 0; h < count; ++h) {
      float* x = v + sz(t, ld) + sz(h, d);
      for (int i = 0; i < half; ++i) {
        const float a = x[i], b = x[i + half];
        x[i] = a * c[i] - b * s[i];
        x[i + half] = b * c[i] + a * s[i];
      }
    }
  }
}

// Causal multi-head attention: attn[T × q_width] from qkv[T × (q | k | v)].
void attention(const LmConfig& c, int T, Scratch& s, const PackedLayout* layout) {
  const int d = c.head_dim, Q = c.q_width(), KV = c.kv_width(), ld = Q + 2 * KV;
  const int group = c.heads / c.kv_heads;
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(d)));
  for (int g = 0; g < c.kv_heads; ++g) {
    pack_nk(s.qkv.data() + Q + g * d, T, d, ld, s.kpack.data());       // keys: scores = q · kᵀ
    pack_kn(s.qkv.data() + Q + KV + g * d, T, d, ld, s.vpack.data());  // values, K = T rows
    for (int qh = g * group; qh < (g + 1) * group; ++qh) {
      for (int m0 = 0; m0 < T; m0 += kAttnBlock) {
        const int m1 = std::min(T, m0 + kAttnBlock), rows = m1 - m0;
        sgemm(rows, m1, d, s.qkv.data() + sz(m0, ld) + sz(qh, d), ld, s.kpack.data(), s.scores.data(), T, false);
        for (int r = 0; r < rows; ++r) {
          const int i = m0 + r;
          float* row = s.scores.data() + sz(r, T);
          // Keys [0, a) and [b, i] (a packed choice: the shared context, then its own earlier tokens).
          const int seg = layout ? layout->segment_start[i] : 0;
          const int a = seg > 0 ? layout->shared : i + 1, b = seg > 0 ? seg : i + 1;
          float mx = max_of(row, a);
          if (b <= i) mx = std::max(mx, max_of(row + b, i + 1 - b));
          mx *= scale;  // scale > 0: the max of the scaled scores
          double sum = exp_in_place(row, a, scale, mx);
          if (b <= i) sum += exp_in_place(row + b, i + 1 - b, scale, mx);
          const float inv = static_cast<float>(1.0 / sum);
          for (int j = 0; j < a; ++j) row[j] *= inv;
          for (int j = a; j < b; ++j) row[j] = 0.0f;
          for (int j = b; j <= i; ++j) row[j] *= inv;
          for (int j = i + 1; j < m1; ++j) row[j] = 0.0f;
        }
        sgemm_strided(rows, d, m1, s.scores.data(), T, s.vpack.data(), sz(T, kPanel), s.attn.data() + sz(m0, Q) + sz(qh, d),
                      Q, false);
      }
    }
  }
}

}  // namespace

Scratch::Scratch(const LmModel& model, int capacity) : capacity_(std::max(capacity, 1)) {
  const LmConfig& c = model.config();
  const int T = capacity_;
  x.resize(sz(T, c.hidden));
  h.resize(sz(T, c.hidden));
  qkv.resize(sz(T, c.q_width() + 2 * c.kv_width()));
  attn.resize(sz(T, c.q_width()));
  scores.resize(sz(kAttnBlock, T));
  kpack.resize(packed_size(c.head_dim, T));
  vpack.resize(packed_size(T, c.head_dim));
  mlp.resize(sz(T, c.family == Family::Gpt2 ? c.intermediate : 2 * c.intermediate));
  logits.resize(sz(kLogitRows, c.vocab));
  gathered.resize(sz(kLogitRows, c.hidden));
  row_sum.resize(T);
}

const float* forward_hidden(const LmModel& model, std::span<const std::int32_t> ids, Scratch& s,
                            const PackedLayout* layout) {
  const LmConfig& c = model.config();
  const int T = static_cast<int>(ids.size());
  if (T > s.capacity())
    throw LmError("sequence of " + std::to_string(T) + " tokens is longer than the " + std::to_string(s.capacity()) +
                  " the model runs with");
  const int H = c.hidden, Q = c.q_width(), KV = c.kv_width(), I = c.intermediate;
  for (int t = 0; t < T; ++t) {
    const std::int32_t id = ids[t];
    if (id < 0 || id >= c.vocab)
      throw LmError("token id " + std::to_string(id) + " is outside the model's " + std::to_string(c.vocab) +
                    " embedding rows");
    std::copy_n(model.embedding().data() + sz(id, H), H, s.x.data() + sz(t, H));
    const int pos = layout ? layout->positions[t] : t;
    if (pos < 0 || pos >= model.max_tokens())
      throw LmError("position " + std::to_string(pos) + " is past the model's " + std::to_string(model.max_tokens()));
    if (c.family == Family::Gpt2) {
      const float* p = model.positions().data() + sz(pos, H);
      float* xr = s.x.data() + sz(t, H);
      for (int i = 0; i < H; ++i) xr[i] += p[i];
    }
  }
  for (const LayerWeights& L : model.layers()) {
    norm(c, s.x.data(), T, L.attn_norm, L.attn_norm_bias, s.h.data());
    linear(L.qkv, T, s.h.data(), H, s.qkv.data(), Q + 2 * KV, false);
    if (c.family == Family::Llama) {
      const std::span<const std::int32_t> pos = layout ? layout->positions : std::span<const std::int32_t>{};
      rope(s.qkv.data(), T, Q + 2 * KV, c.heads, c.head_dim, model.rope_cos(), model.rope_sin(), pos);
      rope(s.qkv.data() + Q, T, Q + 2 * KV, c.kv_heads, c.head_dim, model.rope_cos(), model.rope_sin(), pos);
    }
    attention(c, T, s, layout);
    linear(L.o, T, s.attn.data(), Q, s.x.data(), H, true);  // residual: x += o_proj(attn)
    norm(c, s.x.data(), T, L.mlp_norm, L.mlp_norm_bias, s.h.data());
    if (c.family == Family::Llama) {
      linear(L.gate_up, T, s.h.data(), H, s.mlp.data(), 2 * I, false);
      for (int t = 0; t < T; ++t) {
        float* row = s.mlp.data() + sz(t, 2 * I);
        for (int i = 0; i < I; ++i) row[i] = activate(c.act, row[i]) * row[I + i];
      }
      linear(L.down, T, s.mlp.data(), 2 * I, s.x.data(), H, true);
    } else {
      linear(L.gate_up, T, s.h.data(), H, s.mlp.data(), I, false);
      for (std::size_t i = 0; i < sz(T, I); ++i) s.mlp[i] = activate(c.act, s.mlp[i]);
      linear(L.down, T, s.mlp.data(), I, s.x.data(), H, true);
    }
  }
  norm(c, s.x.data(), T, model.final_norm(), model.final_norm_bias(), s.h.data());
  return s.h.data();
}

void logits_of(const LmModel& model, const float* hidden_rows, int n, float* out) {
  const LmConfig& c = model.config();
  sgemm(n, c.vocab, c.hidden, hidden_rows, c.hidden, model.lm_head().packed.data(), out, c.vocab, false);
}

double rows_nll(const LmModel& model, const float* hidden, std::span<const std::int32_t> rows,
                std::span<const std::int32_t> targets, Scratch& s, double* per_token) {
  const LmConfig& c = model.config();
  const int V = c.vocab, H = c.hidden, n = static_cast<int>(rows.size());
  double total = 0;
  for (int k0 = 0; k0 < n; k0 += kLogitRows) {
    const int count = std::min(kLogitRows, n - k0);
    // Consecutive rows are used in place; others are gathered first.
    bool contiguous = true;
    for (int r = 1; r < count; ++r) contiguous &= rows[k0 + r] == rows[k0] + r;
    const float* src = hidden + sz(rows[k0], H);
    if (!contiguous) {
      for (int r = 0; r < count; ++r) std::copy_n(hidden + sz(rows[k0 + r], H), H, s.gathered.data() + sz(r, H));
      src = s.gathered.data();
    }
    logits_of(model, src, count, s.logits.data());
    for (int r = 0; r < count; ++r) {
      const float* l = s.logits.data() + sz(r, V);
      const float mx = max_of(l, V);
      const double sum = exp_sum(l, V, mx);
      const double nll = mx + std::log(sum) - l[targets[k0 + r]];
      if (per_token) per_token[k0 + r] = nll;
      total += nll;
    }
  }
  return total;
}

double sequence_nll(const LmModel& model, std::span<const std::int32_t> ids, int first, Scratch& s, double* per_token) {
  const int T = static_cast<int>(ids.size());
  const int start = std::max(first, 1);
  if (start >= T) {
    if (T > 0) forward_hidden(model, ids, s);  // still validates the ids
    return 0.0;
  }
  const float* hidden = forward_hidden(model, ids, s);
  const LmConfig& c = model.config();
  const int V = c.vocab;
  double total = 0;
  for (int t0 = start; t0 < T; t0 += kLogitRows) {
    const int rows = std::min(kLogitRows, T - t0);
    logits_of(model, hidden + sz(t0 - 1, c.hidden), rows, s.logits.data());
    for (int r = 0; r < rows; ++r) {
      const float* l = s.logits.data() + sz(r, V);
      const float mx = max_of(l, V);
      const double sum = exp_sum(l, V, mx);
      const double nll = mx + std::log(sum) - l[ids[t0 + r]];
      if (per_token) per_token[t0 + r - start] = nll;
      total += nll;
    }
  }
  return total;
}

}  // namespace mergelab::lm
