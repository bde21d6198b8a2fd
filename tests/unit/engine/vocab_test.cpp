// Vocabulary mismatches on hand-made variants of the tiny Llama family (tests/data/tinylm: 640 tokens): a copy
// padded to 700 rows with 60 added tokens, a copy truncated to 600 rows (config.json vocab_size 600), and a copy
// whose tokenizer and rows swap two tokens. Without tokenizer_source the merge is refused before it starts; with
// one, embed_tokens and lm_head are merged token by token as mergekit's PermutedEmbeddings does (its default rows:
// the only model that has a token, else the base, else the mean of the models that have it, else zeros).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/writer.h"
#include "core/engine/engine.h"
#include "core/engine/vocab.h"
#include "core/lm/model.h"
#include "core/recipe/mergekit_yaml.h"
#include "tests/unit/engine/run_options.h"
#include "tests/unit/temp_dir.h"

using namespace mergelab;
namespace fs = std::filesystem;

namespace {
const std::string kModels = std::string(MERGELAB_TEST_DATA) + "/tinylm/models";
using mergelab::testing::quiet;
using mergelab::testing::TempDir;
constexpr int kRows = 640, kWidth = 96;
const std::vector<std::string> kVocabTensors = {"model.embed_tokens.weight", "lm_head.weight"};

nlohmann::json json_of(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

/// A copy of tinylm model `from` in `dir` whose vocabulary tensors have `rows` rows: extra rows get `fill`
/// times (row + col / 100), and `rows` - 640 added tokens "<extra_k>"; fewer rows set config.json vocab_size. With
/// `swap`, the ids of tokens "a" and "b" are swapped in tokenizer.json and their rows in both tensors.
void make_variant(const std::string& from, const std::string& dir, int rows, float fill = 0.f, bool swap = false) {
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(kModels + "/" + from))
    if (e.path().filename() != "model.safetensors") fs::copy_file(e.path(), dir + "/" + e.path().filename().string());
  for (const auto& e : fs::directory_iterator(dir)) fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  const auto src = ckpt::Checkpoint::open(kModels + "/" + from);
  nlohmann::json tok = json_of(dir + "/tokenizer.json");
  const int a = tok["model"]["vocab"]["a"], b = tok["model"]["vocab"]["b"];
  std::vector<ckpt::TensorData> data;
  for (const auto& t : src.tensors()) {
    const Eigen::VectorXf v = src.read_vector(t.name);
    std::vector<float> values(v.data(), v.data() + v.size());
    std::vector<std::uint64_t> shape = t.shape;
    if (std::find(kVocabTensors.begin(), kVocabTensors.end(), t.name) != kVocabTensors.end()) {
      values.resize(static_cast<size_t>(rows) * kWidth);
      for (int r = kRows; r < rows; ++r)
        for (int c = 0; c < kWidth; ++c) values[static_cast<size_t>(r * kWidth + c)] = fill * (static_cast<float>(r) + c / 100.f);
      if (swap)
        for (int c = 0; c < kWidth; ++c) std::swap(values[static_cast<size_t>(a * kWidth + c)], values[static_cast<size_t>(b * kWidth + c)]);
      shape[0] = static_cast<std::uint64_t>(rows);
    }
    data.push_back({{t.name, t.dtype, shape}, values});
  }
  ckpt::write_safetensors(dir + "/model.safetensors", data);
  for (int r = kRows; r < rows; ++r)
    tok["added_tokens"].push_back({{"id", r}, {"content", "<extra_" + std::to_string(r) + ">"}, {"special", true},
                                   {"single_word", false}, {"lstrip", false}, {"rstrip", false}, {"normalized", false}});
  if (swap) tok["model"]["vocab"]["a"] = b, tok["model"]["vocab"]["b"] = a;
  std::ofstream(dir + "/tokenizer.json") << tok.dump();
  nlohmann::json cfg = json_of(dir + "/config.json");
  cfg["vocab_size"] = rows;
  std::ofstream(dir + "/config.json") << cfg.dump(2);
}

/// A linear merge (every weight 1: the mean) of `models` with an optional tokenizer_source, from a YAML in `dir`.
recipe::Recipe linear(const TempDir& dir, const std::vector<std::string>& models, const std::string& tokenizer_source) {
  std::string y = "merge_method: linear\nmodels:\n";
  for (const auto& m : models) y += "  - model: " + m + "\n    parameters: {weight: 1.0}\n";
  if (!tokenizer_source.empty()) y += "tokenizer_source: " + tokenizer_source + "\n";
  y += "dtype: float32\n";
  dir.write("linear.yml", y);
  return recipe::read_mergekit_yaml(dir / "linear.yml");
}

std::string error_of(const recipe::Recipe& r) {
  try {
    engine::plan_merge(r);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

Eigen::VectorXf row(const ckpt::Checkpoint& c, const std::string& t, int r) {
  return c.read_vector(t).segment(static_cast<Eigen::Index>(r) * kWidth, kWidth);
}
}  // namespace

TEST(Vocab, WithoutTokenizerSourceDifferentSizesAreRefusedNamingModelsAndSizes) {
  TempDir tmp;
  make_variant("ft_c", tmp / "padded", 700, 0.5f);
  const std::string base = kModels + "/base";
  EXPECT_EQ(error_of(linear(tmp, {base, tmp / "padded"}, "")),
            tmp / "linear.yml" + ": vocabulary sizes differ: 'lm_head.weight' has 640 rows in " + base + " and 700 in " +
                tmp / "padded" + "; add 'tokenizer_source: base' (or the model whose tokenizer the output keeps) to merge "
                "the embeddings token by token as mergekit does");
  // The same in a slices: recipe.
  tmp.write("s.yml", "merge_method: slerp\nbase_model: " + base + "\nparameters: {t: 0.5}\nslices:\n  - sources:\n" +
                         "      - {model: " + base + ", layer_range: [0, 3]}\n      - {model: " + tmp / "padded" +
                         ", layer_range: [0, 3]}\n");
  EXPECT_NE(error_of(recipe::read_mergekit_yaml(tmp / "s.yml")).find("vocabulary sizes differ: 'lm_head.weight' has 640 rows"),
            std::string::npos);
}

TEST(Vocab, TokenizerSourceBaseKeepsTheBaseTokensAndDropsTheExtraRows) {
  TempDir tmp;
  make_variant("ft_c", tmp / "padded", 700, 0.5f);
  const std::string base = kModels + "/base";
  engine::merge_checkpoints(linear(tmp, {base, tmp / "padded"}, "base"), quiet(tmp / "out"));
  const auto out = ckpt::Checkpoint::open(tmp / "out");
  const auto b = ckpt::Checkpoint::open(base), c = ckpt::Checkpoint::open(kModels + "/ft_c");
  for (const auto& t : out.tensors()) {  // every tensor, the vocabulary ones cut to 640 rows: the plain mean
    SCOPED_TRACE(t.name);
    EXPECT_EQ(t.shape, b.find(t.name)->shape);
    EXPECT_TRUE(out.read_vector(t.name).isApprox(((b.read_vector(t.name) + c.read_vector(t.name)) / 2).eval(), 1e-6f));
  }
  EXPECT_EQ(json_of(tmp / "out/config.json").at("vocab_size"), 640);
}

TEST(Vocab, TokenizerSourceModelAddsItsTokensWithMergekitsDefaultRows) {
  // base (640 tokens) + two models padded to 700 that both have the 60 added tokens: the output has 700 rows; an
  // added token is missing from the base only, so the base's row is the mean of the two models' rows (mergekit:
  // present in several models, not in the base), and the merge of the three is that mean.
  TempDir tmp;
  make_variant("ft_c", tmp / "pad_a", 700, 0.5f);
  make_variant("ft_python", tmp / "pad_b", 700, -0.25f);
  const std::string base = kModels + "/base";
  engine::merge_checkpoints(linear(tmp, {base, tmp / "pad_a", tmp / "pad_b"}, tmp / "pad_a"), quiet(tmp / "out"));
  const auto out = ckpt::Checkpoint::open(tmp / "out");
  const auto b = ckpt::Checkpoint::open(base), pa = ckpt::Checkpoint::open(tmp / "pad_a"),
             pb = ckpt::Checkpoint::open(tmp / "pad_b");
  for (const auto& t : kVocabTensors) {
    SCOPED_TRACE(t);
    EXPECT_EQ(out.find(t)->shape, (std::vector<std::uint64_t>{700, kWidth}));
    for (int r : {0, 5, 639}) {
      const Eigen::VectorXf want = (row(b, t, r) + row(pa, t, r) + row(pb, t, r)) / 3;
      EXPECT_TRUE(row(out, t, r).isApprox(want, 1e-6f)) << r;
    }
    for (int r : {640, 655, 699}) {
      const Eigen::VectorXf mean = (row(pa, t, r) + row(pb, t, r)) / 2;
      EXPECT_TRUE(row(out, t, r).isApprox(mean, 1e-6f)) << r;
      EXPECT_NEAR(row(out, t, r)[0], (0.5f * r - 0.25f * r) / 2, 1e-4);  // by hand: fill * row, col 0
    }
  }
  EXPECT_EQ(json_of(tmp / "out/config.json").at("vocab_size"), 700);
  EXPECT_EQ(lm::LmModel::load(tmp / "out").config().vocab, 700);  // config and tensors agree
}

TEST(Vocab, TokensOnlyOneModelHasComeFromIt) {
  // base (640) + a copy truncated to 600 rows (vocab_size 600): tokens 600..639 only the base has, so the
  // truncated model's rows there are the base's and the mean is the base's row exactly.
  TempDir tmp;
  make_variant("ft_c", tmp / "short", 600);
  const std::string base = kModels + "/base";
  engine::merge_checkpoints(linear(tmp, {base, tmp / "short"}, "base"), quiet(tmp / "out"));
  const auto out = ckpt::Checkpoint::open(tmp / "out");
  const auto b = ckpt::Checkpoint::open(base), c = ckpt::Checkpoint::open(kModels + "/ft_c");
  for (const auto& t : kVocabTensors) {
    EXPECT_EQ(out.find(t)->shape[0], 640u);
    EXPECT_TRUE(row(out, t, 10).isApprox(((row(b, t, 10) + row(c, t, 10)) / 2).eval(), 1e-6f));
    for (int r : {600, 620, 639}) EXPECT_EQ(row(out, t, r), row(b, t, r)) << t << " " << r;
  }
}

TEST(Vocab, TokensAreMatchedByTextNotById) {
  // ft_c with tokens "a" and "b" swapped in its tokenizer and rows: with tokenizer_source base the merge is bit for
  // bit the merge of the unswapped ft_c (which, sharing the base's tokenizer, re-orders nothing).
  TempDir tmp;
  make_variant("ft_c", tmp / "swapped", kRows, 0.f, true);
  const std::string base = kModels + "/base";
  engine::merge_checkpoints(linear(tmp, {base, tmp / "swapped"}, "base"), quiet(tmp / "a"));
  const recipe::Recipe plain = linear(tmp, {base, kModels + "/ft_c"}, "base");
  EXPECT_EQ(engine::plan_merge(plain).tensors[0].vocab, nullptr);  // nothing to re-order
  engine::merge_checkpoints(plain, quiet(tmp / "b"));
  engine::merge_checkpoints(linear(tmp, {base, kModels + "/ft_c"}, ""), quiet(tmp / "c"));
  const auto a = ckpt::Checkpoint::open(tmp / "a"), b = ckpt::Checkpoint::open(tmp / "b"), c = ckpt::Checkpoint::open(tmp / "c");
  for (const auto& t : a.tensors()) {
    EXPECT_EQ(a.read_vector(t.name), b.read_vector(t.name)) << t.name;
    EXPECT_EQ(b.read_vector(t.name), c.read_vector(t.name)) << t.name;
  }
}

TEST(Vocab, PassthroughSliceGetsZerosForTokensNoInputHas) {
  // A frankenmerge whose first and last slices come from the base, with the padded model's tokenizer: the 60 added
  // tokens are in no input of the embedding and lm_head merges, so their rows are zeros (mergekit warns and does so).
  TempDir tmp;
  make_variant("ft_c", tmp / "padded", 700, 0.5f);
  const std::string base = kModels + "/base";
  tmp.write("f.yml", "merge_method: passthrough\nslices:\n  - sources:\n      - {model: " + base +
                         ", layer_range: [0, 2]}\n  - sources:\n      - {model: " + tmp / "padded" +
                         ", layer_range: [1, 2]}\n  - sources:\n      - {model: " + base +
                         ", layer_range: [2, 3]}\ntokenizer_source: " + tmp / "padded" + "\n");
  engine::merge_checkpoints(recipe::read_mergekit_yaml(tmp / "f.yml"), quiet(tmp / "out"));
  const auto out = ckpt::Checkpoint::open(tmp / "out");
  const auto b = ckpt::Checkpoint::open(base);
  for (const auto& t : kVocabTensors) {
    EXPECT_EQ(out.find(t)->shape[0], 700u);
    EXPECT_EQ(row(out, t, 7), row(b, t, 7));
    EXPECT_EQ(row(out, t, 650), Eigen::VectorXf::Zero(kWidth));
  }
  const auto cfg = json_of(tmp / "out/config.json");
  EXPECT_EQ(cfg.at("vocab_size"), 700);
  EXPECT_EQ(cfg.at("num_hidden_layers"), 4);
}

TEST(Vocab, TokenizerSourceWithoutTokenizerFilesIsRefused) {
  TempDir tmp;
  make_variant("ft_c", tmp / "padded", 700, 0.5f);
  fs::create_directories(tmp / "notok");
  fs::copy_file(tmp / "padded/model.safetensors", tmp / "notok/model.safetensors");
  fs::copy_file(tmp / "padded/config.json", tmp / "notok/config.json");
  EXPECT_EQ(error_of(linear(tmp, {kModels + "/base", tmp / "notok"}, tmp / "notok")),
            tmp / "linear.yml" + ": tokenizer_source '" + tmp / "notok" + "' has no tokenizer.json or vocab.json (looked in " +
                tmp / "notok" + ")");
}
