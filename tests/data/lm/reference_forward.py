#!/usr/bin/env python3
"""Float64 numpy reference of the causal-LM forward pass (transformers' modeling_llama/qwen2/gpt2 semantics).

Writes three tiny randomly initialised models beside this script (tiny_qwen2/, tiny_gpt2/, tiny_llama3/: config.json +
model.safetensors, F32) and golden.json: per model, a few token sequences with the per-token NLL
(-log softmax(logits[t-1])[ids[t]], natural log) and the full logits of the first sequence. Also scores fixed
sequences on the tinylm fixture's base model when the fixture folder is given:

    /usr/bin/python3 tests/data/lm/reference_forward.py [../shared/fixtures/tinylm]

Seeded (numpy default_rng(2026)); re-running gives the same files.
"""
import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from safetensors_np import read_safetensors, write_safetensors  # noqa: E402


# ---------------------------------------------------------------- forward passes
def softmax_causal(scores):
    T = scores.shape[-1]
    mask = np.triu(np.ones((T, T), dtype=bool), 1)
    s = np.where(mask, -np.inf, scores)
    s = s - s.max(axis=-1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=-1, keepdims=True)


def act(name, x):
    if name in ("silu", "swish"):
        return x / (1 + np.exp(-x))
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    if name == "gelu":
        from math import erf
        return 0.5 * x * (1 + np.vectorize(erf)(x / math.sqrt(2)))
    if name == "relu":
        return np.maximum(x, 0)
    raise ValueError(name)


def inv_freq(cfg, d):
    inv = 1.0 / (cfg.get("rope_theta", 10000.0) ** (np.arange(0, d, 2, dtype=np.float64) / d))
    rs = cfg.get("rope_scaling")
    if rs:
        t = rs.get("rope_type", rs.get("type"))
        if t == "linear":
            inv = inv / rs["factor"]
        elif t == "llama3":
            factor, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
            old = rs["original_max_position_embeddings"]
            lo_wl, hi_wl = old / lo, old / hi
            wl = 2 * math.pi / inv
            scaled = np.where(wl > lo_wl, inv / factor, inv)
            smooth = (old / wl - lo) / (hi - lo)
            smoothed = (1 - smooth) * scaled / factor + smooth * scaled
            medium = ~(wl < hi_wl) & ~(wl > lo_wl)
            inv = np.where(medium, smoothed, scaled)
    return inv


