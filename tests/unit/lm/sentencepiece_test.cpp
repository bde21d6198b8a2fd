// SentencePiece-style BPE (Llama-2 / Mistral / TinyLlama layout) on the hand-made tests/data/lm/tokenizers/sp_bpe:
// every expected id below is derived by hand from its vocabulary and merges.
//
// vocab:  0 <unk>  1 <s>  2 </s>  3 <0x80>  4 <0x98>  5 <0x9F>  6 <0xA9>  7 <0xC3>  8 <0xF0>
//         9 ▁  10 a  11 c  12 e  13 f  14 h  15 l  16 o  17 t
//         18 ▁h  19 ll  20 ▁he  21 ▁hell  22 ▁hello  23 ca  24 ▁ca  25 ▁caf  26 at  27 ▁cat
// merges (rank): 0 "▁ h"  1 "l l"  2 "▁h e"  3 "▁he ll"  4 "▁hell o"  5 "c a"  6 "▁ ca"  7 "▁ca f"  8 "a t"  9 "▁ca t"
#include "core/lm/tokenizer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/lm/lm_error.h"
#include "tests/unit/lm/tinylm.h"
#include "tests/unit/temp_dir.h"

namespace fs = std::filesystem;
using mergelab::lm::LmError;
using mergelab::lm::Tokenizer;
using Ids = std::vector<std::int32_t>;

namespace {

const fs::path kSp = fs::path(MERGELAB_TEST_DATA) / "lm" / "tokenizers" / "sp_bpe";

// sp_bpe with the newer spelling: no normalizer, a Metaspace pre-tokenizer and decoder.
fs::path metaspace_copy(const mergelab::testing::TempDir& dir, const std::string& scheme, bool split) {
  nlohmann::json j = mergelab::testing::read_json_file(kSp / "tokenizer.json");
  j["normalizer"] = nullptr;
  j["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"prepend_scheme", scheme}, {"split", split}};
  j["decoder"] = {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"prepend_scheme", scheme}, {"split", split}};
  dir.write("tokenizer.json", j.dump());
  return dir.path / "tokenizer.json";
}

}  // namespace

TEST(SentencePieceBpe, ReadsTheConfig) {
  const Tokenizer tok = Tokenizer::load(kSp);
  EXPECT_TRUE(tok.add_bos());
  EXPECT_EQ(tok.bos_id(), 1);  // {"content": "<s>", ...} form
  EXPECT_EQ(tok.eos_id(), 2);
  EXPECT_EQ(tok.vocab_size(), 28);
  EXPECT_EQ(tok.token(22), "\xE2\x96\x81hello");
}

TEST(SentencePieceBpe, MergesByRank) {
  const Tokenizer tok = Tokenizer::load(kSp);
  // "hello" -> "▁hello" = ▁ h e l l o; rank 0 ▁h; rank 1 ll; rank 2 ▁he; rank 3 ▁hell; rank 4 ▁hello.
  EXPECT_EQ(tok.encode("hello"), (Ids{22}));
  // "▁hello▁cat" is one piece (no pre-tokenizer): ▁hello as above; then c a (rank 5) before a t (rank 8),
  // ▁ ca (6), ▁ca t (9); "▁hello ▁cat" has no merge.
  EXPECT_EQ(tok.encode("hello cat"), (Ids{22, 27}));
  // "▁hello▁▁hello": both (▁, h) pairs merge at rank 0, left to right; the lone ▁ between stays.
  EXPECT_EQ(tok.encode("hello  hello"), (Ids{22, 9, 22}));
  // "▁at": (▁, a) unranked, a t (8) -> ▁ at.
  EXPECT_EQ(tok.encode("at"), (Ids{9, 26}));
  EXPECT_EQ(tok.encode(""), Ids{});
}

