// The BPE merge loop (rank scan for short pieces, heap for long ones) pinned to a step-by-step reference
// written from the definition, on the tinylm fixture's merges.
#include "core/lm/tokenizer.h"

#include <gtest/gtest.h>

#include <climits>
#include <map>

#include "core/lm/bpe.h"
#include "core/lm/lm_error.h"
#include "tests/unit/lm/tinylm.h"
#include "tests/unit/temp_dir.h"

namespace fs = std::filesystem;
using namespace mergelab::lm;
using namespace mergelab::testing;
using Ids = std::vector<std::int32_t>;

namespace {

// GPT-2's bytes_to_unicode, written out from its definition (independent of core/lm/byte_level).
std::string byte_char(int b) {
  int cp = b;
  if (!((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255))) {
    int n = 0;
    for (int k = 0; k < b; ++k)
      if (!((k >= 33 && k <= 126) || (k >= 161 && k <= 172) || (k >= 174 && k <= 255))) ++n;
    cp = 256 + n;
  }
  std::string s;
  if (cp < 0x80) s += static_cast<char>(cp);
  else {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

// Repeatedly merge the leftmost occurrence of the lowest-ranked adjacent pair, one merge at a time.
Ids reference_bpe(const std::string& bytes, const nlohmann::json& model) {
  std::map<std::pair<std::string, std::string>, int> rank;
  int r = 0;
  for (const auto& m : model["merges"]) {
    const std::string s = m;
    rank[{s.substr(0, s.find(' ')), s.substr(s.find(' ') + 1)}] = r++;
  }
  std::vector<std::string> symbols;
  for (const char c : bytes) symbols.push_back(byte_char(static_cast<unsigned char>(c)));
  for (;;) {
    int best = INT_MAX;
    std::size_t at = 0;
    for (std::size_t k = 0; k + 1 < symbols.size(); ++k) {
      const auto it = rank.find({symbols[k], symbols[k + 1]});
      if (it != rank.end() && it->second < best) {
        best = it->second;
        at = k;
      }
    }
    if (best == INT_MAX) break;
    symbols[at] += symbols[at + 1];
    symbols.erase(symbols.begin() + static_cast<std::ptrdiff_t>(at) + 1);
  }
  Ids ids;
  for (const auto& s : symbols) ids.push_back(model["vocab"][s].get<std::int32_t>());
  return ids;
}

}  // namespace

// With ByteLevel(use_regex false) a whole document is one piece: hundreds of symbols, the heap path.
TEST(BpeMerges, WholeDocumentsMatchTheReference) {
  const TempDir dir("lm_bpe");
  nlohmann::json j = read_json_file(kTinyLm / "models" / "base" / "tokenizer.json");
  j["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}};
  dir.write("tokenizer.json", j.dump());
  const Tokenizer tok = Tokenizer::load(dir.path / "tokenizer.json");
  int checked = 0;
  for (const char* task : {"python", "c", "prose"}) {
    const auto texts = tinylm_texts(task, "test");
    for (std::size_t i = 0; i < 8; ++i) {
      ASSERT_GT(texts[i].size(), BpeModel::kScanLimit);
      ASSERT_EQ(tok.encode(texts[i]), reference_bpe(texts[i], j["model"])) << task << " doc " << i;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 24);
}

// Pieces around the scan / heap boundary: runs of spaces and repeated words of every length 1..2*kScanLimit.
TEST(BpeMerges, PiecesAroundTheScanLimitMatchTheReference) {
  const TempDir dir("lm_bpe");
  nlohmann::json j = read_json_file(kTinyLm / "models" / "base" / "tokenizer.json");
  j["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}};
  dir.write("tokenizer.json", j.dump());
  const Tokenizer tok = Tokenizer::load(dir.path / "tokenizer.json");
  for (std::size_t n = 1; n <= 2 * BpeModel::kScanLimit; ++n) {
    for (const std::string unit : {" ", "in", "the ", "\t", "ing"}) {
      std::string text;
      while (text.size() < n) text += unit;
      text.resize(n);
      ASSERT_EQ(tok.encode(text), reference_bpe(text, j["model"])) << "'" << text << "'";
    }
  }
}

TEST(BpeModelBuild, RejectsBadMergesAndVocab) {
  const auto message = [](const BpeModel::Vocab& vocab, const BpeModel::Merges& merges, BpeOptions options = {}) {
    try {
      BpeModel::build(vocab, merges, options, "t.json");
    } catch (const LmError& e) {
      return std::string(e.what());
    }
    return std::string("<no error>");
  };
  const BpeModel::Vocab vocab = {{"a", 0}, {"b", 1}, {"ab", 2}};
  EXPECT_EQ(message(vocab, {{"a", "b"}}), "<no error>");
  EXPECT_EQ(message(vocab, {{"a", "c"}}), "t.json: model.merges[0] ('a', 'c'): 'c' is not in model.vocab");
  EXPECT_EQ(message(vocab, {{"a", "b"}, {"b", "a"}}),
            "t.json: model.merges[1] ('b', 'a'): the merged token 'ba' is not in model.vocab");
  EXPECT_EQ(message({{"a", 0}, {"b", 0}}, {}), "t.json: model.vocab: tokens 'a' and 'b' share id 0");
  BpeOptions unk;
  unk.unk_token = "<unk>";
  EXPECT_EQ(message(vocab, {}, unk), "t.json: model.unk_token '<unk>' is not in model.vocab");
}

TEST(BpeModelBuild, IgnoreMergesTakesWholeVocabularyPieces) {
  // "abc" is in the vocabulary but no merge produces it: with ignore_merges the piece is one token.
  const BpeModel::Vocab vocab = {{"a", 0}, {"b", 1}, {"c", 2}, {"ab", 3}, {"abc", 4}};
  BpeOptions options;
  const BpeModel plain = BpeModel::build(vocab, {{"a", "b"}}, options, "t.json");
  options.ignore_merges = true;
  const BpeModel whole = BpeModel::build(vocab, {{"a", "b"}}, options, "t.json");
  BpeScratch scratch;
  Ids a, b;
  plain.encode_piece("abc", false, a, scratch);
  whole.encode_piece("abc", false, b, scratch);
  EXPECT_EQ(a, (Ids{3, 2}));
  EXPECT_EQ(b, (Ids{4}));
}
