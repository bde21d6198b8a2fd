#include "core/merge/ties.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/merge/rescale.h"
#include "core/merge/simd.h"

namespace mergelab::merge {

namespace {
// Raw pointers to the views' data (VecView is contiguous), so the per-entry loops below stay tight.
template <class T>
std::vector<const T*> data_of(const VecViews<T>& views) {
  std::vector<const T*> out;
  out.reserve(views.size());
  for (const auto& v : views) out.push_back(v.data());
  return out;
}

// Every loop below runs over blocks of entries with the models in the inner position, so the per-entry
// accumulators live in small arrays (vectorisable, no dependency chain across models) while every entry
// still adds its models in order 0, 1, ... exactly as a scalar loop would.
constexpr Eigen::Index kBlock = 1024;

// Sign election of one block: v[i] points at model i's m values; elected[k] in {-1, 0, +1} in the
// vectors' own type. The votes are summed in that type too, in model order, as mergekit sums the weighted
// deltas in the tensors' dtype.
template <class T>
void vote_block(const T* const* v, size_t models, Eigen::Index m, SignRule rule, bool tie_elects_positive,
                T* elected) {
  using P = simd::Pack<T>;
  using V = typename P::V;
  using M = typename P::M;
  const V zero = simd::splat(T(0)), one = simd::splat(T(1)), tie = simd::splat(tie_elects_positive ? T(1) : T(0));
  Eigen::Index k = 0;
  for (; k + P::N <= m; k += P::N) {
    V vote = zero;
    for (size_t i = 0; i < models; ++i) {
      const V x = simd::load<V>(v[i] + k);
      if (rule == SignRule::Count)
        vote = vote + (simd::keep_if(one, static_cast<M>(x > zero)) - simd::keep_if(one, static_cast<M>(x < zero)));
      else
        vote = vote + x;
    }
    const V sign = simd::keep_if(one, static_cast<M>(vote > zero)) - simd::keep_if(one, static_cast<M>(vote < zero));
    simd::store(elected + k, simd::choose(static_cast<M>(vote == zero), tie, sign));
  }
  for (; k < m; ++k) {
    T vote = T(0);
    for (size_t i = 0; i < models; ++i) {
      const T x = v[i][k];
      vote = vote + (rule == SignRule::Count ? (x > T(0) ? T(1) : T(0)) - (x < T(0) ? T(1) : T(0)) : x);
    }
    elected[k] = vote > T(0) ? T(1) : (vote < T(0) ? T(-1) : (tie_elects_positive ? T(1) : T(0)));
  }
}

// Disjoint merge of one block: the (weighted mean of the) entries whose sign is the elected one, summed
// in model order in the vectors' type with the weights in that type (as mergekit does).
// For an elected +-1, sign(x) == elected exactly when x * elected > 0; an elected 0 gives 0 (nothing
// agrees, the sum stays +0).
template <class T>
void merge_block(const T* const* v, const double* weights, size_t models, Eigen::Index m, const T* elected,
                 bool normalize, T* __restrict out) {
  using P = simd::Pack<T>;
  using V = typename P::V;
  using M = typename P::M;
  const V zero = simd::splat(T(0)), one = simd::splat(T(1));
  Eigen::Index k = 0;
  for (; k + P::N <= m; k += P::N) {
    const V e = simd::load<V>(elected + k);
    V sum = zero, divisor = zero;
    for (size_t i = 0; i < models; ++i) {
      const V x = simd::load<V>(v[i] + k);
      const M agree = static_cast<M>(x * e > zero);
      sum = sum + simd::keep_if(x, agree);
      divisor = divisor + simd::keep_if(simd::splat(static_cast<T>(weights[i])), agree);
    }
    if (normalize) sum = sum / simd::choose(static_cast<M>(divisor != zero), divisor, one);
    simd::store(out + k, sum);
  }
  for (; k < m; ++k) {
    T sum = T(0), divisor = T(0);
    for (size_t i = 0; i < models; ++i) {
      const T x = v[i][k];
      const bool agree = x * elected[k] > T(0);
      sum = sum + (agree ? x : T(0));
      divisor = divisor + (agree ? static_cast<T>(weights[i]) : T(0));
    }
    out[k] = normalize ? sum / (divisor != T(0) ? divisor : T(1)) : sum;
  }
}
}  // namespace

template <class T>
Eigen::VectorXi elect_sign(const VecViews<T>& weighted, SignRule rule, bool tie_elects_positive) {
  if (weighted.empty()) throw std::invalid_argument("elect_sign: no task vectors");
  const Eigen::Index n = weighted[0].size();
  const auto ptr = data_of(weighted);
  std::vector<const T*> at(ptr.size());
  Eigen::VectorXi elected(n);
  T e[kBlock];
  for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
    const Eigen::Index m = std::min(kBlock, n - j0);
    for (size_t i = 0; i < ptr.size(); ++i) at[i] = ptr[i] + j0;
    vote_block(at.data(), at.size(), m, rule, tie_elects_positive, e);
    for (Eigen::Index k = 0; k < m; ++k) elected[j0 + k] = static_cast<int>(e[k]);
  }
  return elected;
}

