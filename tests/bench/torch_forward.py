#!/usr/bin/python3
"""PyTorch's CPU forward on the model lm_bench's BM_PrefillSmolLM times, for the comparison in README.

A randomly initialised Llama with SmolLM-135M's configuration (hidden 576, 30 layers, 9 heads, 3 KV heads,
intermediate 1536, vocab 49152, tied embeddings), every layer sharing one set of N(0, 0.02) tensors as in
lm_bench.cpp; 4 windows of 256 random tokens, each run alone from position 0 (the evaluator's protocol), the
per-token NLL of every position from the logits of all vocabulary rows. f32, torch.no_grad(), the given number
of intra-op threads. The forward is written out with torch operators (RMSNorm, rotate-half rotary embedding,
grouped-query causal attention, SwiGLU), the same computation transformers' LlamaForCausalLM performs.

Run with Debian's interpreter and python3-torch (not part of `make test`):
    /usr/bin/python3 tests/bench/torch_forward.py --threads 1
    /usr/bin/python3 tests/bench/torch_forward.py --threads 2
Prints tokens/s and the achieved GFLOP/s (counted as lm_bench counts them), best of --repeats, both per second
of process CPU time (every thread counted, as lm_bench's MeasureProcessCPUTime: fair on a loaded machine) and
per second of wall clock.
"""
import argparse
import math
import time

import torch

H, I, L, NH, NKV, V, THETA, EPS = 576, 1536, 30, 9, 3, 49152, 100000.0, 1e-5
D = H // NH


def window_flops(T):
    proj = H * (NH * D + 2 * NKV * D) + NH * D * H + 3.0 * H * I
    attn = 2.0 * NH * D * (T * (T + 1) / 2)
    return 2.0 * (L * (proj * T + attn) + (T - 1) * H * V)


def rms_norm(x, w):
    var = x.pow(2).mean(-1, keepdim=True)
    return x * torch.rsqrt(var + EPS) * w


def rotate_half(x):
    a, b = x[..., : D // 2], x[..., D // 2:]
    return torch.cat((-b, a), dim=-1)


class RandomLlama:
    def __init__(self, seed=7):
        g = torch.Generator().manual_seed(seed)

        def t(*shape):
            return torch.randn(*shape, generator=g) * 0.02

        self.embed = t(V, H)
        self.norm = torch.ones(H)
        self.q, self.k, self.v, self.o = t(NH * D, H), t(NKV * D, H), t(NKV * D, H), t(H, NH * D)
        self.gate, self.up, self.down = t(I, H), t(I, H), t(H, I)
        inv = 1.0 / (THETA ** (torch.arange(0, D, 2, dtype=torch.float64) / D))
        pos = torch.arange(0, 256, dtype=torch.float64)
        freqs = torch.outer(pos, inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.cos, self.sin = emb.cos().float(), emb.sin().float()

    def nll(self, ids):
        T = ids.shape[0]
        x = self.embed[ids]
        cos, sin = self.cos[:T], self.sin[:T]
        mask = torch.full((T, T), float("-inf")).triu(1)
        for _ in range(L):
            h = rms_norm(x, self.norm)
            q = (h @ self.q.T).view(T, NH, D).transpose(0, 1)
            k = (h @ self.k.T).view(T, NKV, D).transpose(0, 1)
            v = (h @ self.v.T).view(T, NKV, D).transpose(0, 1)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            k = k.repeat_interleave(NH // NKV, dim=0)
            v = v.repeat_interleave(NH // NKV, dim=0)
            p = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(D) + mask, dim=-1)
            a = (p @ v).transpose(0, 1).reshape(T, NH * D)
            x = x + a @ self.o.T
            h = rms_norm(x, self.norm)
            x = x + (torch.nn.functional.silu(h @ self.gate.T) * (h @ self.up.T)) @ self.down.T
        x = rms_norm(x, self.norm)
        logits = x[:-1] @ self.embed.T
        return torch.nn.functional.cross_entropy(logits, ids[1:], reduction="sum").item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--windows", type=int, default=4)
    ap.add_argument("--window", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = RandomLlama()
    g = torch.Generator().manual_seed(3)
    windows = [torch.randint(0, V, (args.window,), generator=g) for _ in range(args.windows)]
    best_cpu = best_wall = float("inf")
    with torch.no_grad():
        model.nll(windows[0])  # warm-up
        for _ in range(args.repeats):
            c0, t0 = time.process_time(), time.perf_counter()
            total = sum(model.nll(w) for w in windows)
            best_cpu = min(best_cpu, time.process_time() - c0)
            best_wall = min(best_wall, time.perf_counter() - t0)
    tokens = args.windows * args.window
    gflop = args.windows * window_flops(args.window) / 1e9
    print(f"torch {torch.__version__} threads {args.threads}: {tokens / best_cpu:.0f} tokens/s and {gflop / best_cpu:.1f} "
          f"GFLOP/s per CPU second ({best_cpu:.2f} s CPU); wall clock {tokens / best_wall:.0f} tokens/s "
          f"({best_wall:.2f} s) for {tokens} tokens, best of {args.repeats}; nll/token {total / (tokens - args.windows):.4f}")


if __name__ == "__main__":
    main()
