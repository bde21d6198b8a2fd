// The tokenizer on the tinylm fixture (byte-level BPE, GPT-2 regex, "a b" merges): the reference ids of
// tokenizer_cases.json, round trips over every fixture text, the token totals of expected_lm_eval.json, and
// the same ids through the other spellings of the same tokenizer (pair merges, Split + ByteLevel Sequence).
#include "core/lm/tokenizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/lm/lm_error.h"
#include "tests/unit/lm/tinylm.h"
#include "tests/unit/temp_dir.h"

namespace fs = std::filesystem;
using mergelab::lm::LmError;
using mergelab::lm::Tokenizer;
using namespace mergelab::testing;

namespace {

const fs::path kBase = kTinyLm / "models" / "base";
const std::vector<std::string> kTasks = {"python", "c", "prose"};

std::vector<std::string> all_fixture_texts() {
  std::vector<std::string> texts;
  for (const auto& entry : fs::directory_iterator(kTinyLm / "data")) {
    for (const auto& row : read_jsonl(entry.path())) {
      if (row.contains("text")) texts.push_back(row["text"]);
      if (row.contains("context")) texts.push_back(row["context"]);
      if (row.contains("choices"))
        for (const auto& c : row["choices"]) texts.push_back(c);
    }
  }
  return texts;
}

// The fixture's tokenizer.json with `edit` applied, written into `dir` as a model folder.
template <class Edit>
fs::path edited_copy(const TempDir& dir, Edit edit) {
  nlohmann::json j = read_json_file(kBase / "tokenizer.json");
  edit(j);
  dir.write("tokenizer.json", j.dump());
  return dir.path / "tokenizer.json";
}

}  // namespace

TEST(TinyLmTokenizer, ReadsTheConfig) {
  const Tokenizer tok = Tokenizer::load(kBase);
  EXPECT_TRUE(tok.add_bos());
  EXPECT_EQ(tok.bos_id(), 639);
  EXPECT_EQ(tok.eos_id(), 639);
  EXPECT_EQ(tok.vocab_size(), 640);
  EXPECT_EQ(tok.token(639), "<|endoftext|>");
  EXPECT_EQ(tok.token(220), "\xC4\xA0");  // byte ' ' is 'Ġ' (U+0120) in the GPT-2 table
  // Loaded from the file alone there is no tokenizer_config.json: no BOS.
  const Tokenizer bare = Tokenizer::load(kBase / "tokenizer.json");
  EXPECT_FALSE(bare.add_bos());
  EXPECT_FALSE(bare.bos_id().has_value());
}

TEST(TinyLmTokenizer, MatchesTheReferenceIds) {
  const Tokenizer tok = Tokenizer::load(kBase);
  const auto cases = read_json_file(kTinyLm / "expected" / "tokenizer_cases.json").at("cases");
  ASSERT_EQ(cases.size(), 11u);
  for (const auto& c : cases) {
    const std::string text = c.at("text");
    std::vector<std::int32_t> ids = {*tok.bos_id()};  // the listed ids include BOS
    const auto body = tok.encode(text);
    ids.insert(ids.end(), body.begin(), body.end());
    EXPECT_EQ(ids, c.at("ids").get<std::vector<std::int32_t>>()) << "text: " << text;
  }
}

TEST(TinyLmTokenizer, DecodeInvertsEncodeOnEveryFixtureText) {
  const Tokenizer tok = Tokenizer::load(kBase);
  const auto texts = all_fixture_texts();
  ASSERT_EQ(texts.size(), 3u * (200 + 60 + 60) + 3u * 60 * 5);  // text docs + MC contexts and 4 choices each
  std::size_t failures = 0;
  for (const auto& text : texts) {
    const auto ids = tok.encode(text);
    if (tok.decode(ids) != text && ++failures <= 3) ADD_FAILURE() << "round trip changed: " << text.substr(0, 80);
  }
  EXPECT_EQ(failures, 0u);
}

// expected_lm_eval.json: for each split, ids = sum over documents of (1 + |encode(text)|) and windows = sum of
// ceil(ids_doc / W), W = 256; predicted tokens = ids - windows (python 20003, c 22859, prose 22458 on test).
TEST(TinyLmTokenizer, TokenTotalsMatchTheEvaluationReference) {
  const Tokenizer tok = Tokenizer::load(kBase);
  const auto expected = read_json_file(kTinyLm / "expected" / "expected_lm_eval.json");
  const int window = expected.at("window");
  ASSERT_EQ(window, 256);
  for (const std::string split : {"test", "val"}) {
    for (const auto& task : kTasks) {
      const auto& ref = expected.at("models").at("base").at("ppl").at(split).at(task);
      long ids = 0, windows = 0, bytes = 0;
      const auto texts = tinylm_texts(task, split);
      for (const auto& text : texts) {
        const long n = 1 + static_cast<long>(tok.encode(text).size());
        ids += n;
        windows += (n + window - 1) / window;
        bytes += static_cast<long>(text.size());
      }
      EXPECT_EQ(static_cast<long>(texts.size()), ref.at("docs").get<long>()) << split << " " << task;
      EXPECT_EQ(bytes, ref.at("bytes").get<long>()) << split << " " << task;
      EXPECT_EQ(ids, ref.at("ids").get<long>()) << split << " " << task;
      EXPECT_EQ(windows, ref.at("windows").get<long>()) << split << " " << task;
      EXPECT_EQ(ids - windows, ref.at("tokens").get<long>()) << split << " " << task;
    }
  }
}