template <class T>
Vec<T> disjoint_merge(const VecViews<T>& weighted, const std::vector<double>& weights,
                      const Eigen::VectorXi& elected, bool normalize) {
  if (weighted.size() != weights.size()) throw std::invalid_argument("disjoint_merge: one weight per task vector");
  const Eigen::Index n = elected.size();
  const auto ptr = data_of(weighted);
  std::vector<const T*> at(ptr.size());
  Vec<T> out(n);
  T e[kBlock];
  for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
    const Eigen::Index m = std::min(kBlock, n - j0);
    for (size_t i = 0; i < ptr.size(); ++i) at[i] = ptr[i] + j0;
    for (Eigen::Index k = 0; k < m; ++k) e[k] = elected[j0 + k] > 0 ? T(1) : (elected[j0 + k] < 0 ? T(-1) : T(0));
    merge_block(at.data(), weights.data(), at.size(), m, e, normalize, out.data() + j0);
  }
  return out;
}

template <class T>
Vec<T> ties_merge(const VecViews<T>& task_vectors, const std::vector<double>& weights, const TiesOptions& options) {
  if (task_vectors.empty()) throw std::invalid_argument("ties_merge: no task vectors");
  if (weights.size() != task_vectors.size()) throw std::invalid_argument("ties_merge: one weight per task vector");
  std::vector<Vec<T>> weighted;
  weighted.reserve(task_vectors.size());
  for (size_t i = 0; i < task_vectors.size(); ++i) {
    if (task_vectors[i].size() != task_vectors[0].size()) throw std::invalid_argument("ties_merge: task vectors differ in size");
    weighted.push_back(trim_by_magnitude(task_vectors[i], options.k, options.trim));
    if (weights[i] != 1.0) weighted.back() *= static_cast<T>(weights[i]);
  }
  VecViews<T> views(weighted.begin(), weighted.end());
  const Eigen::VectorXi elected = elect_sign(views, options.sign, options.tie_elects_positive);
  return disjoint_merge(views, weights, elected, options.normalize);
}

template Eigen::VectorXi elect_sign<float>(const VecViews<float>&, SignRule, bool);
template Eigen::VectorXi elect_sign<double>(const VecViews<double>&, SignRule, bool);
template Vec<float> disjoint_merge<float>(const VecViews<float>&, const std::vector<double>&, const Eigen::VectorXi&, bool);
template Vec<double> disjoint_merge<double>(const VecViews<double>&, const std::vector<double>&, const Eigen::VectorXi&, bool);
template Vec<float> ties_merge<float>(const VecViews<float>&, const std::vector<double>&, const TiesOptions&);
template Vec<double> ties_merge<double>(const VecViews<double>&, const std::vector<double>&, const TiesOptions&);

