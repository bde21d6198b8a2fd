# Prints the golden values of tests/unit/core/trim_test.cpp and dare_test.cpp with Debian's python3-numpy.
# Run: /usr/bin/python3 tests/data/numpy_merge_golden.py > tests/data/numpy_merge_golden.txt
import numpy as np
def show(name, values):
    print(name, " ".join(repr(float(v)) for v in np.ravel(values)))
r = np.random.RandomState(3)
for n in (1, 2, 5, 7, 200, 1001):
    a = np.abs(r.randn(n))
    show(f"quantile_input_{n}", a)
    show(f"quantile_output_{n}", [np.quantile(a, q) for q in (0.0, 0.1, 0.25, 0.5, 0.8, 0.9, 0.95, 1.0)])
# The article's ties_merge (trim_pct = 0.8) on the 200-parameter demo (seed 42, randn * 0.3).
exec(open('/work/shared/seed/article_code/03_ties.py').read().split('np.random.seed(42)')[0])
np.random.seed(42)
tvs = [np.random.randn(200) * 0.3 for _ in range(3)]
show("ties_demo_merged", ties_merge(tvs, trim_pct=0.8))
# The article's dare_drop(tv, p, seed) on a fixed vector.
tv = np.arange(1, 31, dtype=float) / 10.0
for seed, p in [(0, 0.9), (1, 0.5), (2, 0.3)]:
    rng = np.random.RandomState(seed)
    mask = rng.binomial(1, 1 - p, size=tv.shape).astype(float)
    show(f"dare_seed{seed}_p{p}", mask * tv / max(1 - p, 1e-10))