TEST(TinyLmTokenizer, PairFormMergesGiveTheSameIds) {
  const TempDir dir("lm_tok");
  const fs::path file = edited_copy(dir, [](nlohmann::json& j) {
    auto& merges = j["model"]["merges"];
    for (auto& m : merges) {
      const std::string s = m;
      m = nlohmann::json::array({s.substr(0, s.find(' ')), s.substr(s.find(' ') + 1)});
    }
  });
  const Tokenizer strings = Tokenizer::load(kBase / "tokenizer.json");
  const Tokenizer pairs = Tokenizer::load(file);
  ASSERT_TRUE(read_json_file(file)["model"]["merges"][0].is_array());
  for (const auto& task : kTasks)
    for (const auto& text : tinylm_texts(task, "test")) ASSERT_EQ(pairs.encode(text), strings.encode(text));
}

// Llama-3 / Qwen2 spell byte-level BPE as Sequence[Split(regex, Isolated), ByteLevel(use_regex false)]; with
// the GPT-2 regex in the Split that must be the very same tokenizer as ByteLevel(use_regex true).
TEST(TinyLmTokenizer, SplitRegexSequenceGivesTheSameIds) {
  const TempDir dir("lm_tok");
  const fs::path file = edited_copy(dir, [](nlohmann::json& j) {
    j["pre_tokenizer"] = nlohmann::json::parse(R"({"type": "Sequence", "pretokenizers": [
      {"type": "Split", "pattern": {"Regex": "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"},
       "behavior": "Isolated", "invert": false},
      {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]})");
  });
  const Tokenizer reference = Tokenizer::load(kBase / "tokenizer.json");
  const Tokenizer sequence = Tokenizer::load(file);
  for (const auto& task : kTasks)
    for (const auto& text : tinylm_texts(task, "test")) ASSERT_EQ(sequence.encode(text), reference.encode(text));
}

TEST(TinyLmTokenizer, AddedTokenInTheMiddleOfText) {
  const Tokenizer tok = Tokenizer::load(kBase);
  const auto a = tok.encode("x = 1");
  const auto b = tok.encode(" y");
  std::vector<std::int32_t> expected = a;
  expected.push_back(639);
  expected.insert(expected.end(), b.begin(), b.end());
  EXPECT_EQ(tok.encode("x = 1<|endoftext|> y"), expected);
  // Longest match, and a partial token is plain text.
  EXPECT_EQ(tok.encode("<|endoftext|><|endoftext|>"), (std::vector<std::int32_t>{639, 639}));
  EXPECT_NE(tok.encode("<|endoftext|")[0], 639);
  EXPECT_EQ(tok.decode(tok.encode("x = 1<|endoftext|> y")), "x = 1<|endoftext|> y");
}

TEST(TinyLmTokenizer, ConcurrentEncodesAgree) {
  const Tokenizer tok = Tokenizer::load(kBase);
  const auto texts = tinylm_texts("prose", "test");
  std::vector<std::vector<std::int32_t>> serial;
  for (const auto& t : texts) serial.push_back(tok.encode(t));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k)
    threads.emplace_back([&, k] {
      for (int round = 0; round < 3; ++round)
        for (std::size_t i = 0; i < texts.size(); ++i) mismatches[k] += tok.encode(texts[i]) != serial[i];
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST(TinyLmTokenizer, AddedTokenOptions) {
  const TempDir dir("lm_tok");
  const fs::path file = edited_copy(dir, [](nlohmann::json& j) {
    const auto token = [](int id, const char* content, bool lstrip, bool rstrip, bool single_word) {
      return nlohmann::json{{"id", id}, {"content", content}, {"single_word", single_word}, {"lstrip", lstrip},
                            {"rstrip", rstrip}, {"normalized", false}, {"special", true}};
    };
    j["added_tokens"].push_back(token(640, "<mask>", true, false, false));
    j["added_tokens"].push_back(token(641, "[X]", false, true, false));
    j["added_tokens"].push_back(token(642, "cat", false, false, true));
  });
  const Tokenizer tok = Tokenizer::load(file);
  const Tokenizer plain = Tokenizer::load(kBase / "tokenizer.json");
  EXPECT_EQ(tok.vocab_size(), 643);
  const auto concat = [](std::vector<std::vector<std::int32_t>> parts) {
    std::vector<std::int32_t> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
  };
  // lstrip: "<mask>" also takes the spaces before it.
  EXPECT_EQ(tok.encode("a  <mask> b"), concat({plain.encode("a"), {640}, plain.encode(" b")}));
  // rstrip: "[X]" takes the whitespace after it.
  EXPECT_EQ(tok.encode("[X] \n y"), concat({{641}, plain.encode("y")}));
  // single_word: "cat" only where no letter, digit or '_' touches it.
  EXPECT_EQ(tok.encode("cat concat cat_ (cat)"),
            concat({{642}, plain.encode(" concat cat_ ("), {642}, plain.encode(")")}));
}

TEST(TinyLmTokenizer, NfcNormalizer) {
  const TempDir dir("lm_tok");
  const fs::path file = edited_copy(dir, [](nlohmann::json& j) { j["normalizer"] = {{"type", "NFC"}}; });
  const Tokenizer nfc = Tokenizer::load(file);
  const Tokenizer plain = Tokenizer::load(kBase / "tokenizer.json");
  const std::string composed = "caf\xC3\xA9 \xC3\x85", decomposed = "cafe\xCC\x81 A\xCC\x8A";  // é, Å
  EXPECT_NE(plain.encode(decomposed), plain.encode(composed));
  EXPECT_EQ(nfc.encode(decomposed), plain.encode(composed));
  EXPECT_EQ(nfc.encode(composed), plain.encode(composed));
}
