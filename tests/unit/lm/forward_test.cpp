// The forward pass against the float64 numpy reference (tests/data/lm/reference_forward.py, golden.json):
// qwen2 (q/k/v biases, GQA, tied), llama with llama3 rope scaling (untied, head_dim given), gpt2 (Conv1D,
// transformer. prefix, attn.bias buffers) and the tinylm fixture's base; plus causality and the layouts.
#include "core/lm/forward.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/lm/config.h"
#include "core/lm/lm_error.h"
#include "core/lm/model.h"
#include "tests/unit/lm/lm_paths.h"

namespace mergelab::lm {
namespace {

using testing::kLmData;
using testing::kTinyLm;
using testing::read_json;

std::vector<std::int32_t> ids_of(const nlohmann::json& j) { return j.get<std::vector<std::int32_t>>(); }

// Per-token NLL of every golden sequence, f32 forward vs float64 reference.
void expect_matches_golden(const std::string& name, const std::filesystem::path& dir, double tol) {
  const nlohmann::json golden = read_json(kLmData / "golden.json").at(name);
  const LmModel model = LmModel::load(dir);
  Scratch s(model, model.max_tokens());
  for (const auto& seq : golden.at("sequences")) {
    const auto ids = ids_of(seq.at("ids"));
    const auto expected = seq.at("nll").get<std::vector<double>>();
    std::vector<double> got(ids.size() - 1);
    const double total = sequence_nll(model, ids, 1, s, got.data());
    double expected_total = 0;
    for (std::size_t t = 0; t < expected.size(); ++t) {
      EXPECT_NEAR(got[t], expected[t], tol * std::max(1.0, std::abs(expected[t]))) << name << " token " << t + 1;
      expected_total += expected[t];
    }
    EXPECT_NEAR(total, expected_total, tol * expected_total);
    if (seq.contains("logits")) {
      const float* h = forward_hidden(model, ids, s);
      const int V = model.config().vocab;
      std::vector<float> logits(ids.size() * V);
      logits_of(model, h, static_cast<int>(ids.size()), logits.data());
      const auto ref = seq.at("logits");
      for (std::size_t t = 0; t < ids.size(); ++t)
        for (int v = 0; v < V; ++v) {
          const double r = ref[t][v].get<double>();
          ASSERT_NEAR(logits[t * V + v], r, tol * std::max(1.0, std::abs(r))) << name << " t " << t << " v " << v;
        }
    }
  }
}

TEST(Forward, Qwen2MatchesTheNumpyReference) { expect_matches_golden("tiny_qwen2", kLmData / "tiny_qwen2", 2e-5); }
TEST(Forward, Llama3RopeScalingMatchesTheNumpyReference) {
  expect_matches_golden("tiny_llama3", kLmData / "tiny_llama3", 2e-5);
}
TEST(Forward, Gpt2MatchesTheNumpyReference) { expect_matches_golden("tiny_gpt2", kLmData / "tiny_gpt2", 2e-5); }
TEST(Forward, TinyLmBaseMatchesTheNumpyReference) {
  expect_matches_golden("tinylm_base", kTinyLm / "models" / "base", 1e-5);
}

TEST(Forward, AppendingTokensLeavesThePrefixUnchanged) {
  const LmModel model = LmModel::load(kTinyLm / "models" / "base");
  Scratch s(model, 256);
  std::vector<std::int32_t> ids;
  for (int i = 0; i < 256; ++i) ids.push_back((i * 37 + 11) % 639);
  const int H = model.config().hidden;
  for (int prefix : {1, 30, 64, 65, 200}) {
    std::vector<float> short_h(prefix * H);
    const float* h = forward_hidden(model, std::span(ids).first(prefix), s);
    std::copy_n(h, prefix * H, short_h.begin());
    h = forward_hidden(model, ids, s);
    for (int i = 0; i < prefix * H; ++i) ASSERT_EQ(h[i], short_h[i]) << "prefix " << prefix << " element " << i;
  }
}

TEST(Forward, TiedAndUntiedLayoutsGiveTheSameResult) {
  OwnedWeights w = read_checkpoint_weights(kLmData / "tiny_qwen2");
  LmConfig tied = load_lm_config(kLmData / "tiny_qwen2");
  ASSERT_TRUE(tied.tied);
  LmConfig untied = tied;
  untied.tied = false;
  EXPECT_THROW(LmModel::from_weights(untied, w.views()), LmError);  // no lm_head.weight stored
  w.values["lm_head.weight"] = w.values.at("model.embed_tokens.weight");
  w.shapes["lm_head.weight"] = w.shapes.at("model.embed_tokens.weight");
  const LmModel a = LmModel::from_weights(tied, w.views()), b = LmModel::from_weights(untied, w.views());
  Scratch sa(a, 64), sb(b, 64);
  const std::vector<std::int32_t> ids = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4};
  EXPECT_EQ(sequence_nll(a, ids, 1, sa), sequence_nll(b, ids, 1, sb));
}

TEST(Forward, RejectsIdsPastTheEmbeddingAndTooLongSequences) {
  const LmModel model = LmModel::load(kLmData / "tiny_gpt2");
  Scratch s(model, 1000);
  const std::vector<std::int32_t> bad = {1, 2, 41};
  try {
    sequence_nll(model, bad, 1, s);
    FAIL();
  } catch (const LmError& e) {
    EXPECT_STREQ(e.what(), "token id 41 is outside the model's 41 embedding rows");
  }
  try {
    sequence_nll(model, std::vector<std::int32_t>(49, 1), 1, s);  // n_positions 48
    FAIL();
  } catch (const LmError& e) {
    EXPECT_STREQ(e.what(), "position 48 is past the model's 48");
  }
}

}  // namespace
}  // namespace mergelab::lm
