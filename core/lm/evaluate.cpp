#include "core/lm/evaluate.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <numbers>

#include "core/lm/forward.h"
#include "core/lm/lm_error.h"
#include "core/io/parallel.h"

namespace mergelab::lm {
namespace {

// One pass through the model: a perplexity window, one choice of an item (alone, when the item must be truncated),
// or all choices of an item packed behind their shared context (forward.h PackedLayout).
enum class JobKind { Window, Choice, Item };
struct Job {
  int task = 0;
  JobKind kind = JobKind::Window;
  int index = 0;   // document or item
  int choice = 0;  // JobKind::Choice
  int offset = 0;  // JobKind::Window: start in the document's ids
  int length = 0;  // tokens through the model
  int slot = 0;    // first result slot (an Item job fills one per choice)
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

MetricDirection metric_direction(std::string_view key) {
  if (ends_with(key, ".mc_acc") || ends_with(key, ".mc_acc_norm")) return MetricDirection::HigherIsBetter;
  if (ends_with(key, ".nll") || ends_with(key, ".ppl") || ends_with(key, ".bpb")) return MetricDirection::LowerIsBetter;
  return MetricDirection::Count;
}

LmReport evaluate(const LmModel& model, const std::vector<PreparedTask>& tasks, const LmEvalOptions& options) {
  const LmConfig& c = model.config();
  const int W = options.window > 0 ? options.window : c.default_window();
  if (W > model.max_tokens())
    throw LmError("evaluation window " + std::to_string(W) + " is longer than the model's " +
                  std::to_string(model.max_tokens()) + " positions");
  if (W < 2) throw LmError("evaluation window must be at least 2 tokens");
  for (const PreparedTask& t : tasks)
    if (t.max_id >= c.vocab)
      throw LmError((t.has_perplexity ? t.perplexity_source : t.mc_source) + ": token id " + std::to_string(t.max_id) +
                    " is past the model's " + std::to_string(c.vocab) + " embedding rows (tokenizer and model disagree)");

  std::vector<Job> jobs;
  int slots = 0;
  int capacity = W;
  for (int ti = 0; ti < static_cast<int>(tasks.size()); ++ti) {
    const PreparedTask& t = tasks[ti];
    for (int d = 0; d < static_cast<int>(t.docs.size()); ++d) {
      const int n = static_cast<int>(t.docs[d].ids.size());
      for (int off = 0; off < n; off += W) jobs.push_back({ti, JobKind::Window, d, 0, off, std::min(W, n - off), slots++});
    }
    for (int i = 0; i < static_cast<int>(t.items.size()); ++i) {
      const PreparedItem& it = t.items[i];
      std::size_t longest = 0, packed = it.context.size();
      for (const auto& ch : it.choices) {
        longest = std::max(longest, ch.size());
        packed += ch.size();
      }
      if (it.context.size() + longest <= static_cast<std::size_t>(W) && packed <= static_cast<std::size_t>(4 * W)) {
        jobs.push_back({ti, JobKind::Item, i, 0, 0, static_cast<int>(packed), slots});
        slots += static_cast<int>(it.choices.size());
        capacity = std::max(capacity, static_cast<int>(packed));
      } else {
        for (int ch = 0; ch < static_cast<int>(it.choices.size()); ++ch) {
          const int n = static_cast<int>(it.context.size() + it.choices[ch].size());
          jobs.push_back({ti, JobKind::Choice, i, ch, 0, std::min(W, n), slots++});
        }
      }
    }
  }
  std::int64_t tokens_total = 0;
  for (const Job& j : jobs) tokens_total += j.length;
  // Longest first: better balance between threads. Results are stored per slot and reduced in job order.
  std::vector<std::size_t> order(jobs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return jobs[a].length > jobs[b].length; });

  std::vector<double> nll(static_cast<std::size_t>(slots), 0.0);
  const auto t0 = std::chrono::steady_clock::now();
  std::atomic<std::size_t> next{0};
  std::atomic<std::int64_t> done_seq{0}, done_tok{0};
  std::atomic<bool> stop{false};
  std::mutex progress_mutex;
  double last_report = 0;
  const int threads = std::max(1, std::min<int>(io::resolve_threads(options.threads), static_cast<int>(jobs.size())));

