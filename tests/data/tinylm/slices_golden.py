# Golden values for tests/unit/engine/slices_golden_test.cpp: mergekit's planning rules (plan.py, config.py's
# ConfigReader and evaluate_setting, merge_methods/slerp.py and passthrough.py) re-done with numpy on the
# recipes under tests/data/tinylm/recipes, read unchanged with PyYAML.
# Run: /usr/bin/python3 tests/data/tinylm/slices_golden.py > tests/data/tinylm/slices_golden.txt
# One line per output tensor: recipe, output name, the method's parameter value there (t or scale), the number
# of values, C = sum_i c_i y_i and A = sum_i |c_i y_i| with c_i = (i mod 7) - 3 and y the merged values in
# float64 from the float32 inputs (before any rounding to the output dtype).
import json, os, re, sys
import numpy as np
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from safetensors_np import read_safetensors  # noqa: E402
RECIPES = os.path.join(HERE, "recipes")
LAYER = re.compile(r"^(model\.layers\.)(\d+)\.(.*)$")

def load(folder):
    return read_safetensors(os.path.join(folder, "model.safetensors"))

def num_layers(folder):
    with open(os.path.join(folder, "config.json")) as f:
        return json.load(f)["num_hidden_layers"]

def evaluate_setting(tensor, setting, t):  # config.py
    if isinstance(setting, (int, float, bool)):
        return float(setting)
    if all(isinstance(e, (int, float)) for e in setting):
        scaled = t * (len(setting) - 1)
        i0 = int(scaled)
        i1 = min(len(setting) - 1, i0 + 1)
        frac = scaled - i0
        return (1 - frac) * setting[i0] + frac * setting[i1]
    for cond in setting:
        f = cond.get("filter")
        if f is None or f == "*" or f in tensor:
            return evaluate_setting(tensor, cond["value"], t)
    return None

def parameter(cfg, slice_, name, tensor, t, model=None):  # ConfigReader.parameter, precedence source > slice > top
    if model is not None:
        for s in slice_["sources"]:
            if s["model"] == model and name in (s.get("parameters") or {}):
                v = evaluate_setting(tensor, s["parameters"][name], t)
                if v is not None:
                    return v
    if name in (slice_.get("parameters") or {}):
        v = evaluate_setting(tensor, slice_["parameters"][name], t)
        if v is not None:
            return v
    if name in (cfg.get("parameters") or {}):
        return evaluate_setting(tensor, cfg["parameters"][name], t)
    return None

def normalize(v, eps):
    n = np.linalg.norm(v)
    return v / n if n > eps else v

def slerp(t, v0, v1, dot_threshold=0.9995, eps=1e-8):  # merge_methods/slerp.py
    c0, c1 = v0.copy(), v1.copy()
    v0, v1 = normalize(v0, eps), normalize(v1, eps)
    dot = np.sum(v0 * v1)
    if np.abs(dot) > dot_threshold:
        return (1 - t) * c0 + t * c1
    theta_0 = np.arccos(dot)
    sin_theta_0 = np.sin(theta_0)
    theta_t = theta_0 * t
    s0 = np.sin(theta_0 - theta_t) / sin_theta_0
    s1 = np.sin(theta_t) / sin_theta_0
    return s0 * c0 + s1 * c1

def merge(cfg, slice_, out_name, sources, t):
    """sources: [(model path as written, tensor)], in the slice's order. Returns (parameter value, merged)."""
    method = cfg["merge_method"]
    if method == "passthrough":
        (model, x), = sources
        scale = parameter(cfg, slice_, "scale", out_name, t, model)
        return (1.0 if scale is None else scale), x.astype(np.float64) * (1.0 if scale is None else scale)
    if method == "slerp":
        base = slice_.get("base_model") or cfg["base_model"]
        a = [x for m, x in sources if m == base][0]
        b = [x for m, x in sources if m != base][0]
        tt = parameter(cfg, slice_, "t", out_name, t)
        return tt, slerp(tt, a.astype(np.float64), b.astype(np.float64))
    raise SystemExit("method not covered: " + method)

def plan(cfg, models):
    """plan.py's plan_module for a slices: config: (output name, slice, [(model, tensor name)], t) in order."""
    slices = cfg["slices"]
    out = []
    first = slices[0]["sources"][0]["model"]
    for name in sorted(models[first]):
        if "embed" in name:
            out.append((name, slices[0], [(s["model"], name) for s in slices[0]["sources"]], 0.0))
    layer_out = 0
    for sl in slices:
        ranges = [s["layer_range"] for s in sl["sources"]]
        n = ranges[0][1] - ranges[0][0]
        assert all(r[1] - r[0] == n for r in ranges), "all inputs to a slice must contain the same number of layers"
        for i in range(n):
            t = i / (n - 1) if n > 1 else 1
            ref = sl["sources"][0]
            for name in sorted(models[ref["model"]]):
                m = LAYER.match(name)
                if not m or int(m.group(2)) != ref["layer_range"][0] + i:
                    continue
                srcs = [(s["model"], "model.layers.%d.%s" % (s["layer_range"][0] + i, m.group(3))) for s in sl["sources"]]
                out.append(("model.layers.%d.%s" % (layer_out, m.group(3)), sl, srcs, t))
            layer_out += 1
    for name in sorted(models[slices[-1]["sources"][0]["model"]]):
        if not LAYER.match(name) and "embed" not in name:
            out.append((name, slices[-1], [(s["model"], name) for s in slices[-1]["sources"]], 0.0))
    return out

def main():
    for recipe in ("lazymergekit_slerp.yml", "frankenmerge.yml"):
        with open(os.path.join(RECIPES, recipe)) as f:
            cfg = yaml.safe_load(f)
        models = {}
        for sl in cfg["slices"]:
            for s in sl["sources"]:
                if s["model"] not in models:
                    folder = os.path.join(RECIPES, s["model"])
                    models[s["model"]] = load(folder)
                    assert s["layer_range"][1] <= num_layers(folder)
        c_cache = {}
        for out_name, sl, srcs, t in plan(cfg, models):
            value, y = merge(cfg, sl, out_name, [(m, models[m][n]) for m, n in srcs], t)
            y = np.ravel(y)
            if y.size not in c_cache:
                c_cache[y.size] = (np.arange(y.size) % 7 - 3).astype(np.float64)
            c = c_cache[y.size]
            print(recipe, out_name, repr(float(value)), y.size, repr(float(np.sum(c * y))), repr(float(np.sum(np.abs(c * y)))))


if __name__ == "__main__":
    main()