// ---- streamed task vectors -------------------------------------------------------------------

namespace {

enum class Scale { None, Divide, Multiply };
enum class Cut { None, ZeroAll, TopK, Quantile };

// A SparseTaskVector with its data-dependent constants resolved.
template <class T>
struct Resolved {
  const T* model = nullptr;
  const T* base = nullptr;
  const uint8_t* mask = nullptr;
  Scale pre = Scale::None;
  T pre_value = T(1);
  Cut cut = Cut::None;
  T cutoff = T(0);             // TopK: the keep-th largest magnitude
  Eigen::Index equal_keep = 0;  // TopK: how many entries equal to the cut-off are kept (the first ones)
  double threshold = 0.0;      // Quantile: entries with |x| < threshold are zeroed
  Scale post = Scale::None;
  T post_value = T(1);
  bool weighted = false;
  T weight = T(1);
};

// Entries [j0, j0 + m) of the vector into out, in one pass over packs (the branches are the same for
// every pack). Final = false: up to and including the DARE step (mask, pre-rescale). Final = true: the
// final values (DARE step, top-k trim, post-rescale, weight), where that is possible in one pass: not for a
// quantile trim, nor for a block holding an entry equal to the top-k cut-off (those are kept in index
// order by trim_block). Returns false, with out undefined, when it is not.
template <bool Final, class T>
bool block_values(const Resolved<T>& r, Eigen::Index j0, Eigen::Index m, T* __restrict out) {
  using P = simd::Pack<T>;
  using V = typename P::V;
  using M = typename P::M;
  if (Final && r.cut == Cut::Quantile) return false;
  if (Final && r.cut == Cut::ZeroAll) {
    std::fill(out, out + m, T(0));
    return true;
  }
  const bool top_k = Final && r.cut == Cut::TopK;
  const bool post = Final && r.post != Scale::None, weighted = Final && r.weighted;
  const T* x = r.model + j0;
  const T* b = r.base ? r.base + j0 : nullptr;
  const uint8_t* keep = r.mask ? r.mask + j0 : nullptr;
  const V pre_v = simd::splat(r.pre_value), post_v = simd::splat(r.post_value), weight_v = simd::splat(r.weight);
  const V cutoff = simd::splat(r.cutoff);
  M equal = static_cast<M>(cutoff != cutoff);  // all clear
  Eigen::Index k = 0;
  for (; k + P::N <= m; k += P::N) {
    V v = simd::load<V>(x + k);
    if (b) v = v - simd::load<V>(b + k);
    if (keep) v = simd::keep_if(v, simd::byte_mask<T>(keep + k));
    if (r.pre == Scale::Divide) v = v / pre_v;
    else if (r.pre == Scale::Multiply) v = v * pre_v;
    if (top_k) {
      const V a = simd::abs<T>(v);
      equal |= static_cast<M>(a == cutoff);
      v = simd::keep_if(v, static_cast<M>(a > cutoff));
    }
    if (post && r.post == Scale::Divide) v = v / post_v;
    else if (post) v = v * post_v;
    if (weighted) v = v * weight_v;
    simd::store(out + k, v);
  }
  bool any_equal = false;
  for (int l = 0; l < P::N; ++l) any_equal = any_equal || equal[l] != 0;
  for (; k < m; ++k) {
    T v = b ? x[k] - b[k] : x[k];
    if (keep) v = keep[k] ? v : T(0);
    if (r.pre == Scale::Divide) v = v / r.pre_value;
    else if (r.pre == Scale::Multiply) v = v * r.pre_value;
    if (top_k) {
      const T a = std::abs(v);
      any_equal = any_equal || a == r.cutoff;
      v = a > r.cutoff ? v : T(0);
    }
    if (post && r.post == Scale::Divide) v = v / r.post_value;
    else if (post) v = v * r.post_value;
    if (weighted) v = v * r.weight;
    out[k] = v;
  }
  return !any_equal;
}

// The vector up to and including the DARE step.
template <class T>
void dared_block(const Resolved<T>& r, Eigen::Index j0, Eigen::Index m, T* out) {
  block_values<false>(r, j0, m, out);
}

// The magnitude trim in place; `equal_left` counts down the entries equal to the cut-off still to keep
// (index order, carried across blocks).
template <class T>
void trim_block(const Resolved<T>& r, T* x, Eigen::Index m, Eigen::Index& equal_left) {
  switch (r.cut) {
    case Cut::None:
      return;
    case Cut::ZeroAll:
      std::fill(x, x + m, T(0));
      return;
    case Cut::Quantile:
      for (Eigen::Index k = 0; k < m; ++k) {
        const bool below = std::abs(static_cast<double>(x[k])) < r.threshold;
        x[k] = below ? T(0) : x[k];
      }
      return;
    case Cut::TopK:
      apply_top_k(x, m, r.cutoff, equal_left);
      return;
  }
}

template <class T>
void post_block(const Resolved<T>& r, T* x, Eigen::Index m) {
  if (r.post == Scale::Divide)
    for (Eigen::Index k = 0; k < m; ++k) x[k] /= r.post_value;
  else if (r.post == Scale::Multiply)
    for (Eigen::Index k = 0; k < m; ++k) x[k] *= r.post_value;
  if (r.weighted)
    for (Eigen::Index k = 0; k < m; ++k) x[k] *= r.weight;
}

// match_l1_norm's factor: |before|_1 / |after|_1 (summed by L1Sum), or none.
template <class T>
void set_l1_scale(double before, double after, Scale& op, T& value) {
  if (before < 1e-7 || after < 1e-7) return;
  op = Scale::Multiply;
  value = static_cast<T>(before / after);
}

// DARE's L1 rescale needs |tau|_1 and |mask * tau|_1 of each model. Each block of the base is read once
// for the models of a group of G.
template <int G, class T>
void dare_l1_sums(const std::vector<Resolved<T>*>& group, Eigen::Index n, double* before, double* after) {
  L1Sum<T> bs[G], as[G];
  T x[kBlock];
  for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
    const Eigen::Index m = std::min(kBlock, n - j0);
    for (int g = 0; g < G; ++g) {
      const Resolved<T>& r = *group[static_cast<size_t>(g)];
      const T* model = r.model + j0;
      if (r.base) {
        const T* b = r.base + j0;
        for (Eigen::Index k = 0; k < m; ++k) x[k] = model[k] - b[k];
      } else {
        std::copy(model, model + m, x);
      }
      bs[g].add(x, m);
      if (r.mask) as[g].add_kept(x, r.mask + j0, m);
      else as[g].add(x, m);
    }
  }
  for (int g = 0; g < G; ++g) {
    before[g] = bs[g].total();
    after[g] = as[g].total();
  }
}

