# Reference outputs of the configs from the wild under tests/data/tinylm/wild (and ../recipes), re-done with numpy by
# mergekit's rules: plan.py's slices (a `models:` config is one slice over every layer, the base added as a source),
# config.py's parameter precedence and gradients (slices_golden.py), merge_methods/linear.py (weights normalised),
# slerp.py, passthrough.py (scale) and generalized_task_arithmetic.py for ties (magnitude sparsification keeping
# int(density * n) entries, "sum" sign consensus on the weighted deltas, divisor = sum of the kept weights (0 -> 1)
# when normalize). A multi-stage file runs its documents in order, each stage's output feeding the later ones by
# name. Writes one float32 safetensors per config (float64 results rounded once) for `mergelab compare`:
#   /usr/bin/python3 tests/data/tinylm/wild_golden.py OUT_DIR CONFIG.yml...
import os
import sys

import numpy as np
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from safetensors_np import read_safetensors, write_safetensors  # noqa: E402
from slices_golden import num_layers, parameter, plan, slerp  # noqa: E402


def as_slices(cfg, layers):
    """A models: config as mergekit reads it: one slice over all layers, every model a source (the base too)."""
    if "slices" in cfg:
        return cfg
    sources = [{"model": m["model"], "layer_range": [0, layers], "parameters": m.get("parameters") or {}}
               for m in cfg["models"]]
    if cfg.get("base_model") and all(s["model"] != cfg["base_model"] for s in sources):
        sources.append({"model": cfg["base_model"], "layer_range": [0, layers]})
    out = dict(cfg)
    out["slices"] = [{"sources": sources}]
    return out


def ties(cfg, sl, name, sources, t):
    base_name = sl.get("base_model") or cfg["base_model"]
    base = [x for m, x in sources if m == base_name][0]
    deltas, weights = [], []
    for m, x in sources:
        if m == base_name:
            continue
        d = (x - base).ravel()
        density = parameter(cfg, sl, "density", name, t, m)
        density = 1.0 if density is None else density
        if density < 1:
            k = int(density * d.size)
            keep = np.argsort(-np.abs(d), kind="stable")[:k]
            mask = np.zeros_like(d)
            mask[keep] = 1
            d = d * mask
        deltas.append(d)
        weights.append(parameter(cfg, sl, "weight", name, t, m))
    deltas = np.stack(deltas)
    w = np.array(weights)[:, None]
    wd = deltas * w
    majority = np.where(wd.sum(axis=0) >= 0, 1.0, -1.0)
    mask = np.sign(wd) == majority
    mixed = (wd * mask).sum(axis=0)
    normalize = parameter(cfg, sl, "normalize", name, t)
    if normalize is None or normalize:
        divisor = (w * mask).sum(axis=0)
        divisor[divisor == 0] = 1
        mixed = mixed / divisor
    return (base.ravel() + mixed).reshape(base.shape)


def merge(cfg, sl, name, sources, t):
    method = cfg["merge_method"]
    if method == "linear":
        w = [parameter(cfg, sl, "weight", name, t, m) for m, _ in sources]
        y = sum(wi * x for wi, (_, x) in zip(w, sources))
        normalize = parameter(cfg, sl, "normalize", name, t)
        return y / sum(w) if normalize is None or normalize else y
    if method == "ties":
        return ties(cfg, sl, name, sources, t)
    if method == "slerp":
        base = sl.get("base_model") or cfg["base_model"]
        a = [x for m, x in sources if m == base][0]
        b = [x for m, x in sources if m != base][0]
        return slerp(parameter(cfg, sl, "t", name, t), a, b)
    if method == "passthrough":
        (m, x), = sources
        scale = parameter(cfg, sl, "scale", name, t, m)
        return x * (1.0 if scale is None else scale)
    raise SystemExit("method not covered: " + method)


def run(cfg, folder, stages):
    """The merged tensors of one config; model names that are stages take the stage's output."""
    models = {}

    def load(m):
        if m not in models:
            models[m] = stages[m] if m in stages else read_safetensors(os.path.join(folder, m, "model.safetensors"))
        return models[m]

    ref = cfg["slices"][0]["sources"][0]["model"] if "slices" in cfg else cfg["models"][0]["model"]
    layers = 3 if ref in stages else num_layers(os.path.join(folder, ref))
    cfg = as_slices(cfg, layers)
    for sl in cfg["slices"]:
        for s in sl["sources"]:
            load(s["model"])
    out = {}
    for name, sl, srcs, t in plan(cfg, models):
        out[name] = merge(cfg, sl, name, [(m, models[m][n]) for m, n in srcs], t)
    return out


def main():
    out_dir = sys.argv[1]
    for path in sys.argv[2:]:
        folder = os.path.dirname(os.path.abspath(path))
        with open(path) as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        stages = {}
        for cfg in docs:
            stages[cfg.get("name", "")] = run(cfg, folder, stages)
        name = os.path.splitext(os.path.basename(path))[0]
        write_safetensors(os.path.join(out_dir, name + ".safetensors"), stages[docs[-1].get("name", "")])


if __name__ == "__main__":
    main()
