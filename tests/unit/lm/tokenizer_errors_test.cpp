// Every refusal of Tokenizer::load names the file and the problem; broken files (truncated, bytes flipped:
// a seeded list, no fuzzer) are refused with an LmError or load into a tokenizer that still works, never a
// crash or another exception type.
#include "core/lm/tokenizer.h"

#include <gtest/gtest.h>

#include <random>

#include "core/lm/lm_error.h"
#include "tests/unit/lm/tinylm.h"
#include "tests/unit/temp_dir.h"

namespace fs = std::filesystem;
using namespace mergelab::lm;
using namespace mergelab::testing;

namespace {

const fs::path kBaseJson = kTinyLm / "models" / "base" / "tokenizer.json";

std::string load_error(const fs::path& path) {
  try {
    Tokenizer::load(path);
  } catch (const LmError& e) {
    return e.what();
  }
  return "<no error>";
}

// The message of loading the fixture's tokenizer.json after `edit`, with the file path replaced by "FILE".
template <class Edit>
std::string edited_error(Edit edit) {
  const TempDir dir("lm_err");
  nlohmann::json j = read_json_file(kBaseJson);
  edit(j);
  dir.write("tokenizer.json", j.dump());
  std::string message = load_error(dir.path / "tokenizer.json");
  const std::string file = (dir.path / "tokenizer.json").string();
  if (message.starts_with(file)) message = "FILE" + message.substr(file.size());
  return message;
}

}  // namespace

TEST(TokenizerErrors, MissingFiles) {
  const TempDir dir("lm_err");
  EXPECT_EQ(load_error(dir.path), dir.path.string() + ": no tokenizer.json in this folder");
  EXPECT_EQ(load_error(dir.path / "nope.json"), (dir.path / "nope.json").string() + ": no such file or folder");
}

TEST(TokenizerErrors, MalformedJson) {
  const TempDir dir("lm_err");
  dir.write("tokenizer.json", "{\"model\": {\"type\": \"BPE\",");
  EXPECT_TRUE(load_error(dir.path).starts_with((dir.path / "tokenizer.json").string() + ": malformed JSON: "));
  dir.write("tokenizer.json", "[1, 2]");
  EXPECT_EQ(load_error(dir.path), (dir.path / "tokenizer.json").string() + ": expected a JSON object at the top level");
  // A number past double's range is nlohmann's out_of_range, not its parse_error (scene_fuzz found it in the
  // scene reader, which caught only parse_error as this one did): still one LmError naming the file.
  dir.write("tokenizer.json", "{\"model\": {\"type\": \"BPE\", \"dropout\": 1e999}}");
  EXPECT_TRUE(load_error(dir.path).starts_with((dir.path / "tokenizer.json").string() + ": malformed JSON: "))
      << load_error(dir.path);
}

TEST(TokenizerErrors, UnsupportedModels) {
  EXPECT_EQ(edited_error([](auto& j) { j["model"]["type"] = "WordPiece"; }),
            "FILE: model type 'WordPiece' is not supported (only BPE)");
  EXPECT_EQ(edited_error([](auto& j) { j["model"] = {{"type", "Unigram"}, {"vocab", nlohmann::json::array()}}; }),
            "FILE: model type 'Unigram' is not supported (only BPE)");
  EXPECT_EQ(edited_error([](auto& j) { j["model"]["dropout"] = 0.1; }),
            "FILE: model: BPE dropout 0.1 is not supported (encoding must be deterministic)");
  EXPECT_EQ(edited_error([](auto& j) { j["model"]["continuing_subword_prefix"] = "##"; }),
            "FILE: model: continuing_subword_prefix '##' is not supported (byte-level and SentencePiece BPE have none)");
  EXPECT_EQ(edited_error([](auto& j) { j.erase("model"); }), "FILE: no \"model\" object");
}

TEST(TokenizerErrors, UnsupportedPipelineSteps) {
  EXPECT_EQ(edited_error([](auto& j) { j["normalizer"] = {{"type", "NFKC"}}; }),
            "FILE: normalizer: normalizer 'NFKC' is not supported (supported: NFC, Prepend, Replace, Sequence)");
  EXPECT_EQ(edited_error([](auto& j) { j["pre_tokenizer"] = {{"type", "BertPreTokenizer"}}; }),
            "FILE: pre_tokenizer: pre-tokenizer 'BertPreTokenizer' is not supported (supported: ByteLevel, Split, Digits, Metaspace, Sequence)");
  EXPECT_EQ(edited_error([](auto& j) { j["decoder"] = {{"type", "WordPiece"}}; }),
            "FILE: decoder: decoder 'WordPiece' is not supported (supported: ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace, Sequence)");
}