template <class T>
std::vector<Resolved<T>> resolve_all(const std::vector<SparseTaskVector<T>>& tvs, Eigen::Index n) {
  if (tvs.empty()) throw std::invalid_argument("merge: no task vectors");
  const size_t count = tvs.size();
  std::vector<Resolved<T>> rs(count);
  for (size_t i = 0; i < count; ++i) {
    const auto& s = tvs[i];
    if (!s.model) throw std::invalid_argument("merge: missing task vector");
    if (s.trim && !(s.k >= 0.0)) throw std::invalid_argument("trim: k (kept fraction) must be >= 0");
    rs[i].model = s.model;
    rs[i].base = s.base;
    rs[i].mask = s.mask;
    rs[i].weighted = s.weight != 1.0;
    rs[i].weight = static_cast<T>(s.weight);
  }
  // 1. DARE's rescale of the masked vector.
  std::vector<Resolved<T>*> l1;
  for (size_t i = 0; i < count; ++i) {
    if (tvs[i].pre == DareRescale::InverseKeep) {
      rs[i].pre = Scale::Divide;
      rs[i].pre_value = static_cast<T>(std::max(tvs[i].pre_keep, 1e-10));
    } else if (tvs[i].pre == DareRescale::L1) {
      l1.push_back(&rs[i]);
    }
  }
  for (size_t g0 = 0; g0 < l1.size(); g0 += 4) {
    const std::vector<Resolved<T>*> group(l1.begin() + static_cast<long>(g0),
                                          l1.begin() + static_cast<long>(std::min(g0 + 4, l1.size())));
    double before[4], after[4];
    switch (group.size()) {
      case 1: dare_l1_sums<1>(group, n, before, after); break;
      case 2: dare_l1_sums<2>(group, n, before, after); break;
      case 3: dare_l1_sums<3>(group, n, before, after); break;
      default: dare_l1_sums<4>(group, n, before, after); break;
    }
    for (size_t g = 0; g < group.size(); ++g) set_l1_scale(before[g], after[g], group[g]->pre, group[g]->pre_value);
  }
  // 2. The magnitude trim of the DARE-stage vector (all top-k cut-offs found in the same passes).
  T block[kBlock];
  std::vector<size_t> top_k;
  std::vector<Eigen::Index> keeps;
  for (size_t i = 0; i < count; ++i) {
    const auto& s = tvs[i];
    Resolved<T>& r = rs[i];
    if (!s.trim || n == 0) continue;
    if (s.rule == TrimRule::Quantile) {
      std::vector<double> mags(static_cast<size_t>(n));
      for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
        const Eigen::Index m = std::min(kBlock, n - j0);
        dared_block(r, j0, m, block);
        for (Eigen::Index k = 0; k < m; ++k) mags[static_cast<size_t>(j0 + k)] = std::abs(static_cast<double>(block[k]));
      }
      r.cut = Cut::Quantile;
      r.threshold = numpy_quantile(std::move(mags), std::clamp(1.0 - s.k, 0.0, 1.0));
    } else if (s.k < 1.0) {
      const auto keep = static_cast<Eigen::Index>(s.k * static_cast<double>(n));
      if (keep <= 0) {
        r.cut = Cut::ZeroAll;
      } else {
        top_k.push_back(i);
        keeps.push_back(keep);
      }
    }
  }
  if (!top_k.empty()) {
    std::vector<BlockSource<T>> sources;
    for (size_t i : top_k) {
      const Resolved<T>* r = &rs[i];
      sources.push_back([r](Eigen::Index j0, Eigen::Index m, T* out) { dared_block(*r, j0, m, out); });
    }
    const auto cuts = top_k_cuts<T>(n, keeps, sources);
    for (size_t t = 0; t < top_k.size(); ++t) {
      Resolved<T>& r = rs[top_k[t]];
      r.cut = Cut::TopK;
      r.cutoff = cuts[t].cutoff;
      r.equal_keep = keeps[t] - cuts[t].above;
    }
  }
  // 3. The rescale after the trim.
  for (size_t i = 0; i < count; ++i) {
    const auto& s = tvs[i];
    Resolved<T>& r = rs[i];
    if (s.post == DareRescale::InverseKeep) {
      r.post = Scale::Divide;
      r.post_value = static_cast<T>(std::max(s.post_keep, 1e-10));
    } else if (s.post == DareRescale::L1) {
      L1Sum<T> before, after;
      T trimmed[kBlock];
      Eigen::Index equal_left = r.equal_keep;
      for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
        const Eigen::Index m = std::min(kBlock, n - j0);
        dared_block(r, j0, m, block);
        std::copy(block, block + m, trimmed);
        trim_block(r, trimmed, m, equal_left);
        before.add(block, m);
        after.add(trimmed, m);
      }
      set_l1_scale(before.total(), after.total(), r.post, r.post_value);
    }
  }
  return rs;
}