def llama_logits(cfg, w, ids):
    H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads", nh)
    d = cfg.get("head_dim") or H // nh
    eps = cfg["rms_norm_eps"]
    qwen = cfg["model_type"] == "qwen2"
    T = len(ids)
    rms = lambda x, g: g * (x / np.sqrt((x * x).mean(-1, keepdims=True) + eps))
    freqs = np.outer(np.arange(T, dtype=np.float64), inv_freq(cfg, d))
    cos = np.cos(np.concatenate([freqs, freqs], -1))
    sin = np.sin(np.concatenate([freqs, freqs], -1))
    rot = lambda x: np.concatenate([-x[..., d // 2:], x[..., : d // 2]], -1)
    x = w["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms(x, w[p + "input_layernorm.weight"])
        proj = lambda n: h @ w[p + f"self_attn.{n}_proj.weight"].T + (w[p + f"self_attn.{n}_proj.bias"] if qwen else 0)
        q = proj("q").reshape(T, nh, d).transpose(1, 0, 2)
        k = proj("k").reshape(T, nkv, d).transpose(1, 0, 2)
        v = proj("v").reshape(T, nkv, d).transpose(1, 0, 2)
        q = q * cos + rot(q) * sin
        k = k * cos + rot(k) * sin
        g = nh // nkv
        k = np.repeat(k, g, axis=0)  # repeat_kv: kv head j serves query heads j*g .. j*g+g-1
        v = np.repeat(v, g, axis=0)
        a = softmax_causal(q @ k.transpose(0, 2, 1) / math.sqrt(d)) @ v
        x = x + a.transpose(1, 0, 2).reshape(T, nh * d) @ w[p + "self_attn.o_proj.weight"].T
        h = rms(x, w[p + "post_attention_layernorm.weight"])
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (act(cfg["hidden_act"], gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms(x, w["model.norm.weight"])
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]
    return x @ head.T


def gpt2_logits(cfg, w, ids):
    H, nh = cfg["n_embd"], cfg["n_head"]
    d = H // nh
    eps = cfg["layer_norm_epsilon"]
    pre = "transformer." if "transformer.wte.weight" in w else ""
    T = len(ids)

    def ln(x, n):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + eps) * w[n + ".weight"] + w[n + ".bias"]

    conv = lambda x, n: x @ w[n + ".weight"] + w[n + ".bias"]  # Conv1D: weight [in, out]
    x = w[pre + "wte.weight"][ids] + w[pre + "wpe.weight"][np.arange(T)]
    for i in range(cfg["n_layer"]):
        p = f"{pre}h.{i}."
        qkv = conv(ln(x, p + "ln_1"), p + "attn.c_attn")
        q, k, v = (qkv[:, j * H:(j + 1) * H].reshape(T, nh, d).transpose(1, 0, 2) for j in range(3))
        a = softmax_causal(q @ k.transpose(0, 2, 1) / math.sqrt(d)) @ v
        x = x + conv(a.transpose(1, 0, 2).reshape(T, H), p + "attn.c_proj")
        m = act(cfg.get("activation_function", "gelu_new"), conv(ln(x, p + "ln_2"), p + "mlp.c_fc"))
        x = x + conv(m, p + "mlp.c_proj")
    x = ln(x, pre + "ln_f")
    return x @ w[pre + "wte.weight"].T


def logits_of(cfg, w, ids):
    return gpt2_logits(cfg, w, ids) if cfg["model_type"] == "gpt2" else llama_logits(cfg, w, ids)


def token_nll(logits, ids):
    m = logits.max(-1, keepdims=True)
    lse = (m + np.log(np.exp(logits - m).sum(-1, keepdims=True)))[:, 0]
    return [float(lse[t - 1] - logits[t - 1, ids[t]]) for t in range(1, len(ids))]


# ---------------------------------------------------------------- tiny random models
def f32(a):
    return a.astype(np.float32).astype(np.float64)  # the values as stored (F32)


def make_llama_like(rng, cfg):
    H, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = cfg.get("head_dim") or H // nh
    n = lambda *s: f32(rng.normal(0, 0.3, size=s))
    w = {"model.embed_tokens.weight": n(V, H), "model.norm.weight": f32(1 + 0.1 * rng.normal(size=H))}
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = n(V, H)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = f32(1 + 0.1 * rng.normal(size=H))
        w[p + "post_attention_layernorm.weight"] = f32(1 + 0.1 * rng.normal(size=H))
        w[p + "self_attn.q_proj.weight"] = n(nh * d, H)
        w[p + "self_attn.k_proj.weight"] = n(nkv * d, H)
        w[p + "self_attn.v_proj.weight"] = n(nkv * d, H)
        w[p + "self_attn.o_proj.weight"] = n(H, nh * d)
        if cfg["model_type"] == "qwen2":
            w[p + "self_attn.q_proj.bias"] = n(nh * d)
            w[p + "self_attn.k_proj.bias"] = n(nkv * d)
            w[p + "self_attn.v_proj.bias"] = n(nkv * d)
        w[p + "mlp.gate_proj.weight"] = n(I, H)
        w[p + "mlp.up_proj.weight"] = n(I, H)
        w[p + "mlp.down_proj.weight"] = n(H, I)
    return w


def make_gpt2(rng, cfg):
    H, V, P = cfg["n_embd"], cfg["vocab_size"], cfg["n_positions"]
    I = cfg.get("n_inner") or 4 * H
    n = lambda *s: f32(rng.normal(0, 0.3, size=s))
    pre = "transformer."
    w = {pre + "wte.weight": n(V, H), pre + "wpe.weight": n(P, H),
         pre + "ln_f.weight": f32(1 + 0.1 * rng.normal(size=H)), pre + "ln_f.bias": n(H)}
    for i in range(cfg["n_layer"]):
        p = f"{pre}h.{i}."
        for ln in ("ln_1", "ln_2"):
            w[p + ln + ".weight"] = f32(1 + 0.1 * rng.normal(size=H))
            w[p + ln + ".bias"] = n(H)
        for name, (a, b) in (("attn.c_attn", (H, 3 * H)), ("attn.c_proj", (H, H)), ("mlp.c_fc", (H, I)), ("mlp.c_proj", (I, H))):
            w[p + name + ".weight"] = n(a, b)
            w[p + name + ".bias"] = n(b)
        # the causal-mask buffer old GPT-2 files carry (the evaluator must ignore it)
        w[p + "attn.bias"] = np.tril(np.ones((P, P)))[None, None]
    return w


MODELS = {
    "tiny_qwen2": {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 24,
                   "intermediate_size": 40, "num_hidden_layers": 2, "num_attention_heads": 6,
                   "num_key_value_heads": 2, "vocab_size": 37, "max_position_embeddings": 64,
                   "rms_norm_eps": 1e-6, "rope_theta": 1000.0, "hidden_act": "silu",
                   "tie_word_embeddings": True, "use_sliding_window": False, "sliding_window": 32,
                   "rope_scaling": None},
    "tiny_llama3": {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 20,
                    "intermediate_size": 33, "num_hidden_layers": 2, "num_attention_heads": 2,
                    "num_key_value_heads": 1, "head_dim": 8, "vocab_size": 29, "max_position_embeddings": 80,
                    "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "hidden_act": "silu",
                    "tie_word_embeddings": False, "attention_bias": False,
                    "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                     "high_freq_factor": 4.0, "original_max_position_embeddings": 64}},
    "tiny_gpt2": {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_embd": 24, "n_layer": 2,
                  "n_head": 4, "n_positions": 48, "vocab_size": 41, "layer_norm_epsilon": 1e-5,
                  "activation_function": "gelu_new", "n_inner": None},
}


def main():
    rng = np.random.default_rng(2026)
    golden = {"note": "float64 numpy reference (tests/data/lm/reference_forward.py); nll[t-1] = -log p(ids[t] | ids[<t])"}
    for name, cfg in MODELS.items():
        w = make_gpt2(rng, cfg) if cfg["model_type"] == "gpt2" else make_llama_like(rng, cfg)
        os.makedirs(os.path.join(HERE, name), exist_ok=True)
        with open(os.path.join(HERE, name, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        write_safetensors(os.path.join(HERE, name, "model.safetensors"), w)
        V = cfg["vocab_size"]
        P = cfg.get("max_position_embeddings") or cfg["n_positions"]
        seqs = [rng.integers(0, V, size=n).tolist() for n in (37, P, 5)]
        entry = {"sequences": []}
        for j, ids in enumerate(seqs):
            lg = logits_of(cfg, w, ids)
            e = {"ids": ids, "nll": token_nll(lg, ids)}
            if j == 0:
                e["logits"] = lg.tolist()
            entry["sequences"].append(e)
        golden[name] = entry
    if len(sys.argv) > 1:
        base = os.path.join(sys.argv[1], "models", "base")
        cfg = json.load(open(os.path.join(base, "config.json")))
        w = read_safetensors(os.path.join(base, "model.safetensors"))
        r = np.random.default_rng(7)
        seqs = [[639] + r.integers(0, 639, size=n).tolist() for n in (100, 255)]
        golden["tinylm_base"] = {"sequences": [{"ids": ids, "nll": token_nll(logits_of(cfg, w, ids), ids)} for ids in seqs]}
    with open(os.path.join(HERE, "golden.json"), "w") as f:
        json.dump(golden, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
