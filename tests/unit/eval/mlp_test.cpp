// The built-in MLP evaluator: hand-computed tiny networks, error cases, and the PyTorch reference numbers of
// tests/data/digits (expected/merge_table.json for the trained models, expected/expected_eval.json for the
// reference merges): accuracy exactly, cross-entropy within 1e-5.
#include "core/eval/mlp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/checkpoint/checkpoint.h"
#include "tests/unit/eval/digits.h"

namespace fs = std::filesystem;
using namespace mergelab::eval;

namespace {

using mergelab::testing::kDigits;

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

// A 2 -> 2 -> 3 network with hand-picked weights.
struct Tiny {
  std::vector<float> w1{1, -1, 0.5f, 2}, b1{0, -1}, w2{1, 0, 0, 1, -1, 1}, b2{0, 0.5f, 0};
  WeightViews views() const {
    return {{"a.weight", {w1, {2, 2}}}, {"a.bias", {b1, {2}}}, {"b.weight", {w2, {3, 2}}}, {"b.bias", {b2, {3}}}};
  }
  MlpConfig config(Activation act = Activation::Relu) const {
    MlpConfig c;
    c.layers = {"a", "b"};
    c.hidden_act = act;
    return c;
  }
};

std::string load_error(const MlpConfig& c, const WeightViews& v) {
  try {
    MlpClassifier::from_weights(c, v, "m");
  } catch (const DataError& e) {
    return e.what();
  }
  return "<no error>";
}

void expect_metrics(const Metrics& m, const nlohmann::json& ref, const std::string& what) {
  EXPECT_EQ(m.rows, ref["n"].get<int64_t>()) << what;
  // Accuracy exactly: the same count of correct rows.
  EXPECT_EQ(m.correct, std::llround(ref["acc"].get<double>() * static_cast<double>(m.rows))) << what;
  EXPECT_DOUBLE_EQ(m.accuracy, ref["acc"].get<double>()) << what;
  EXPECT_NEAR(m.cross_entropy, ref["loss"].get<double>(), 1e-5) << what;
}

void expect_report(const EvalReport& r, const nlohmann::json& ref, const std::string& what) {
  ASSERT_EQ(r.tasks.size(), 3u);
  for (const auto& t : r.tasks) expect_metrics(t.metrics, ref[t.name], what + " " + t.name);
  ASSERT_TRUE(r.has_pooled);
  expect_metrics(r.pooled, ref["all"], what + " all");
  EXPECT_NEAR(r.combined_accuracy, ref["combined"]["acc"].get<double>(), 1e-12) << what;
  EXPECT_NEAR(r.combined_cross_entropy, ref["combined"]["loss"].get<double>(), 1e-5) << what;
}

}  // namespace

TEST(MlpConfig, ParsesFixtureConfig) {
  const MlpConfig c = load_mlp_config(kDigits / "models" / "base");
  EXPECT_EQ(c.layers, (std::vector<std::string>{"fc1", "fc2"}));
  EXPECT_EQ(c.hidden_act, Activation::Relu);
  EXPECT_EQ(c.layer_sizes, (std::vector<int64_t>{64, 64, 10}));
  EXPECT_EQ(c.num_labels, 10);
}

TEST(MlpConfig, Errors) {
  EXPECT_THROW(parse_mlp_config("{", "c.json"), DataError);
  EXPECT_THROW(parse_mlp_config("{}", "c.json"), DataError);
  EXPECT_THROW(parse_mlp_config(R"({"layers": []})", "c.json"), DataError);
  try {
    parse_mlp_config(R"({"layers": ["a"], "hidden_act": "softplus"})", "c.json");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()),
              "c.json: unknown activation 'softplus' (expected relu, gelu, gelu_tanh, tanh, sigmoid, silu or identity)");
  }
  EXPECT_THROW(parse_mlp_config(R"({"layers": ["a"], "layer_sizes": [2]})", "c.json"), DataError);
  EXPECT_THROW(load_mlp_config("/nonexistent"), DataError);
}

