// The streamed TIES / DARE merges (cut-offs and L1 factors found by streaming passes, then one blocked
// pass) against a plain reference written from the documented rules, entry by entry, with every
// intermediate vector stored: the outputs must be identical to the last bit. Inputs are built to hit the
// awkward cases: many equal magnitudes at the top-k cut-off (spread over several blocks), exact zeros,
// sizes that are not multiples of any block, per-model densities and weights, every option.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/merge/dare.h"
#include "core/merge/registry.h"
#include "core/merge/trim.h"
#include "core/rng.h"

using namespace mergelab::merge;
using mergelab::RandomState;

namespace {

template <class T>
using V = Vec<T>;

// ---- reference, straight from the rules ----------------------------------------------------------

template <class T>
V<T> ref_top_k(const V<T>& x, double k) {
  const Eigen::Index n = x.size();
  if (n == 0 || k >= 1.0) return x;
  const auto keep = static_cast<Eigen::Index>(k * static_cast<double>(n));
  std::vector<Eigen::Index> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  // Largest magnitudes first; equal magnitudes keep index order.
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return std::abs(x[a]) > std::abs(x[b]); });
  V<T> out = V<T>::Zero(n);
  for (Eigen::Index r = 0; r < keep; ++r) out[order[static_cast<size_t>(r)]] = x[order[static_cast<size_t>(r)]];
  return out;
}

template <class T>
V<T> ref_quantile_trim(const V<T>& x, double k) {
  std::vector<double> mags;
  for (Eigen::Index i = 0; i < x.size(); ++i) mags.push_back(std::abs(static_cast<double>(x[i])));
  const double threshold = numpy_quantile(mags, std::clamp(1.0 - k, 0.0, 1.0));
  V<T> out = x;
  for (Eigen::Index i = 0; i < x.size(); ++i)
    if (std::abs(static_cast<double>(x[i])) < threshold) out[i] = T(0);
  return out;
}

template <class T>
V<T> ref_trim(const V<T>& x, double k, int rule) {
  return rule == 0 ? ref_quantile_trim(x, k) : ref_top_k(x, k);
}

// match_l1_norm written out: entry i summed into lane i % 8, the lanes added as documented in rescale.h.
template <class T>
double ref_l1_norm(const V<T>& x) {
  double lane[8] = {};
  for (Eigen::Index i = 0; i < x.size(); ++i) lane[i % 8] += std::abs(static_cast<double>(x[i]));
  return ((lane[0] + lane[4]) + (lane[1] + lane[5])) + ((lane[2] + lane[6]) + (lane[3] + lane[7]));
}

template <class T>
void ref_l1(V<T>& masked, const V<T>& original) {
  const double before = ref_l1_norm(original), after = ref_l1_norm(masked);
  if (before < 1e-7 || after < 1e-7) return;
  const T f = static_cast<T>(before / after);
  for (Eigen::Index i = 0; i < masked.size(); ++i) masked[i] = masked[i] * f;
}

template <class T>
V<T> ref_rescale(V<T> x, const V<T>& original, int rule, double keep) {
  if (rule == 1) {
    const T d = static_cast<T>(std::max(keep, 1e-10));
    for (Eigen::Index i = 0; i < x.size(); ++i) x[i] = x[i] / d;
  } else if (rule == 2) {
    ref_l1(x, original);
  }
  return x;
}

// numpy's RandomState(seed).binomial(1, keep) entry by entry.
V<uint8_t> ref_mask(Eigen::Index n, double keep, uint32_t seed) {
  RandomState rng(seed);
  V<uint8_t> m(n);
  for (Eigen::Index i = 0; i < n; ++i) m[i] = static_cast<uint8_t>(rng.binomial(1, keep));
  return m;
}

template <class T>
V<T> ref_consensus(const V<T>& base, const std::vector<V<T>>& sparse, const std::vector<double>& w, const Params& p) {
  const Eigen::Index n = base.size();
  const bool count = p.choice("sign_rule") == 0, tie_pos = p.flag("tie_positive"), normalize = p.flag("normalize");
  const T lambda = static_cast<T>(p.get("lambda"));
  std::vector<V<T>> v = sparse;
  for (size_t i = 0; i < v.size(); ++i)
    if (w[i] != 1.0)
      for (Eigen::Index j = 0; j < n; ++j) v[i][j] = v[i][j] * static_cast<T>(w[i]);
  V<T> out(n);
  // Votes, sums and divisors in T, in model order.
  for (Eigen::Index j = 0; j < n; ++j) {
    T vote = 0;
    for (const auto& x : v) vote += count ? static_cast<T>((x[j] > 0) - (x[j] < 0)) : x[j];
    int e = (vote > 0) - (vote < 0);
    if (e == 0 && tie_pos) e = 1;
    T sum = 0, div = 0;
    for (size_t i = 0; i < v.size(); ++i)
      if (((v[i][j] > 0) - (v[i][j] < 0)) == e) {
        sum += v[i][j];
        div += static_cast<T>(w[i]);
      }
    if (normalize && div != 0) sum /= div;
    const T merged = e == 0 ? T(0) : static_cast<T>(sum);
    out[j] = base[j] + lambda * merged;
  }
  return out;
}