// Runs fn(j0, m, values) over the blocks, values[i] = model i's final entries [j0, j0 + m).
template <class T, class Fn>
void for_each_block(std::vector<Resolved<T>>& rs, Eigen::Index n, Fn&& fn) {
  std::vector<T> storage(rs.size() * static_cast<size_t>(kBlock));
  std::vector<T*> values(rs.size());
  std::vector<Eigen::Index> equal_left(rs.size());
  for (size_t i = 0; i < rs.size(); ++i) {
    values[i] = storage.data() + i * static_cast<size_t>(kBlock);
    equal_left[i] = rs[i].equal_keep;
  }
  for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
    const Eigen::Index m = std::min(kBlock, n - j0);
    for (size_t i = 0; i < rs.size(); ++i) {
      if (block_values<true>(rs[i], j0, m, values[i])) continue;
      dared_block(rs[i], j0, m, values[i]);
      trim_block(rs[i], values[i], m, equal_left[i]);
      post_block(rs[i], values[i], m);
    }
    fn(j0, m, values);
  }
}

}  // namespace

template <class T>
Vec<T> consensus_merge_streamed(const T* base, Eigen::Index n, const std::vector<SparseTaskVector<T>>& tvs,
                                const ConsensusOptions& o) {
  auto rs = resolve_all(tvs, n);
  std::vector<double> weights;
  for (const auto& s : tvs) weights.push_back(s.weight);
  const T lambda = static_cast<T>(o.lambda);
  Vec<T> out(n);
  T elected[kBlock];
  T merged[kBlock];
  for_each_block(rs, n, [&](Eigen::Index j0, Eigen::Index m, const std::vector<T*>& v) {
    vote_block(v.data(), v.size(), m, o.sign, o.tie_elects_positive, elected);
    merge_block(v.data(), weights.data(), v.size(), m, elected, o.normalize, merged);
    const T* b = base + j0;
    T* y = out.data() + j0;
    for (Eigen::Index k = 0; k < m; ++k) y[k] = b[k] + lambda * merged[k];
  });
  return out;
}