TEST(MlpClassifier, HandComputedForward) {
  Tiny tiny;
  const auto model = MlpClassifier::from_weights(tiny.config(), tiny.views());
  EXPECT_EQ(model.input_size(), 2);
  EXPECT_EQ(model.output_size(), 3);
  EXPECT_EQ(model.parameter_count(), 4u + 2 + 6 + 3);
  FeatureMatrix X(2, 2);
  X << 1, 2,   // hidden: [1-2, 0.5+4-1] = [-1, 3.5] -> relu [0, 3.5]
      -1, 0.5;  // hidden: [-1-0.5, -0.5+1-1] = [-1.5, -0.5] -> relu [0, 0]
  const LogitMatrix L = model.logits(X);
  ASSERT_EQ(L.rows(), 2);
  ASSERT_EQ(L.cols(), 3);
  // logits = h W2^T + b2, W2 rows (1,0), (0,1), (-1,1)
  EXPECT_FLOAT_EQ(L(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(L(0, 1), 4.0f);
  EXPECT_FLOAT_EQ(L(0, 2), 3.5f);
  EXPECT_FLOAT_EQ(L(1, 0), 0.0f);
  EXPECT_FLOAT_EQ(L(1, 1), 0.5f);
  EXPECT_FLOAT_EQ(L(1, 2), 0.0f);

  // Identity activation: hidden [-1, 3.5] and [-1.5, -0.5] pass unchanged.
  const auto linear = MlpClassifier::from_weights(tiny.config(Activation::Identity), tiny.views());
  const LogitMatrix L2 = linear.logits(X);
  EXPECT_FLOAT_EQ(L2(0, 2), 4.5f);
  EXPECT_FLOAT_EQ(L2(1, 0), -1.5f);
  EXPECT_FLOAT_EQ(L2(1, 1), 0.0f);

  // tanh / sigmoid / gelu on the first hidden unit of row 0 (pre-activation -1) through output 0 (= h0).
  const auto out0 = [&](Activation a) { return MlpClassifier::from_weights(tiny.config(a), tiny.views()).logits(X)(0, 0); };
  EXPECT_NEAR(out0(Activation::Tanh), std::tanh(-1.0), 1e-6);
  EXPECT_NEAR(out0(Activation::Sigmoid), 1 / (1 + std::exp(1.0)), 1e-6);
  EXPECT_NEAR(out0(Activation::Gelu), -0.15865525393145707, 1e-6);  // -Phi(-1)
  EXPECT_NEAR(out0(Activation::Silu), -1 / (1 + std::exp(1.0)), 1e-6);
}

TEST(MlpClassifier, MetricsByHand) {
  Tiny tiny;
  const auto model = MlpClassifier::from_weights(tiny.config(), tiny.views());
  Dataset d;
  d.X.resize(2, 2);
  d.X << 1, 2, -1, 0.5;
  d.labels = {1, 2};  // row 0 argmax 1 (correct); row 1 argmax 1 (wrong)
  d.source = "d";
  const Metrics m = evaluate_dataset(model, d, /*batch_rows=*/1);
  EXPECT_EQ(m.rows, 2);
  EXPECT_EQ(m.correct, 1);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.5);
  const double ce0 = std::log(std::exp(0.0) + std::exp(4.0) + std::exp(3.5)) - 4.0;
  const double ce1 = std::log(std::exp(0.0) + std::exp(0.5) + std::exp(0.0)) - 0.0;
  EXPECT_NEAR(m.cross_entropy, (ce0 + ce1) / 2, 1e-12);

  d.labels = {1, 3};
  EXPECT_THROW(evaluate_dataset(model, d), DataError);  // label beyond the 3 logits
  d.X.resize(2, 3);
  d.X.setZero();
  EXPECT_THROW(evaluate_dataset(model, d), DataError);  // 3 features for a 2-input model
}

TEST(MlpClassifier, TaskNamesMustBeDistinctAndNotReserved) {
  Tiny tiny;
  const auto model = MlpClassifier::from_weights(tiny.config(), tiny.views());
  Dataset d;
  d.X = FeatureMatrix::Zero(1, 2);
  d.labels = {0};
  d.source = "all.csv";
  TaskSet set;
  set.tasks = {{"all", d}};
  EXPECT_THROW(evaluate(model, set), DataError);
  set.tasks = {{"t", d}, {"t", d}};
  EXPECT_THROW(evaluate(model, set), DataError);
  set.tasks = {{"t", d}, {"u", d}};
  EXPECT_EQ(evaluate(model, set).tasks.size(), 2u);
}

TEST(MlpClassifier, ArgmaxTakesTheFirstMaximum) {
  MlpConfig c;
  c.layers = {"o"};
  std::vector<float> w(4 * 1, 0.0f), b{1, 3, 3, 2};
  const auto model = MlpClassifier::from_weights(c, {{"o.weight", {w, {4, 1}}}, {"o.bias", {b, {4}}}});
  Dataset d;
  d.X = FeatureMatrix::Zero(2, 1);
  d.labels = {1, 2};
  const Metrics m = evaluate_dataset(model, d);
  EXPECT_EQ(m.correct, 1);
}

TEST(MlpClassifier, ShapeErrorsNameTheTensor) {
  Tiny tiny;
  auto v = tiny.views();
  v.erase("b.weight");
  EXPECT_EQ(load_error(tiny.config(), v), "m: tensor 'b.weight': missing (named by config \"layers\")");
  v = tiny.views();
  v["b.weight"].shape = {2, 3};
  EXPECT_EQ(load_error(tiny.config(), v), "m: tensor 'b.weight': takes 3 inputs but the previous layer gives 2");
  v = tiny.views();
  v["a.bias"].values = v["a.bias"].values.first(1);
  v["a.bias"].shape = {1};
  EXPECT_EQ(load_error(tiny.config(), v), "m: tensor 'a.bias': expected shape [2], found [1]");
  auto c = tiny.config();
  c.num_labels = 10;
  EXPECT_EQ(load_error(c, tiny.views()), "m: the last layer gives 3 logits but config \"num_labels\" is 10");
  c = tiny.config();
  c.layer_sizes = {2, 4, 3};
  EXPECT_EQ(load_error(c, tiny.views()), "m: tensor 'a.weight': gives 2 outputs but config \"layer_sizes\" says 4");
}

TEST(MlpClassifier, FlatVectorWithoutShapes) {
  // Tensors laid end to end (sorted names, as a merge's flat vector), shapes inferred from the biases.
  Tiny tiny;
  std::vector<float> flat;
  for (const auto* t : {&tiny.b1, &tiny.w1, &tiny.b2, &tiny.w2}) flat.insert(flat.end(), t->begin(), t->end());
  const auto views =
      split_flat(flat, {{"a.bias", {2}}, {"a.weight", {2, 2}}, {"b.bias", {3}}, {"b.weight", {3, 2}}});
  WeightViews no_shapes = views;
  for (auto& [name, v] : no_shapes) v.shape.clear();
  const auto a = MlpClassifier::from_weights(tiny.config(), tiny.views());
  const auto b = MlpClassifier::from_weights(tiny.config(), no_shapes);
  FeatureMatrix X = FeatureMatrix::Random(5, 2);
  EXPECT_EQ(a.logits(X), b.logits(X));
  EXPECT_THROW(split_flat(flat, {{"a.bias", {2}}}), std::invalid_argument);
  EXPECT_THROW(split_flat(flat, {{"a.bias", {200}}}), std::invalid_argument);
}

TEST(MlpClassifier, SetWeightsKeepsShapes) {
  Tiny tiny;
  auto model = MlpClassifier::from_weights(tiny.config(), tiny.views());
  Tiny doubled;
  for (auto* t : {&doubled.w1, &doubled.b1, &doubled.w2, &doubled.b2})
    for (auto& x : *t) x *= 2;
  model.set_weights(doubled.views());
  FeatureMatrix X(1, 2);
  X << 1, 2;
  // hidden pre-activation: [-2, 2*(0.5+4)-2] = [-2, 7] -> [0, 7]; logits 2*W2 h + 2*b2 = [0, 14+1, 14]
  const LogitMatrix L = model.logits(X);
  EXPECT_FLOAT_EQ(L(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(L(0, 1), 15.0f);
  EXPECT_FLOAT_EQ(L(0, 2), 14.0f);
}

TEST(DigitsReference, TrainedModelsOnTestAndVal) {
  const auto table = read_json(kDigits / "expected" / "merge_table.json");
  const TaskSet test = load_data_dir(kDigits / "data", "test");
  const TaskSet val = load_data_dir(kDigits / "data", "val");
  const std::map<std::string, std::string> models = {
      {"base", "base"},
      {"ft_task0", "ft_task0 (specialist)"},
      {"ft_task1", "ft_task1 (specialist)"},
      {"ft_task2", "ft_task2 (specialist)"},
      {"multitask", "multitask (upper bound)"},
      {"diffinit_task0", "diffinit_task0 alone"},
      {"diffinit_multitask", "diffinit_multitask alone"}};
  int checked = 0;
  for (const auto& [dir, method] : models) {
    const auto model = MlpClassifier::load(kDigits / "models" / dir);
    for (const auto& row : table["rows"]) {
      if (row["method"] != method) continue;
      expect_report(evaluate(model, test), row["test"], dir + " test");
      expect_report(evaluate(model, val), row["val"], dir + " val");
      ++checked;
    }
  }
  EXPECT_EQ(checked, 7);
}

TEST(DigitsReference, ReferenceMergesOnTest) {
  const auto expected = read_json(kDigits / "expected" / "expected_eval.json");
  const TaskSet test = load_data_dir(kDigits / "data", "test");
  const MlpConfig config = load_mlp_config(kDigits / "models" / "base");
  ASSERT_EQ(expected.size(), 9u);
  for (const auto& [name, ref] : expected.items()) {
    const auto model = MlpClassifier::load(kDigits / "expected" / (name + ".safetensors"), config);
    expect_report(evaluate(model, test), ref, name);
  }
}

TEST(DigitsReference, ShardedAndHalfPrecisionCopies) {
  const TaskSet test = load_data_dir(kDigits / "data", "test");
  const auto f32 = evaluate(MlpClassifier::load(kDigits / "models" / "base"), test).flat();
  const auto sharded = evaluate(MlpClassifier::load(kDigits / "models" / "base-sharded"), test).flat();
  EXPECT_EQ(f32, sharded);  // the same F32 values split over two files
  const auto bf16 = evaluate(MlpClassifier::load(kDigits / "models" / "base-bf16"), test).flat();
  // BF16 keeps 8 bits of mantissa: the loss moves a little, not a lot.
  EXPECT_NEAR(bf16.at("combined.loss"), f32.at("combined.loss"), 0.02);
}

TEST(DigitsReference, InMemoryTaskArithmeticMatchesTheReferenceMerge) {
  // base + 0.5 * sum_i (ft_i - base), computed in double and rounded to float as the reference was,
  // evaluated straight from memory: the numbers of expected_eval.json["task_arith_a0.5"].
  using mergelab::ckpt::Checkpoint;
  const auto base = Checkpoint::open((kDigits / "models" / "base").string());
  std::vector<Checkpoint> fts;
  for (int i = 0; i < 3; ++i) fts.push_back(Checkpoint::open((kDigits / "models" / ("ft_task" + std::to_string(i))).string()));
  std::map<std::string, std::vector<float>> merged;
  WeightViews views;
  for (const auto& info : base.tensors()) {
    const Eigen::VectorXd b = base.read_vector(info.name).cast<double>();
    Eigen::VectorXd sum = Eigen::VectorXd::Zero(b.size());
    for (const auto& ft : fts) sum += ft.read_vector(info.name).cast<double>() - b;
    const Eigen::VectorXf m = (b + 0.5 * sum).cast<float>();
    merged[info.name].assign(m.data(), m.data() + m.size());
    views[info.name] = {merged[info.name], info.shape};
  }
  const auto model = MlpClassifier::from_weights(load_mlp_config(kDigits / "models" / "base"), views);
  const auto expected = read_json(kDigits / "expected" / "expected_eval.json");
  const EvalReport report = evaluate(model, load_data_dir(kDigits / "data", "test"));
  expect_report(report, expected["task_arith_a0.5"], "in-memory task arithmetic");
  const auto json = nlohmann::json::parse(report.to_json());
  EXPECT_EQ(json["all"]["n"], 359);
  EXPECT_DOUBLE_EQ(json["combined"]["acc"].get<double>(), report.combined_accuracy);
  EXPECT_DOUBLE_EQ(report.flat().at("task1.acc"), report.tasks[1].metrics.accuracy);
}