template <class T>
V<T> ref_linear(const V<T>& base, const std::vector<V<T>>& tvs, const std::vector<double>& w, const Params& p) {
  V<T> acc = V<T>::Zero(base.size());
  double total = 0;
  for (size_t i = 0; i < tvs.size(); ++i) {
    total += w[i];
    for (Eigen::Index j = 0; j < base.size(); ++j) acc[j] = acc[j] + static_cast<T>(w[i]) * tvs[i][j];
  }
  if (p.flag("normalize") && std::abs(total) >= 1e-8)
    for (Eigen::Index j = 0; j < base.size(); ++j) acc[j] = acc[j] / static_cast<T>(total);
  const T lambda = static_cast<T>(p.get("lambda"));
  V<T> out(base.size());
  for (Eigen::Index j = 0; j < base.size(); ++j) out[j] = base[j] + lambda * acc[j];
  return out;
}

template <class T>
std::vector<V<T>> ref_task_vectors(const V<T>& base, const std::vector<V<T>>& models) {
  std::vector<V<T>> out;
  for (const auto& m : models) {
    V<T> t(base.size());
    for (Eigen::Index j = 0; j < base.size(); ++j) t[j] = m[j] - base[j];
    out.push_back(t);
  }
  return out;
}

template <class T>
V<T> ref_ties(const V<T>& base, const std::vector<V<T>>& models, const Params& p) {
  const auto w = per_model_values(p, "weight", models.size());
  auto tvs = ref_task_vectors(base, models);
  for (size_t i = 0; i < tvs.size(); ++i) {
    const double density = p.get("density", static_cast<int>(i));
    V<T> trimmed = ref_trim(tvs[i], density, p.choice("trim_rule"));
    if (density < 1.0) trimmed = ref_rescale(trimmed, tvs[i], p.choice("rescale"), density);
    tvs[i] = trimmed;
  }
  return ref_consensus(base, tvs, w, p);
}

template <class T>
std::vector<V<T>> ref_dare(const V<T>& base, const std::vector<V<T>>& models, const Params& p) {
  auto tvs = ref_task_vectors(base, models);
  for (size_t i = 0; i < tvs.size(); ++i) {
    const double keep = p.get("density", static_cast<int>(i));
    const auto mask = ref_mask(base.size(), keep, p.seed + static_cast<uint32_t>(i));
    V<T> masked = tvs[i];
    for (Eigen::Index j = 0; j < masked.size(); ++j)
      if (!mask[j]) masked[j] = T(0);
    tvs[i] = ref_rescale(masked, tvs[i], p.choice("rescale"), keep);
  }
  return tvs;
}

template <class T>
V<T> ref_dare_ties(const V<T>& base, const std::vector<V<T>>& models, const Params& p) {
  auto tvs = ref_dare(base, models, p);
  if (p.get("k") < 1.0)
    for (auto& t : tvs) t = ref_trim(t, p.get("k"), p.choice("trim_rule"));
  return ref_consensus(base, tvs, per_model_values(p, "weight", models.size()), p);
}

// ---- inputs ----------------------------------------------------------------------------------

// Task-vector entries from a few magnitudes (many ties at any cut-off), about 10% exact zeros.
template <class T>
struct Case {
  V<T> base;
  std::vector<V<T>> models;
};

template <class T>
Case<T> make_case(Eigen::Index n, int n_models, uint32_t seed) {
  RandomState rng(seed);
  Case<T> c;
  c.base = V<T>(n);
  for (auto& x : c.base) x = static_cast<T>(rng.random_sample() - 0.5);
  for (int m = 0; m < n_models; ++m) {
    V<T> model(n);
    for (Eigen::Index j = 0; j < n; ++j) {
      const double u = rng.random_sample();
      const int level = static_cast<int>(rng.random_sample() * 12);  // |tau| in {0, 1, ..., 11} / 64
      const T tau = u < 0.1 ? T(0) : static_cast<T>((u < 0.55 ? -1 : 1) * level / 64.0);
      model[j] = c.base[j] + tau;
    }
    c.models.push_back(model);
  }
  return c;
}