  auto worker = [&](std::size_t) {
    Scratch s(model, capacity);
    std::vector<std::int32_t> seq(capacity), positions(capacity), segment(capacity), rows(capacity), targets(capacity);
    for (;;) {
      if (stop || (options.cancel && options.cancel->load())) return;
      const std::size_t k = next.fetch_add(1);
      if (k >= order.size()) return;
      const Job& j = jobs[order[k]];
      const PreparedTask& t = tasks[j.task];
      try {
        if (j.kind == JobKind::Window) {
          nll[j.slot] = sequence_nll(model, std::span(t.docs[j.index].ids).subspan(j.offset, j.length), 1, s);
        } else if (j.kind == JobKind::Choice) {
          const PreparedItem& it = t.items[j.index];
          const auto& choice = it.choices[j.choice];
          const int full = static_cast<int>(it.context.size() + choice.size());
          const int drop = full - j.length;  // truncation: keep the last W tokens
          int n = 0;
          for (int p = drop; p < full; ++p)
            seq[n++] = p < static_cast<int>(it.context.size()) ? it.context[p] : choice[p - it.context.size()];
          const int first = j.length - static_cast<int>(choice.size());
          nll[j.slot] = sequence_nll(model, std::span(seq).first(n), first, s);
        } else {
          // Context, then every choice at positions context, context + 1, ..., each seeing the context and itself.
          const PreparedItem& it = t.items[j.index];
          const int c = static_cast<int>(it.context.size());
          for (int p = 0; p < c; ++p) {
            seq[p] = it.context[p];
            positions[p] = p;
            segment[p] = 0;
          }
          int n = c;
          for (const auto& choice : it.choices) {
            const int start = n;
            for (std::size_t q = 0; q < choice.size(); ++q, ++n) {
              seq[n] = choice[q];
              positions[n] = c + static_cast<int>(q);
              segment[n] = start;
            }
          }
          const PackedLayout layout{std::span(positions).first(n), std::span(segment).first(n), c};
          const float* hidden = forward_hidden(model, std::span(seq).first(n), s, &layout);
          int start = c;
          for (std::size_t ch = 0; ch < it.choices.size(); ++ch) {
            const int len = static_cast<int>(it.choices[ch].size());
            int m = 0;
            for (int q = 0; q < len; ++q) {
              if (c + q < 1) continue;  // a first token with nothing before it is not predicted
              rows[m] = q == 0 ? c - 1 : start + q - 1;
              targets[m++] = it.choices[ch][q];
            }
            nll[j.slot + ch] = rows_nll(model, hidden, std::span(rows).first(m), std::span(targets).first(m), s);
            start += len;
          }
        }
      } catch (...) {
        stop = true;
        throw;
      }
      done_seq.fetch_add(1);
      const std::int64_t tok = done_tok.fetch_add(j.length) + j.length;
      if (options.progress) {
        std::unique_lock lock(progress_mutex, std::try_to_lock);
        if (lock.owns_lock()) {
          const double now = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          if (now - last_report >= 0.2) {
            last_report = now;
            options.progress({done_seq.load(), static_cast<std::int64_t>(jobs.size()), tok, tokens_total, now});
          }
        }
      }
    }
  };
  io::parallel_for(static_cast<std::size_t>(threads), threads, worker);