template <class T>
Vec<T> linear_merge_streamed(const T* base, Eigen::Index n, const std::vector<SparseTaskVector<T>>& tvs,
                             bool normalize, double lambda) {
  auto rs = resolve_all(tvs, n);
  for (auto& r : rs) r.weighted = false;  // the weights are the linear coefficients below
  double total = 0.0;
  for (const auto& s : tvs) total += s.weight;
  const bool divide = normalize && std::abs(total) >= 1e-8;
  const T divisor = static_cast<T>(total), lam = static_cast<T>(lambda);
  Vec<T> out(n);
  T acc[kBlock];
  for_each_block(rs, n, [&](Eigen::Index j0, Eigen::Index m, const std::vector<T*>& v) {
    std::fill(acc, acc + m, T(0));
    for (size_t i = 0; i < v.size(); ++i) {
      const T w = static_cast<T>(tvs[i].weight);
      const T* x = v[i];
      for (Eigen::Index k = 0; k < m; ++k) acc[k] += w * x[k];
    }
    if (divide)
      for (Eigen::Index k = 0; k < m; ++k) acc[k] /= divisor;
    const T* b = base + j0;
    T* y = out.data() + j0;
    for (Eigen::Index k = 0; k < m; ++k) y[k] = b[k] + lam * acc[k];
  });
  return out;
}

template Vec<float> consensus_merge_streamed<float>(const float*, Eigen::Index, const std::vector<SparseTaskVector<float>>&,
                                                    const ConsensusOptions&);
template Vec<double> consensus_merge_streamed<double>(const double*, Eigen::Index,
                                                      const std::vector<SparseTaskVector<double>>&, const ConsensusOptions&);
template Vec<float> linear_merge_streamed<float>(const float*, Eigen::Index, const std::vector<SparseTaskVector<float>>&,
                                                 bool, double);