template <class T>
MergeInputs<T> inputs_of(const Case<T>& c) {
  MergeInputs<T> in;
  in.base = c.base.data();
  for (const auto& m : c.models) in.models.push_back(m.data());
  in.size = c.base.size();
  return in;
}

template <class T>
void expect_same(const V<T>& got, const V<T>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  Eigen::Index diff = 0, first = -1;
  for (Eigen::Index j = 0; j < got.size(); ++j)
    if (!(got[j] == want[j])) {
      if (first < 0) first = j;
      ++diff;
    }
  EXPECT_EQ(diff, 0) << what << ": first difference at " << first << ": " << (first >= 0 ? got[first] : T(0)) << " vs "
                     << (first >= 0 ? want[first] : T(0));
}

const Eigen::Index kSizes[] = {1, 7, 5000, 70001};

template <class T>
void check_ties() {
  const MethodSpec& spec = *find_method("ties");
  for (Eigen::Index n : kSizes) {
    const auto c = make_case<T>(n, 3, static_cast<uint32_t>(n));
    const auto in = inputs_of(c);
    for (const char* preset : {"article", "mergekit"})
      for (int rescale : {0, 1, 2})
        for (int variant = 0; variant < 3; ++variant) {
          Params p = make_params(spec, preset);
          p.set("rescale", rescale);
          if (variant == 1) {  // per-model densities and weights, sum vote, weighted sum
            p.set_model(0, "density", 0.37);
            p.set_model(1, "density", 0.05);
            p.set_model(2, "density", 1.0);
            p.set_model(0, "weight", 0.7);
            p.set_model(2, "weight", -1.3);
            p.set("normalize", 0);
            p.set("lambda", 0.6);
          } else if (variant == 2) {  // count vote, a tie elects 0, density 0 for one model
            p.set("sign_rule", 0);
            p.set("tie_positive", 0);
            p.set("density", 0.5);
            p.set_model(1, "density", 0.0);
          }
          const std::string what = "ties n=" + std::to_string(n) + " " + preset + " rescale=" + std::to_string(rescale) +
                                   " variant=" + std::to_string(variant);
          expect_same<T>(run_merge(spec, in, p), ref_ties(c.base, c.models, p), what);
        }
  }
}

template <class T>
void check_dare(const std::string& method) {
  const MethodSpec& spec = *find_method(method);
  for (Eigen::Index n : kSizes) {
    const auto c = make_case<T>(n, 3, static_cast<uint32_t>(n) + 11);
    const auto in = inputs_of(c);
    for (const char* preset : {"article", "mergekit"})
      for (int rescale : {0, 1, 2})
        for (int variant = 0; variant < 3; ++variant) {
          Params p = make_params(spec, preset);
          p.seed = 40 + static_cast<uint32_t>(variant);
          p.set("rescale", rescale);
          if (variant == 1) {
            p.set_model(0, "density", 0.3);
            p.set_model(1, "density", 0.95);
            p.set_model(2, "density", 1.0);
            p.set_model(1, "weight", 0.25);
            p.set("normalize", 1 - p.get("normalize"));
          } else if (variant == 2) {
            p.set("density", 0.5);
            p.set_model(2, "density", 0.0);
            if (method == "dare_ties") {
              p.set("k", 0.3);
              p.set("trim_rule", 1);
            }
          }
          const std::string what = method + " n=" + std::to_string(n) + " " + preset + " rescale=" +
                                   std::to_string(rescale) + " variant=" + std::to_string(variant);
          const V<T> want = method == "dare_ties"
                                ? ref_dare_ties(c.base, c.models, p)
                                : ref_linear(c.base, ref_dare(c.base, c.models, p), per_model_values(p, "weight", 3), p);
          expect_same<T>(run_merge(spec, in, p), want, what);
        }
  }
}

}  // namespace

TEST(StreamedMerges, TiesIsTheStepByStepResultFloat) { check_ties<float>(); }
TEST(StreamedMerges, TiesIsTheStepByStepResultDouble) { check_ties<double>(); }
TEST(StreamedMerges, DareTiesIsTheStepByStepResultFloat) { check_dare<float>("dare_ties"); }
TEST(StreamedMerges, DareTiesIsTheStepByStepResultDouble) { check_dare<double>("dare_ties"); }
TEST(StreamedMerges, DareLinearIsTheStepByStepResultFloat) { check_dare<float>("dare_linear"); }