TEST(TokenizerErrors, BadMergesAndVocab) {
  EXPECT_EQ(edited_error([](auto& j) { j["model"]["merges"][5] = "Ġ zzz"; }),
            "FILE: model.merges[5] ('Ġ', 'zzz'): 'zzz' is not in model.vocab");
  EXPECT_EQ(edited_error([](auto& j) { j["model"]["merges"][2] = "i i"; }),
            "FILE: model.merges[2] ('i', 'i'): the merged token 'ii' is not in model.vocab");
  EXPECT_EQ(edited_error([](auto& j) { j["model"]["merges"][0] = "ĠĠ"; }),
            "FILE: model.merges[0]: 'ĠĠ' is not two tokens separated by one space");
  EXPECT_EQ(edited_error([](auto& j) { j["model"]["merges"][0] = {"a"}; }),
            "FILE: model.merges[0]: a merge must be \"a b\" or [\"a\", \"b\"]");
  EXPECT_EQ(edited_error([](auto& j) { j["model"]["vocab"]["a"] = "x"; }), "FILE: model.vocab['a']: the id must be an integer");
  EXPECT_EQ(edited_error([](auto& j) { j["added_tokens"][0]["id"] = 50000000; }),
            "FILE: token id 50000000 is far past the 641 entries of model.vocab and added_tokens");
  // 'b' has id 65 (GPT-2 byte order: '!' is 0).
  EXPECT_EQ(edited_error([](auto& j) { j["model"]["vocab"]["a"] = 65; }), "FILE: model.vocab: tokens 'a' and 'b' share id 65");
}

TEST(TokenizerErrors, ConfigTokenNotInTheVocabulary) {
  const TempDir dir("lm_err");
  fs::copy_file(kBaseJson, dir.path / "tokenizer.json");
  dir.write("tokenizer_config.json", R"({"add_bos_token": true, "bos_token": "<s>"})");
  EXPECT_EQ(load_error(dir.path), (dir.path / "tokenizer_config.json").string() + ": bos_token '<s>' is not a token of " +
                                      (dir.path / "tokenizer.json").string());
  dir.write("tokenizer_config.json", R"({"add_bos_token": "yes"})");
  EXPECT_EQ(load_error(dir.path), (dir.path / "tokenizer_config.json").string() + ": \"add_bos_token\" must be true or false");
}

TEST(TokenizerErrors, DecodeOfIdsOutsideTheVocabulary) {
  const Tokenizer tok = Tokenizer::load(kBaseJson);
  const std::vector<std::int32_t> past = {72, 640}, negative = {-1};
  EXPECT_THROW(
      {
        try {
          tok.decode(past);
        } catch (const LmError& e) {
          EXPECT_EQ(std::string(e.what()), kBaseJson.string() + ": token id 640 is not in the vocabulary (size 640)");
          throw;
        }
      },
      LmError);
  EXPECT_THROW(tok.decode(negative), LmError);
  EXPECT_THROW(tok.token(640), LmError);
}

// Seeded corruptions of the fixture's tokenizer.json: 32 truncations and 160 files with 1..4 bytes replaced.
TEST(TokenizerErrors, BrokenFilesAreRefusedOrStillWork) {
  std::ifstream in(kBaseJson, std::ios::binary);
  const std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(original.size(), 10000u);
  std::vector<std::string> variants;
  for (int k = 0; k < 32; ++k) variants.push_back(original.substr(0, original.size() * k / 32));
  std::mt19937 rng(20261202);
  const std::string alphabet = "{}[]\",:0123456789 -ab\\\x80\xC4\xFF";
  for (int k = 0; k < 160; ++k) {
    std::string v = original;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) v[rng() % v.size()] = alphabet[rng() % alphabet.size()];
    variants.push_back(std::move(v));
  }
  const TempDir dir("lm_err");
  int refused = 0, loaded = 0;
  for (const auto& v : variants) {
    dir.write("tokenizer.json", v);
    try {
      const Tokenizer tok = Tokenizer::load(dir.path / "tokenizer.json");
      const auto ids = tok.encode("def f(x):\n    return x  # caf\xC3\xA9 <|endoftext|>");
      (void)tok.decode(ids);
      ++loaded;
    } catch (const LmError& e) {
      EXPECT_TRUE(std::string(e.what()).starts_with((dir.path / "tokenizer.json").string() + ": ")) << e.what();
      ++refused;
    }
  }
  EXPECT_EQ(refused + loaded, 192);
  EXPECT_GE(refused, 32);  // every truncation at least
}
