// The evaluation protocol against the tinylm fixture's float64 reference (expected/expected_lm_eval.json):
// every model, the LoRA adapter (base + ΔW) and every merge, test split (perplexity + multiple choice) and val split
// (perplexity). ppl / bpb / mean NLL within 1e-5 relative (f32 forward vs float64: ~1e-8 expected), counts and
// MC decisions exactly; base per-document NLL and per-choice scores against expected/base_details.json.
#include "core/lm/evaluate.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/lm/forward.h"
#include "core/lm/tokenizer.h"
#include "tests/unit/lm/lm_paths.h"
#include "tests/unit/temp_dir.h"

namespace mergelab::lm {
namespace {

using testing::kTinyLm;
using testing::read_json;

constexpr double kRel = 1e-5;

struct Fixture {
  Tokenizer tokenizer = Tokenizer::load(kTinyLm / "models" / "base");
  TextEncoder encoder = text_encoder(tokenizer);
  std::vector<PreparedTask> test = prepare_tasks(find_tasks(kTinyLm / "data", "test"), &encoder);
  std::vector<PreparedTask> val = prepare_tasks(find_tasks(kTinyLm / "data", "val"), &encoder);
  nlohmann::json expected = read_json(kTinyLm / "expected" / "expected_lm_eval.json");
};
const Fixture& fixture() {
  static const Fixture f;
  return f;
}

void expect_perplexity(const LmTaskResult& got, const nlohmann::json& e, const std::string& where) {
  SCOPED_TRACE(where);
  ASSERT_TRUE(got.has_perplexity);
  const PerplexityMetrics& p = got.perplexity;
  EXPECT_EQ(p.docs, e.at("docs").get<std::int64_t>());
  EXPECT_EQ(p.windows, e.at("windows").get<std::int64_t>());
  EXPECT_EQ(p.tokens, e.at("tokens").get<std::int64_t>());
  EXPECT_EQ(p.ids, e.at("ids").get<std::int64_t>());
  EXPECT_EQ(p.bytes, e.at("bytes").get<std::int64_t>());
  for (const auto& [key, v] : {std::pair{"mean_nll", p.mean_nll}, {"ppl", p.ppl}, {"bpb", p.bpb}, {"nll_sum", p.nll_sum}}) {
    const double x = e.at(key).get<double>();
    EXPECT_NEAR(v, x, kRel * std::abs(x)) << key;
  }
}

class ExpectedEval : public ::testing::TestWithParam<std::string> {};

TEST_P(ExpectedEval, ReproducesEveryMetric) {
  const Fixture& f = fixture();
  const nlohmann::json& e = f.expected.at("models").at(GetParam());
  const LmModel model = LmModel::load(kTinyLm / e.at("path").get<std::string>());
  EXPECT_EQ(model.config().default_window(), f.expected.at("window").get<int>());
  const LmReport test = evaluate(model, f.test, {.threads = 2});
  const LmReport val = evaluate(model, f.val, {.threads = 2});
  ASSERT_FALSE(test.cancelled);
  for (std::size_t i = 0; i < test.tasks.size(); ++i) {
    const std::string task = test.tasks[i].name;
    expect_perplexity(test.tasks[i], e.at("ppl").at("test").at(task), task + " test");
    expect_perplexity(val.tasks[i], e.at("ppl").at("val").at(task), task + " val");
    const nlohmann::json& mc = e.at("mc").at("test").at(task);
    const McMetrics& m = test.tasks[i].mc;
    ASSERT_TRUE(test.tasks[i].has_mc);
    EXPECT_EQ(m.n, mc.at("n").get<std::int64_t>()) << task;
    EXPECT_EQ(m.correct, mc.at("correct").get<std::int64_t>()) << task;
    EXPECT_EQ(m.correct_norm, mc.at("correct_norm").get<std::int64_t>()) << task;
    EXPECT_EQ(m.truncated, mc.at("truncated_sequences").get<std::int64_t>()) << task;
    EXPECT_EQ(m.acc, mc.at("acc").get<double>()) << task;
    EXPECT_EQ(m.acc_norm, mc.at("acc_norm").get<double>()) << task;
  }
  const eval::MetricMap flat = test.flat();
  EXPECT_NEAR(flat.at("python.ppl"), e.at("ppl").at("test").at("python").at("ppl").get<double>(),
              kRel * flat.at("python.ppl"));
  EXPECT_EQ(flat.at("prose.mc_acc"), e.at("mc").at("test").at("prose").at("acc").get<double>());
}

INSTANTIATE_TEST_SUITE_P(TinyLm, ExpectedEval,
                         ::testing::Values("base", "ft_python", "ft_c", "ft_prose", "lora_python", "diffinit_prose",
                                           "ft_python-bf16", "linear", "task_arithmetic", "ties", "lora_python_applied"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

TEST(Evaluate, BasePerDocumentNllAndChoiceScores) {
  const Fixture& f = fixture();
  const nlohmann::json details = read_json(kTinyLm / "expected" / "base_details.json");
  const LmModel model = LmModel::load(kTinyLm / "models" / "base");
  const LmReport r = evaluate(model, f.test, {.threads = 2});
  for (const LmTaskResult& t : r.tasks) {
    const auto& docs = details.at("ppl").at(t.name).at("per_doc");
    ASSERT_EQ(docs.size(), t.perplexity.doc_nll.size());
    for (std::size_t d = 0; d < docs.size(); ++d) {
      EXPECT_EQ(t.perplexity.doc_tokens[d], docs[d].at("tokens").get<std::int64_t>()) << t.name << " doc " << d;
      const double x = docs[d].at("nll").get<double>();
      EXPECT_NEAR(t.perplexity.doc_nll[d], x, kRel * x) << t.name << " doc " << d;
    }
    const auto& items = details.at("mc").at(t.name).at("per_item");
    ASSERT_EQ(items.size(), t.mc.scores.size());
    for (std::size_t i = 0; i < items.size(); ++i)
      for (std::size_t c = 0; c < t.mc.scores[i].size(); ++c) {
        const double x = items[i].at("scores")[c].get<double>();
        EXPECT_NEAR(t.mc.scores[i][c], x, kRel * std::abs(x)) << t.name << " item " << i << " choice " << c;
      }
  }
}

TEST(Evaluate, ResultDoesNotDependOnTheThreadCount) {
  const Fixture& f = fixture();
  const LmModel model = LmModel::load(kTinyLm / "models" / "ft_c");
  std::vector<TaskFiles> one = find_tasks(kTinyLm / "data", "test", {"c"});
  const auto tasks = prepare_tasks(one, &f.encoder, 12);
  const LmReport a = evaluate(model, tasks, {.threads = 1}), b = evaluate(model, tasks, {.threads = 2});
  EXPECT_EQ(a.flat(), b.flat());
  EXPECT_EQ(a.tasks[0].perplexity.docs, 12);
  EXPECT_EQ(a.tasks[0].mc.n, 12);
}

TEST(Evaluate, PreTokenizedIdsNeedNoTokenizer) {
  // The same documents as ids: identical NLL; bpb only with "bytes".
  const Fixture& f = fixture();
  testing::TempDir dir;
  std::ofstream out(dir.path / "python_test.jsonl");
  const PreparedTask& t = f.test[2];
  ASSERT_EQ(t.name, "python");
  for (std::size_t d = 0; d < 5; ++d) {
    nlohmann::json j;
    j["input_ids"] = t.docs[d].ids;
    if (d != 3) j["bytes"] = t.docs[d].bytes;
    out << j.dump() << "\n";
  }
  out.close();
  const auto ids_tasks = prepare_tasks(find_tasks(dir.path, "test"), nullptr);
  const auto text_tasks = prepare_tasks(find_tasks(kTinyLm / "data", "test", {"python"}), &f.encoder, 5);
  const LmModel model = LmModel::load(kTinyLm / "models" / "base");
  const LmReport a = evaluate(model, ids_tasks), b = evaluate(model, text_tasks);
  EXPECT_EQ(a.tasks[0].perplexity.nll_sum, b.tasks[0].perplexity.nll_sum);
  EXPECT_TRUE(std::isnan(a.tasks[0].perplexity.bpb));
  EXPECT_FALSE(a.flat().count("python.bpb"));
  EXPECT_TRUE(b.flat().count("python.bpb"));
}

TEST(Evaluate, MetricDirections) {
  EXPECT_EQ(metric_direction("python.ppl"), MetricDirection::LowerIsBetter);
  EXPECT_EQ(metric_direction("combined.bpb"), MetricDirection::LowerIsBetter);
  EXPECT_EQ(metric_direction("c.nll"), MetricDirection::LowerIsBetter);
  EXPECT_EQ(metric_direction("c.mc_acc"), MetricDirection::HigherIsBetter);
  EXPECT_EQ(metric_direction("combined.mc_acc_norm"), MetricDirection::HigherIsBetter);
  EXPECT_EQ(metric_direction("c.tokens"), MetricDirection::Count);
}

TEST(Evaluate, CancelFlagStopsTheRun) {
  const Fixture& f = fixture();
  const LmModel model = LmModel::load(kTinyLm / "models" / "base");
  std::atomic<bool> cancel{true};
  const LmReport r = evaluate(model, f.test, {.threads = 2, .cancel = &cancel});
  EXPECT_TRUE(r.cancelled);
}

}  // namespace
}  // namespace mergelab::lm

namespace mergelab::lm {
namespace {

// Packed choices (one pass per item) score exactly what each choice scores alone; truncated items (context +
// choice longer than W) keep their last W tokens.
TEST(Evaluate, PackedChoicesAndTruncationFollowTheProtocol) {
  const Fixture& f = fixture();
  const LmModel model = LmModel::load(kTinyLm / "models" / "ft_prose");
  auto tasks = prepare_tasks(find_tasks(kTinyLm / "data", "test", {"prose"}), &f.encoder, 6);
  tasks[0].docs.clear();
  tasks[0].has_perplexity = false;
  for (int W : {256, 64}) {
    const LmReport r = evaluate(model, tasks, {.window = W});
    Scratch s(model, 256);
    std::int64_t truncated = 0;
    for (std::size_t i = 0; i < tasks[0].items.size(); ++i) {
      const PreparedItem& it = tasks[0].items[i];
      for (std::size_t c = 0; c < it.choices.size(); ++c) {
        std::vector<std::int32_t> seq = it.context;
        seq.insert(seq.end(), it.choices[c].begin(), it.choices[c].end());
        if (static_cast<int>(seq.size()) > W) {
          seq.erase(seq.begin(), seq.end() - W);
          ++truncated;
        }
        const double alone = -sequence_nll(model, seq, static_cast<int>(seq.size() - it.choices[c].size()), s);
        // Same terms, summed in another order (softmax lanes over a longer row): f32 rounding apart only.
        EXPECT_NEAR(r.tasks[0].mc.scores[i][c], alone, 2e-7 * std::abs(alone)) << "W " << W << " item " << i << " choice " << c;
      }
    }
    EXPECT_EQ(r.tasks[0].mc.truncated, truncated);
    if (W == 64) EXPECT_GT(truncated, 0);
  }
}

}  // namespace
}  // namespace mergelab::lm