TEST(StreamedMerges, TopKKeepsExactlyTheLargestWithLowerIndicesWinningTies) {
  // Equal magnitudes straddle the radix select's block boundaries (4096) and the cut-off.
  const auto c = make_case<float>(70001, 1, 3);
  const Eigen::VectorXf tau = c.models[0] - c.base;
  for (double k : {0.0001, 0.05, 0.3, 0.5, 0.9, 0.99}) {
    const Eigen::VectorXf got = trim_by_magnitude<float>(tau, k, TrimRule::TopK);
    expect_same<float>(got, ref_top_k<float>(tau, k), "k=" + std::to_string(k));
    // About 18% of the entries are exact zeros, so below k = 0.8 every kept entry is non-zero.
    if (k < 0.8) {
      EXPECT_EQ((got.array() != 0).count(), static_cast<Eigen::Index>(k * 70001)) << k;
    }
  }
}

TEST(StreamedMerges, TopKIsExactWhenTheSampledGuessIsWrong) {
  // The radix select guesses the cut-off's bucket from entries t * n / 2048. Here those entries are
  // all large, so the guess misses and the second pass runs; and a vector whose magnitudes all share
  // one bucket overflows the kept bits. Both must still give the exact top-k.
  const Eigen::Index n = 70001;
  auto c = make_case<float>(n, 1, 8);
  Eigen::VectorXf tau = c.models[0] - c.base;
  for (Eigen::Index t = 0; t < 2048; ++t) tau[t * n / 2048] = 100.f + static_cast<float>(t);
  for (double k : {0.02, 0.3}) expect_same<float>(trim_by_magnitude<float>(tau, k, TrimRule::TopK), ref_top_k<float>(tau, k), "guess");
  Eigen::VectorXf flat(n);
  for (Eigen::Index j = 0; j < n; ++j) flat[j] = (j % 3 ? 1.f : -1.f) * (1.f + static_cast<float>(j % 50) * 1e-7f);
  for (double k : {0.1, 0.5}) expect_same<float>(trim_by_magnitude<float>(flat, k, TrimRule::TopK), ref_top_k<float>(flat, k), "flat");
}

TEST(StreamedMerges, TopKWithNaNsAndInfinitiesCountsLikeTheComparisons) {
  Eigen::VectorXf tau(9);
  const float nan = std::nanf(""), inf = INFINITY;
  tau << 1.f, nan, -inf, 2.f, nan, 2.f, -2.f, 0.5f, inf;
  // keep 4: the cut-off is the 4th largest by bits: NaN, NaN, inf, inf -> inf; `> inf` holds for none,
  // the two infinities are kept as equals, NaNs are zeroed (they compare false), so only 2 survive.
  const Eigen::VectorXf got = trim_by_magnitude<float>(tau, 4.0 / 9.0 + 1e-9, TrimRule::TopK);
  EXPECT_EQ(got[2], -inf);
  EXPECT_EQ(got[8], inf);
  EXPECT_EQ((got.array() != 0).count(), 2);
  // keep 6: cut-off 2 (three of them), above it the two infinities (NaNs do not compare greater): all 2s kept.
  const Eigen::VectorXf six = trim_by_magnitude<float>(tau, 6.0 / 9.0 + 1e-9, TrimRule::TopK);
  Eigen::VectorXf want(9);
  want << 0.f, 0.f, -inf, 2.f, 0.f, 2.f, -2.f, 0.f, inf;
  expect_same<float>(six, want, "keep 6");
}

TEST(StreamedMerges, BatchDrawsAreTheSingleDraws) {
  // fill_uint32 / fill_random_sample continue the stream wherever it is (odd offsets, across twists).
  RandomState a(123), b(123);
  std::vector<uint32_t> words(1500);
  for (int round = 0; round < 3; ++round) {
    a.next_uint32();
    b.next_uint32();
    a.fill_uint32(words.data(), words.size());
    for (size_t i = 0; i < words.size(); ++i) ASSERT_EQ(words[i], b.next_uint32()) << round << " " << i;
    std::vector<double> u(777);
    a.fill_random_sample(u.data(), u.size());
    for (size_t i = 0; i < u.size(); ++i) ASSERT_EQ(u[i], b.random_sample()) << round << " " << i;
  }
}

TEST(StreamedMerges, DareMasksAreTheBinomialDraws) {
  for (double keep : {1e-300, 0.001, 0.1, 0.3, 0.5, 0.5000001, 0.7, 0.9, 0.999, 1.0}) {
    const auto mask = dare_mask(10007, keep, 9);
    const auto want = ref_mask(10007, keep, 9);
    ASSERT_TRUE(mask == want) << keep;
  }
}