  LmReport r;
  r.window = W;
  r.cancelled = done_seq.load() < static_cast<std::int64_t>(jobs.size());  // errors throw; only a cancel gets here
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.tokens_run = tokens_total;  // packed items count each context once
  for (const PreparedTask& t : tasks) {
    LmTaskResult res;
    res.name = t.name;
    res.has_perplexity = t.has_perplexity;
    res.has_mc = t.has_mc;
    res.perplexity.doc_nll.assign(t.docs.size(), 0.0);
    res.perplexity.doc_tokens.assign(t.docs.size(), 0);
    res.mc.scores.resize(t.items.size());
    for (std::size_t i = 0; i < t.items.size(); ++i) res.mc.scores[i].assign(t.items[i].choices.size(), 0.0);
    r.tasks.push_back(std::move(res));
  }
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    const Job& j = jobs[k];
    LmTaskResult& res = r.tasks[j.task];
    if (j.kind == JobKind::Window) {
      res.perplexity.doc_nll[j.index] += nll[j.slot];
      res.perplexity.doc_tokens[j.index] += j.length - 1;
      res.perplexity.windows += 1;
      continue;
    }
    const PreparedItem& it = tasks[j.task].items[j.index];
    const int first = j.kind == JobKind::Item ? 0 : j.choice;
    const int last = j.kind == JobKind::Item ? static_cast<int>(it.choices.size()) : j.choice + 1;
    for (int ch = first; ch < last; ++ch) {
      res.mc.scores[j.index][ch] = -nll[j.slot + ch - first];
      if (it.context.size() + it.choices[ch].size() > static_cast<std::size_t>(W)) res.mc.truncated += 1;
    }
  }
  for (std::size_t ti = 0; ti < tasks.size(); ++ti) {
    const PreparedTask& t = tasks[ti];
    PerplexityMetrics& p = r.tasks[ti].perplexity;
    p.docs = static_cast<std::int64_t>(t.docs.size());
    for (std::size_t d = 0; d < t.docs.size(); ++d) {
      p.nll_sum += p.doc_nll[d];
      p.tokens += p.doc_tokens[d];
      p.ids += static_cast<std::int64_t>(t.docs[d].ids.size());
      if (t.docs[d].bytes < 0) p.bytes_known = false;
      else p.bytes += t.docs[d].bytes;
    }
    p.mean_nll = p.tokens > 0 ? p.nll_sum / static_cast<double>(p.tokens) : std::numeric_limits<double>::quiet_NaN();
    p.ppl = std::exp(p.mean_nll);
    p.bpb = p.bytes_known && p.bytes > 0 ? p.nll_sum / std::numbers::ln2 / static_cast<double>(p.bytes)
                                         : std::numeric_limits<double>::quiet_NaN();
    McMetrics& m = r.tasks[ti].mc;
    m.n = static_cast<std::int64_t>(t.items.size());
    for (std::size_t i = 0; i < t.items.size(); ++i) {
      const auto& sc = m.scores[i];
      std::size_t best = 0, best_norm = 0;
      for (std::size_t ch = 1; ch < sc.size(); ++ch) {
        if (sc[ch] > sc[best]) best = ch;
        const auto& bytes = t.items[i].choice_bytes;
        if (sc[ch] / static_cast<double>(bytes[ch]) > sc[best_norm] / static_cast<double>(bytes[best_norm])) best_norm = ch;
      }
      m.correct += static_cast<int>(best) == t.items[i].label;
      m.correct_norm += static_cast<int>(best_norm) == t.items[i].label;
    }
    m.acc = m.n > 0 ? static_cast<double>(m.correct) / static_cast<double>(m.n) : std::numeric_limits<double>::quiet_NaN();
    m.acc_norm = m.n > 0 ? static_cast<double>(m.correct_norm) / static_cast<double>(m.n) : std::numeric_limits<double>::quiet_NaN();
  }
  return r;
}

eval::MetricMap LmReport::flat() const {
  eval::MetricMap m;
  std::map<std::string, std::pair<double, int>> sums;
  auto put = [&](const std::string& task, const std::string& key, double v, bool combine) {
    m[task + "." + key] = v;
    if (combine && std::isfinite(v)) {
      sums[key].first += v;
      sums[key].second += 1;
    }
  };
  for (const LmTaskResult& t : tasks) {
    if (t.has_perplexity) {
      put(t.name, "nll", t.perplexity.mean_nll, true);
      put(t.name, "ppl", t.perplexity.ppl, true);
      if (t.perplexity.bytes_known) put(t.name, "bpb", t.perplexity.bpb, true);
      put(t.name, "tokens", static_cast<double>(t.perplexity.tokens), false);
      put(t.name, "docs", static_cast<double>(t.perplexity.docs), false);
      put(t.name, "windows", static_cast<double>(t.perplexity.windows), false);
    }
    if (t.has_mc) {
      put(t.name, "mc_acc", t.mc.acc, true);
      put(t.name, "mc_acc_norm", t.mc.acc_norm, true);
    }
  }
  for (const auto& [key, s] : sums) m["combined." + key] = s.first / s.second;
  return m;
}

std::string LmReport::to_json(int indent) const {
  nlohmann::ordered_json j;
  j["window"] = window;
  auto& jt = j["tasks"];
  jt = nlohmann::ordered_json::object();
  for (const LmTaskResult& t : tasks) {
    auto& e = jt[t.name];
    e = nlohmann::ordered_json::object();
    if (t.has_perplexity) {
      const PerplexityMetrics& p = t.perplexity;
      e["ppl"] = {{"docs", p.docs},       {"windows", p.windows},   {"tokens", p.tokens}, {"ids", p.ids},
                  {"bytes", p.bytes_known ? nlohmann::ordered_json(p.bytes) : nlohmann::ordered_json(nullptr)},
                  {"nll_sum", p.nll_sum}, {"mean_nll", p.mean_nll}, {"ppl", p.ppl},
                  {"bpb", p.bytes_known ? nlohmann::ordered_json(p.bpb) : nlohmann::ordered_json(nullptr)}};
    }
    if (t.has_mc) {
      const McMetrics& m = t.mc;
      e["mc"] = {{"n", m.n},
                 {"acc", m.acc},
                 {"acc_norm", m.acc_norm},
                 {"correct", m.correct},
                 {"correct_norm", m.correct_norm},
                 {"truncated_sequences", m.truncated}};
    }
  }
  auto& jc = j["combined"];
  jc = nlohmann::ordered_json::object();
  for (const auto& [key, v] : flat())
    if (key.rfind("combined.", 0) == 0) jc[key.substr(9)] = v;
  if (cancelled) j["cancelled"] = true;
  return j.dump(indent);
}

}  // namespace mergelab::lm
