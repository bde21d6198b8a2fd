// Merge in memory + evaluate: the reference merges' numbers come out without any file written.
#include "core/eval/merge_eval.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/checkpoint/checkpoint.h"
#include "tests/unit/eval/digits.h"

namespace fs = std::filesystem;
using namespace mergelab;
using namespace mergelab::eval;

namespace {

using mergelab::testing::digits_family;
using mergelab::testing::kDigits;

nlohmann::json expected(const std::string& name) {
  std::ifstream in(kDigits / "expected" / "expected_eval.json");
  return nlohmann::json::parse(in)[name];
}

void expect_matches(const EvalReport& r, const nlohmann::json& ref) {
  for (const auto& t : r.tasks) {
    EXPECT_DOUBLE_EQ(t.metrics.accuracy, ref[t.name]["acc"].get<double>()) << t.name;
    EXPECT_NEAR(t.metrics.cross_entropy, ref[t.name]["loss"].get<double>(), 1e-5) << t.name;
  }
  EXPECT_DOUBLE_EQ(r.pooled.accuracy, ref["all"]["acc"].get<double>());
  EXPECT_NEAR(r.combined_cross_entropy, ref["combined"]["loss"].get<double>(), 1e-5);
}

}  // namespace

TEST(MergeFamily, LoadsTheDigitsFamily) {
  const MergeFamily f = digits_family();
  EXPECT_EQ(f.model_count(), 3u);
  ASSERT_EQ(f.layout().size(), 4u);
  EXPECT_EQ(f.layout()[0].name, "fc1.bias");  // sorted-name order
  EXPECT_EQ(f.layout()[1].shape, (std::vector<std::uint64_t>{64, 64}));
  EXPECT_EQ(f.base().size(), 64 + 64 * 64 + 10 + 10 * 64);
}

TEST(MergeFamily, TaskArithmeticInMemoryMatchesTheReference) {
  const MergeFamily f = digits_family();
  const merge::MethodSpec* ta = merge::find_method("task_arithmetic");
  ASSERT_NE(ta, nullptr);
  merge::Params p = merge::make_params(*ta);
  p.set("lambda", 0.5);
  // The merged weights equal the reference file (computed in float64, stored F32) to ~1e-6.
  const Eigen::VectorXf merged = f.merge(*ta, p);
  const auto ref = ckpt::Checkpoint::open((kDigits / "expected" / "task_arith_a0.5.safetensors").string());
  size_t offset = 0;
  for (const auto& slot : f.layout()) {
    const Eigen::VectorXf r = ref.read_vector(slot.name);
    EXPECT_LT((merged.segment(static_cast<Eigen::Index>(offset), r.size()) - r).cwiseAbs().maxCoeff(), 1e-6f) << slot.name;
    offset += static_cast<size_t>(r.size());
  }
  const TaskSet test = load_data_dir(kDigits / "data", "test");
  expect_matches(f.evaluate(*ta, p, test), expected("task_arith_a0.5"));
  // Task arithmetic is element-wise: merging the whole vector at once gives the same weights.
  EXPECT_LT((f.merge(*ta, p, MergeScope::WholeVector) - merged).cwiseAbs().maxCoeff(), 1e-7f);
}

TEST(MergeFamily, LinearSoupMatchesTheReference) {
  const MergeFamily f = digits_family();
  const merge::MethodSpec* lin = merge::find_method("linear");
  ASSERT_NE(lin, nullptr);
  merge::Params p = merge::make_params(*lin);
  p.set("normalize", 1);  // equal weights 1, divided by their sum: the mean of the fine-tunes
  expect_matches(f.evaluate(*lin, p, load_data_dir(kDigits / "data", "test")), expected("lerp_soup"));
}

TEST(MergeFamily, MismatchedModelIsNamed) {
  const fs::path m = kDigits / "models";
  try {
    MergeFamily::load(m / "base", {m / "lora_task0"});
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("lora_task0"), std::string::npos) << e.what();
  }
}

TEST(MergeFamily, WrittenCheckpointEvaluatesLikeMemory) {
  const MergeFamily f = digits_family();
  const merge::MethodSpec* ta = merge::find_method("task_arithmetic");
  merge::Params p = merge::make_params(*ta);
  p.set("lambda", 0.7);
  const Eigen::VectorXf merged = f.merge(*ta, p);
  std::string pattern = (fs::temp_directory_path() / "mergelab_family_XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const fs::path dir = pattern;
  f.write_checkpoint(merged, dir);
  const TaskSet test = load_data_dir(kDigits / "data", "test");
  EXPECT_EQ(evaluate(MlpClassifier::load(dir), test).flat(), evaluate(f.classifier(merged), test).flat());
  fs::remove_all(dir);
}

TEST(MergeFamily, ExternalEvaluatorOnATemporaryCheckpoint) {
  const MergeFamily f = digits_family();
  const merge::MethodSpec* ta = merge::find_method("task_arithmetic");
  const merge::Params p = merge::make_params(*ta);
  ExternalEvalOptions o;
  // Reports the size of the merged file and where it was; the folder must be gone afterwards.
  o.command_template =
      "test -f {model_dir}/config.json || exit 5; echo {model_dir} >&2; "
      "echo \"{\\\"bytes\\\": $(wc -c < {model_dir}/model.safetensors)}\"";
  o.timeout_seconds = 20;
  const ExternalEvalResult r = f.evaluate_external(*ta, p, o);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_GT(r.metrics.at("bytes"), 4810 * 4);  // 4810 F32 parameters + the header
  EXPECT_LT(r.metrics.at("bytes"), 4810 * 4 + 1024);
  std::string dir = r.stderr_text;
  while (!dir.empty() && dir.back() == '\n') dir.pop_back();
  EXPECT_EQ(dir.rfind((fs::temp_directory_path() / "mergelab-merge-").string(), 0), 0u) << dir;
  EXPECT_FALSE(fs::exists(dir));
}
