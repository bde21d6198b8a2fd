# Prints the golden values of tests/unit/core/rng_test.cpp with Debian's python3-numpy.
# Run: /usr/bin/python3 tests/data/numpy_rng_golden.py > tests/data/numpy_rng_golden.txt
import numpy as np
def show(name, values):
    print(name, " ".join(repr(float(v)) for v in np.ravel(values)))
r = np.random.RandomState(42); show("random_sample_seed42", r.random_sample(6))
r = np.random.RandomState(0); show("random_sample_seed0", r.random_sample(4))
r = np.random.RandomState(42); show("randn_seed42", r.randn(7))
r = np.random.RandomState(7); show("randn_seed7_4x1_times0.3", r.randn(4, 1) * 0.3)
r = np.random.RandomState(123); a = r.randn(3); b = r.random_sample(2); show("randn3_then_sample2_seed123", np.concatenate([a, b]))
r = np.random.RandomState(4294967295); show("randn_seed_max", r.randn(3))
for seed, p in [(0, 0.1), (1, 0.1), (2, 0.5), (3, 0.9), (5, 0.99), (6, 0.01)]:
    r = np.random.RandomState(seed); show(f"binomial1_seed{seed}_p{p}", r.binomial(1, p, size=40))
r = np.random.RandomState(9); show("binomial5_seed9_p0.3", r.binomial(5, 0.3, size=20))
r = np.random.RandomState(10); show("binomial7_seed10_p0.8", r.binomial(7, 0.8, size=20))
r = np.random.RandomState(11); x = r.binomial(1, 0.3, size=5); y = r.randn(3); show("binomial_then_randn_seed11", np.concatenate([x, y]))