template Vec<double> linear_merge_streamed<double>(const double*, Eigen::Index, const std::vector<SparseTaskVector<double>>&,
                                                   bool, double);

}  // namespace mergelab::merge

// ---- registry entry --------------------------------------------------------------------------
#include "core/merge/param_specs.h"

namespace mergelab::merge {

ConsensusOptions consensus_options(const Params& p) {
  ConsensusOptions o;
  o.sign = p.choice("sign_rule") == 0 ? SignRule::Count : SignRule::Sum;
  o.tie_elects_positive = p.flag("tie_positive");
  o.normalize = p.flag("normalize");
  o.lambda = p.get("lambda");
  return o;
}

template <class T>
Vec<T> consensus_merge(const MergeInputs<T>& in, const Params& p, const std::vector<Vec<T>>& sparse) {
  const auto w = per_model_values(p, "weight", in.models.size());
  if (w.size() != sparse.size()) throw std::invalid_argument("consensus merge: one task vector per model");
  std::vector<SparseTaskVector<T>> tvs(sparse.size());
  for (size_t i = 0; i < sparse.size(); ++i) {
    if (sparse[i].size() != in.size) throw std::invalid_argument("consensus merge: task vectors differ in size");
    tvs[i].model = sparse[i].data();
    tvs[i].weight = w[i];
  }
  return consensus_merge_streamed(in.base, in.size, tvs, consensus_options(p));
}

template Vec<float> consensus_merge<float>(const MergeInputs<float>&, const Params&, const std::vector<Vec<float>>&);
template Vec<double> consensus_merge<double>(const MergeInputs<double>&, const Params&, const std::vector<Vec<double>>&);

namespace {
template <class T>
Vec<T> run_ties(const MergeInputs<T>& in, const Params& p) {
  const auto w = per_model_values(p, "weight", in.models.size());
  const TrimRule rule = p.choice("trim_rule") == 0 ? TrimRule::Quantile : TrimRule::TopK;
  const auto rescale = static_cast<DareRescale>(p.choice("rescale"));
  std::vector<SparseTaskVector<T>> tvs(in.models.size());
  for (size_t i = 0; i < tvs.size(); ++i) {
    const double density = p.get("density", static_cast<int>(i));
    auto& s = tvs[i];
    s.model = in.models[i];
    s.base = in.base;
    s.trim = true;
    s.k = density;
    s.rule = rule;
    // mergekit's `rescale` for magnitude pruning (off by default); skipped when nothing was trimmed.
    if (density < 1.0 && rescale != DareRescale::None) {
      s.post = rescale;
      s.post_keep = density;
    }
    s.weight = w[i];
  }
  return consensus_merge_streamed(in.base, in.size, tvs, consensus_options(p));
}
}  // namespace

MethodSpec ties_method() {
  MethodSpec m;
  m.name = "ties";
  m.label = "TIES";
  m.summary = "trim each task vector to its top-k magnitudes, elect a sign per parameter, average the agreeing entries";
  m.formula = "theta = theta_0 + alpha * mean_{i: sign(tau_i') = gamma} tau_i',  tau_i' = trim_k(tau_i)";
  m.needs_base = true;
  m.params = {params::weight(), params::trim_density(1.0), params::lambda(1.0), params::normalize(true),
              params::sign_rule(1), params::trim_rule(1), params::tie_positive(true), params::rescale(0)};
  m.presets = {
      {"article", {{"density", 0.2}, {"lambda", 0.7}, {"normalize", 1}, {"sign_rule", 0}, {"trim_rule", 0}, {"tie_positive", 0}}},
      {"mergekit", {{"normalize", 1}, {"sign_rule", 1}, {"trim_rule", 1}, {"tie_positive", 1}}},
  };
  m.run_f = &run_ties<float>;
  m.run_d = &run_ties<double>;
  return m;
}
}  // namespace mergelab::merge
