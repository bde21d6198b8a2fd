#include "core/lm/model.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <span>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/lora.h"
#include "core/lm/lm_error.h"
#include "core/lm/sgemm.h"

namespace mergelab::lm {
namespace {

namespace fs = std::filesystem;
using Shape = std::vector<std::uint64_t>;

std::string shape_text(const Shape& s) {
  std::string t = "[";
  for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

// Looks tensors up in the views, checking shape and values; counts the parameters used.
struct Fetch {
  const WeightViews& weights;
  const std::string& source;
  std::size_t used = 0;

  [[noreturn]] void fail(const std::string& name, const std::string& problem) const {
    throw LmError(source + ": tensor '" + name + "': " + problem);
  }
  bool has(const std::string& name) const { return weights.count(name) != 0; }
  std::span<const float> get(const std::string& name, const Shape& shape) {
    const auto it = weights.find(name);
    if (it == weights.end()) fail(name, "missing (expected shape " + shape_text(shape) + ")");
    const TensorView& v = it->second;
    std::uint64_t numel = 1;
    for (auto d : shape) numel *= d;
    if (!v.shape.empty() && v.shape != shape) fail(name, "shape " + shape_text(v.shape) + ", expected " + shape_text(shape));
    if (v.values.size() != numel)
      fail(name, std::to_string(v.values.size()) + " values, expected " + std::to_string(numel) + " " + shape_text(shape));
    for (std::size_t i = 0; i < v.values.size(); ++i)
      if (!std::isfinite(v.values[i]))
        fail(name, std::string("holds ") + (std::isnan(v.values[i]) ? "NaN" : "an infinite value") + " at element " +
                       std::to_string(i) + " (NaN or infinite weights cannot be evaluated)");
    used += v.values.size();
    return v.values;
  }
  std::vector<float> vec(const std::string& name, std::uint64_t n) {
    const auto s = get(name, {n});
    return {s.begin(), s.end()};
  }
  std::vector<float> optional_vec(const std::string& name, std::uint64_t n) {
    return has(name) ? vec(name, n) : std::vector<float>{};
  }
};

// Linear layers stored [out, in] (nn.Linear), concatenated along out, packed.
PackedLinear pack_linear(const std::vector<std::span<const float>>& parts, const std::vector<int>& outs, int in,
                         const std::vector<std::vector<float>>& biases) {
  PackedLinear l;
  l.in = in;
  for (int o : outs) l.out += o;
  std::vector<float> rows;
  rows.reserve(static_cast<std::size_t>(l.out) * in);
  for (const auto& p : parts) rows.insert(rows.end(), p.begin(), p.end());
  l.packed.resize(packed_size(in, l.out));
  pack_nk(rows.data(), l.out, in, in, l.packed.data());
  bool any_bias = false;
  for (const auto& b : biases) any_bias |= !b.empty();
  if (any_bias) {
    for (std::size_t i = 0; i < biases.size(); ++i) {
      if (biases[i].empty()) l.bias.insert(l.bias.end(), outs[i], 0.0f);
      else l.bias.insert(l.bias.end(), biases[i].begin(), biases[i].end());
    }
  }
  return l;
}

// A GPT-2 Conv1D weight stored [in, out].
PackedLinear pack_conv1d(std::span<const float> w, int in, int out, std::vector<float> bias) {
  PackedLinear l;
  l.in = in;
  l.out = out;
  l.packed.resize(packed_size(in, out));
  pack_kn(w.data(), in, out, out, l.packed.data());
  l.bias = std::move(bias);
  return l;
}

std::string layer_name(int i) { return "model.layers." + std::to_string(i) + "."; }

}  // namespace

WeightViews OwnedWeights::views() const {
  WeightViews v;
  for (const auto& [name, values] : values) v[name] = TensorView{values, shapes.at(name)};
  return v;
}

OwnedWeights read_checkpoint_weights(const fs::path& path) {
  const ckpt::Checkpoint ck = ckpt::Checkpoint::open(path.string());
  OwnedWeights w;
  for (const ckpt::TensorInfo& t : ck.tensors()) {
    if (t.dtype != ckpt::DType::F32 && t.dtype != ckpt::DType::F16 && t.dtype != ckpt::DType::BF16 &&
        t.dtype != ckpt::DType::F64)
      continue;  // integer buffers (position ids, masks) are not weights
    std::vector<float> values(t.numel);
    ck.read_f32(t.name, values);
    w.values.emplace(t.name, std::move(values));
    w.shapes.emplace(t.name, t.shape);
    ck.release(t.name);
  }
  return w;
}

OwnedWeights read_lora_applied_weights(const fs::path& adapter_dir, fs::path* base_dir) {
  const ckpt::LoraAdapter adapter = ckpt::LoraAdapter::open(adapter_dir.string());
  const fs::path base_ref = adapter.config().base_model_name_or_path;
  if (base_ref.empty()) throw LmError((adapter_dir / "adapter_config.json").string() + ": field base_model_name_or_path: missing");
  const fs::path base = base_ref.is_absolute() ? base_ref : adapter_dir / base_ref;
  std::error_code ec;
  if (!fs::is_directory(base, ec))
    throw LmError((adapter_dir / "adapter_config.json").string() + ": field base_model_name_or_path: base folder " +
                  base.string() + " not found");
  OwnedWeights w = read_checkpoint_weights(base);
  for (const std::string& name : adapter.base_tensors()) {
    const auto it = w.values.find(name);
    if (it == w.values.end())
      throw LmError(adapter_dir.string() + ": adapter changes tensor '" + name + "', which the base " + base.string() +
                    " does not hold");
    const Eigen::VectorXf delta = adapter.delta_flat(name);
    if (static_cast<std::size_t>(delta.size()) != it->second.size())
      throw LmError(adapter_dir.string() + ": tensor '" + name + "': adapter shape " + shape_text(adapter.base_shape(name)) +
                    " differs from the base's " + shape_text(w.shapes.at(name)));
    for (std::size_t i = 0; i < it->second.size(); ++i) it->second[i] += delta[static_cast<Eigen::Index>(i)];
  }
  if (base_dir) *base_dir = base;
  return w;
}

std::vector<double> rope_inverse_frequencies(const LmConfig& c) {
  const int half = c.head_dim / 2;
  std::vector<double> inv(half);
  for (int i = 0; i < half; ++i) inv[i] = 1.0 / std::pow(c.rope_theta, (2.0 * i) / c.head_dim);
  if (c.rope_type == "linear") {
    for (double& f : inv) f /= c.rope_factor;
  } else if (c.rope_type == "llama3") {
    // transformers' _compute_llama3_parameters: long wavelengths slowed by `factor`, short ones kept, a smooth
    // blend between the two thresholds.
    const double old_len = c.rope_original_max_positions;
    const double low_wavelen = old_len / c.rope_low_freq_factor, high_wavelen = old_len / c.rope_high_freq_factor;
    for (double& f : inv) {
      const double wavelen = 2 * std::numbers::pi / f;
      if (wavelen > low_wavelen) {
        f /= c.rope_factor;
      } else if (wavelen >= high_wavelen) {
        const double smooth = (old_len / wavelen - c.rope_low_freq_factor) / (c.rope_high_freq_factor - c.rope_low_freq_factor);
        f = (1 - smooth) * f / c.rope_factor + smooth * f;
      }
    }
  }
  return inv;
}

LmModel LmModel::from_weights(const LmConfig& c, const WeightViews& weights, const std::string& source) {
  LmModel m;
  m.config_ = c;
  Fetch f{weights, source};
  const auto H = static_cast<std::uint64_t>(c.hidden), I = static_cast<std::uint64_t>(c.intermediate),
             V = static_cast<std::uint64_t>(c.vocab), Q = static_cast<std::uint64_t>(c.q_width()),
             KV = static_cast<std::uint64_t>(c.kv_width());
  m.max_tokens_ = std::min(c.max_positions, 8192);
  if (c.family == Family::Llama) {
    const auto emb = f.get("model.embed_tokens.weight", {V, H});
    m.embed_.assign(emb.begin(), emb.end());
    for (int i = 0; i < c.layers; ++i) {
      const std::string p = layer_name(i);
      LayerWeights L;
      L.attn_norm = f.vec(p + "input_layernorm.weight", H);
      L.mlp_norm = f.vec(p + "post_attention_layernorm.weight", H);
      std::vector<std::vector<float>> qkv_b(3);
      if (c.qkv_bias) {
        qkv_b[0] = f.vec(p + "self_attn.q_proj.bias", Q);
        qkv_b[1] = f.vec(p + "self_attn.k_proj.bias", KV);
        qkv_b[2] = f.vec(p + "self_attn.v_proj.bias", KV);
      }
      L.qkv = pack_linear({f.get(p + "self_attn.q_proj.weight", {Q, H}), f.get(p + "self_attn.k_proj.weight", {KV, H}),
                           f.get(p + "self_attn.v_proj.weight", {KV, H})},
                          {c.q_width(), c.kv_width(), c.kv_width()}, c.hidden, qkv_b);
      L.o = pack_linear({f.get(p + "self_attn.o_proj.weight", {H, Q})}, {c.hidden}, c.q_width(),
                        {c.o_bias ? f.vec(p + "self_attn.o_proj.bias", H) : std::vector<float>{}});
      std::vector<std::vector<float>> gu_b(2);
      if (c.mlp_bias) {
        gu_b[0] = f.vec(p + "mlp.gate_proj.bias", I);
        gu_b[1] = f.vec(p + "mlp.up_proj.bias", I);
      }
      L.gate_up = pack_linear({f.get(p + "mlp.gate_proj.weight", {I, H}), f.get(p + "mlp.up_proj.weight", {I, H})},
                              {c.intermediate, c.intermediate}, c.hidden, gu_b);
      L.down = pack_linear({f.get(p + "mlp.down_proj.weight", {H, I})}, {c.hidden}, c.intermediate,
                           {c.mlp_bias ? f.vec(p + "mlp.down_proj.bias", H) : std::vector<float>{}});
      m.layers_.push_back(std::move(L));
    }
    m.final_norm_ = f.vec("model.norm.weight", H);
    if (c.tied) {
      m.lm_head_ = pack_linear({std::span<const float>(m.embed_)}, {c.vocab}, c.hidden, {{}});
    } else {
      if (!f.has("lm_head.weight"))
        f.fail("lm_head.weight", "missing (tie_word_embeddings is false, so the output layer must be stored)");
      m.lm_head_ = pack_linear({f.get("lm_head.weight", {V, H})}, {c.vocab}, c.hidden, {{}});
    }
    // Rotary tables in double, rounded once.
    const std::vector<double> inv = rope_inverse_frequencies(c);
    const int half = c.head_dim / 2;
    m.rope_cos_.resize(static_cast<std::size_t>(m.max_tokens_) * half);
    m.rope_sin_.resize(m.rope_cos_.size());
    for (int pos = 0; pos < m.max_tokens_; ++pos)
      for (int i = 0; i < half; ++i) {
        const double a = pos * inv[i];
        m.rope_cos_[static_cast<std::size_t>(pos) * half + i] = static_cast<float>(std::cos(a));
        m.rope_sin_[static_cast<std::size_t>(pos) * half + i] = static_cast<float>(std::sin(a));
      }
  } else {
    const std::string t = f.has("transformer.wte.weight") ? "transformer." : "";
    const auto P = static_cast<std::uint64_t>(c.max_positions);
    const auto emb = f.get(t + "wte.weight", {V, H});
    m.embed_.assign(emb.begin(), emb.end());
    const auto pos = f.get(t + "wpe.weight", {P, H});
    m.pos_embed_.assign(pos.begin(), pos.end());
    for (int i = 0; i < c.layers; ++i) {
      const std::string p = t + "h." + std::to_string(i) + ".";
      LayerWeights L;
      L.attn_norm = f.vec(p + "ln_1.weight", H);
      L.attn_norm_bias = f.vec(p + "ln_1.bias", H);
      L.mlp_norm = f.vec(p + "ln_2.weight", H);
      L.mlp_norm_bias = f.vec(p + "ln_2.bias", H);
      L.qkv = pack_conv1d(f.get(p + "attn.c_attn.weight", {H, 3 * H}), c.hidden, 3 * c.hidden, f.vec(p + "attn.c_attn.bias", 3 * H));
      L.o = pack_conv1d(f.get(p + "attn.c_proj.weight", {H, H}), c.hidden, c.hidden, f.vec(p + "attn.c_proj.bias", H));
      L.gate_up = pack_conv1d(f.get(p + "mlp.c_fc.weight", {H, I}), c.hidden, c.intermediate, f.vec(p + "mlp.c_fc.bias", I));
      L.down = pack_conv1d(f.get(p + "mlp.c_proj.weight", {I, H}), c.intermediate, c.hidden, f.vec(p + "mlp.c_proj.bias", H));
      m.layers_.push_back(std::move(L));
    }
    m.final_norm_ = f.vec(t + "ln_f.weight", H);
    m.final_norm_bias_ = f.vec(t + "ln_f.bias", H);
    m.lm_head_ = pack_linear({std::span<const float>(m.embed_)}, {c.vocab}, c.hidden, {{}});
  }
  m.parameters_ = f.used;
  return m;
}

LmModel LmModel::load(const fs::path& dir, int window) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw LmError(dir.string() + ": no such file or directory");
  if (fs::is_directory(dir, ec) && !fs::exists(dir / "config.json", ec) && ckpt::is_lora_adapter(dir.string())) {
    fs::path base;
    const OwnedWeights w = read_lora_applied_weights(dir, &base);
    return from_weights(load_lm_config(base, window), w.views(), dir.string() + " (LoRA applied to " + base.string() + ")");
  }
  const LmConfig config = load_lm_config(dir, window);
  const OwnedWeights w = read_checkpoint_weights(dir);
  return from_weights(config, w.views(), dir.string());
}

}  // namespace mergelab::lm