TEST(SentencePieceBpe, ByteFallbackAndFusedUnk) {
  const Tokenizer tok = Tokenizer::load(kSp);
  // "▁café": é = C3 A9, not in the vocabulary, both byte tokens exist; c a (5), ▁ ca (6), ▁ca f (7).
  EXPECT_EQ(tok.encode("café"), (Ids{25, 7, 6}));
  // "▁😀": F0 9F 98 80.
  EXPECT_EQ(tok.encode("\xF0\x9F\x98\x80"), (Ids{9, 8, 5, 4, 3}));
  // ü = C3 BC and <0xBC> is missing: unk; x (<0x78> missing) too; consecutive unks fuse into one.
  EXPECT_EQ(tok.encode("\xC3\xBCx\xC3\xBC"), (Ids{9, 0}));
  EXPECT_EQ(tok.encode("\xC3\xBC" "a\xC3\xBC"), (Ids{9, 0, 10, 0}));
}

TEST(SentencePieceBpe, AddedTokensSplitFirstAndEachSegmentGetsThePrefix) {
  const Tokenizer tok = Tokenizer::load(kSp);
  // "<s>" | "hello" -> "▁hello" | "</s>" (Prepend applies to each segment, as tokenizers does).
  EXPECT_EQ(tok.encode("<s>hello</s>"), (Ids{1, 22, 2}));
  EXPECT_EQ(tok.encode("hello<unk>cat"), (Ids{22, 0, 27}));
}

TEST(SentencePieceBpe, Decodes) {
  const Tokenizer tok = Tokenizer::load(kSp);
  // Replace ▁ -> ' ', bytes back (é), Fuse, Strip one leading space.
  EXPECT_EQ(tok.decode(Ids{22, 27}), "hello cat");
  EXPECT_EQ(tok.decode(Ids{25, 7, 6}), "café");
  EXPECT_EQ(tok.decode(Ids{9, 8, 5, 4, 3}), "\xF0\x9F\x98\x80");
  EXPECT_EQ(tok.decode(Ids{1, 22, 2}), "<s> hello</s>");
  // A lone <0xC3> is not UTF-8: one U+FFFD per byte token.
  EXPECT_EQ(tok.decode(Ids{25, 7}), "caf\xEF\xBF\xBD");
  EXPECT_EQ(tok.decode(Ids{9, 0}), "<unk>");
  for (const std::string text : {"hello cat", "café", "hello  hello", "at cat caf\xC3\xA9 \xF0\x9F\x98\x80"})
    EXPECT_EQ(tok.decode(tok.encode(text)), text);
}

TEST(SentencePieceBpe, MetaspacePreTokenizerFirstScheme) {
  const mergelab::testing::TempDir dir("lm_sp");
  const Tokenizer tok = Tokenizer::load(metaspace_copy(dir, "first", false));
  EXPECT_EQ(tok.encode("hello cat"), (Ids{22, 27}));
  // prepend_scheme "first": the segment after <s> does not start the text, so no ▁: h e l l o -> h e ll o.
  EXPECT_EQ(tok.encode("<s>hello"), (Ids{1, 14, 12, 19, 16}));
  // The Metaspace decoder drops the first token's ▁ instead of Strip.
  EXPECT_EQ(tok.decode(Ids{22, 27}), "hello cat");
}

TEST(SentencePieceBpe, MetaspacePreTokenizerAlwaysSplit) {
  const mergelab::testing::TempDir dir("lm_sp");
  const Tokenizer tok = Tokenizer::load(metaspace_copy(dir, "always", true));
  // split: "▁hello", "▁cat" are separate pieces; "always" prefixes the segment after <s> too.
  EXPECT_EQ(tok.encode("hello cat"), (Ids{22, 27}));
  EXPECT_EQ(tok.encode("<s>hello"), (Ids{1, 22}));
  // "▁hello▁▁hello" splits (MergedWithNext) into "▁hello", "▁", "▁hello".
  EXPECT_EQ(tok.encode("hello  hello"), (Ids{22, 9, 22}));
}
