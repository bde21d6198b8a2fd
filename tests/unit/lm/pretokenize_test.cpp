// Split behaviours, the GPT-2 split (scanner pinned to ICU's evaluation of the same regex), ByteLevel's
// prefix space and Metaspace, on hand-derived cases.
#include "core/lm/pretokenize.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/lm/lm_error.h"
#include "core/lm/text_regex.h"
#include "tests/unit/lm/tinylm.h"

using namespace mergelab::lm;
using Matches = std::vector<std::pair<std::size_t, std::size_t>>;
using Strings = std::vector<std::string>;

namespace {

Strings texts_of(const std::vector<Piece>& pieces) {
  Strings out;
  for (const Piece& p : pieces) out.emplace_back(p.text);
  return out;
}

// "the-final--countdown" cut at its three '-' (bytes 3, 9, 10), as tokenizers documents the behaviours.
Strings split_dashes(SplitBehavior behavior, bool invert = false) {
  static const std::string text = "the-final--countdown";
  std::vector<Piece> out;
  split_by_matches({text, true}, Matches{{3, 4}, {9, 10}, {10, 11}}, behavior, invert, out);
  return texts_of(out);
}

Strings pre_tokenize(const std::string& json, const std::string& text) {
  const PreTokenizer p = PreTokenizer::from_json(nlohmann::json::parse(json), "t.json");
  PreTokenizer::Scratch scratch;
  std::vector<Piece> out;
  p.split(text, true, out, scratch);
  return texts_of(out);
}

Strings gpt2_pieces(const std::string& text, bool scanner) {
  const TextRegex re(kGpt2SplitRegex, scanner);
  TextRegex::Matcher m(re);
  Matches matches;
  m.find_all(text, matches);
  Strings out;
  for (const auto& [b, e] : matches) out.push_back(text.substr(b, e - b));
  return out;
}

}  // namespace

TEST(SplitBehavior, AllFive) {
  EXPECT_EQ(split_dashes(SplitBehavior::Removed), (Strings{"the", "final", "countdown"}));
  EXPECT_EQ(split_dashes(SplitBehavior::Isolated), (Strings{"the", "-", "final", "-", "-", "countdown"}));
  EXPECT_EQ(split_dashes(SplitBehavior::MergedWithPrevious), (Strings{"the-", "final-", "-", "countdown"}));
  EXPECT_EQ(split_dashes(SplitBehavior::MergedWithNext), (Strings{"the", "-final", "-", "-countdown"}));
  EXPECT_EQ(split_dashes(SplitBehavior::Contiguous), (Strings{"the", "-", "final", "--", "countdown"}));
  // invert: the words are the matches, the dashes the gaps; Removed then keeps the dashes.
  EXPECT_EQ(split_dashes(SplitBehavior::Removed, true), (Strings{"-", "-", "-"}));
  // invert + MergedWithNext: each word (now a match) joins the dash after it when that dash is a gap.
  EXPECT_EQ(split_dashes(SplitBehavior::MergedWithNext, true), (Strings{"the-", "final-", "-", "countdown"}));
}

TEST(SplitBehavior, FromJsonWithRegexAndString) {
  EXPECT_EQ(pre_tokenize(R"({"type": "Split", "pattern": {"Regex": "\\p{N}{1,3}"}, "behavior": "Isolated", "invert": false})",
                         "x1234567y"),
            (Strings{"x", "123", "456", "7", "y"}));
  EXPECT_EQ(pre_tokenize(R"({"type": "Split", "pattern": {"String": ", "}, "behavior": "Removed", "invert": false})",
                         "a, b, , c"),
            (Strings{"a", "b", "c"}));
  // Llama-3's case-insensitive contractions.
  EXPECT_EQ(pre_tokenize(R"({"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|\\p{L}+"}, "behavior": "Isolated"})",
                         "IT'S"),
            (Strings{"IT", "'S"}));
}

TEST(Gpt2Split, HandDerivedPieces) {
  // "  world": two spaces before a letter: \s+(?!\S) takes the first, " ?\p{L}+" the second with the word.
  // "\n\n x": the whitespace run minus its last character, then " x".
  const Strings expected = {"Hello", " ", " world", "'s", " 123", "\n\n", " x", " \xC3\xA9t\xC3\xA9", " !?", "  "};
  for (const bool scanner : {true, false})
    EXPECT_EQ(gpt2_pieces("Hello  world's 123\n\n x \xC3\xA9t\xC3\xA9 !?  ", scanner), expected) << "scanner " << scanner;
}

TEST(Gpt2Split, ScannerMatchesIcuOnEveryFixtureTextAndOddCharacters) {
  const TextRegex scanner(kGpt2SplitRegex, true), icu(kGpt2SplitRegex, false);
  ASSERT_TRUE(scanner.uses_scanner());
  ASSERT_FALSE(icu.uses_scanner());
  TextRegex::Matcher ms(scanner), mi(icu);
  std::vector<std::string> texts = {
      "'s'S 're'll'x''d", "\t\v\f\r\n \xC2\x85 \xC2\xA0x\xE2\x80\xA8y\xE3\x80\x80z",  // apostrophes; VT, NEL, NBSP, U+2028, U+3000
      "\xD9\xA3\xD9\xA4 \xE2\x85\xA7 \xC2\xBD x\xCC\x81",  // Arabic-Indic digits, Roman numeral (Nl), ½ (No), combining mark
      "\xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80\xF0\x9F\x98\x80 a\xE2\x80\x8B" "b",  // CJK, emoji, zero-width space
      "\xFF\xFE bad \xE2\x82 utf8 \xC3", "   ", " ", "x   ", "\n", "end "};
  for (const char* task : {"python", "c", "prose"})
    for (const std::string split : {"train", "val", "test"})
      for (auto& t : mergelab::testing::tinylm_texts(task, split)) texts.push_back(std::move(t));
  Matches a, b;
  for (const auto& text : texts) {
    ms.find_all(text, a);
    mi.find_all(text, b);
    ASSERT_EQ(a, b) << "text: " << text.substr(0, 80);
  }
}

TEST(ByteLevelPreTokenizer, PrefixSpaceAndRegex) {
  EXPECT_EQ(pre_tokenize(R"({"type": "ByteLevel", "add_prefix_space": true, "use_regex": true})", "hi there"),
            (Strings{" hi", " there"}));
  EXPECT_EQ(pre_tokenize(R"({"type": "ByteLevel", "add_prefix_space": true, "use_regex": true})", " hi"), (Strings{" hi"}));
  EXPECT_EQ(pre_tokenize(R"({"type": "ByteLevel", "add_prefix_space": false, "use_regex": false})", "hi there"),
            (Strings{"hi there"}));
}

TEST(DigitsPreTokenizer, IndividualOrRuns) {
  // SmolLM's Sequence[Digits(individual), ByteLevel(use_regex)]: digits alone, then the GPT-2 split.
  EXPECT_EQ(pre_tokenize(R"({"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": true},
                             {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}]})",
                         "x = 123 \xD9\xA3"),
            (Strings{"x", " =", " ", "1", "2", "3", " ", "\xD9\xA3"}));
  EXPECT_EQ(pre_tokenize(R"({"type": "Digits", "individual_digits": false})", "ab12 3"), (Strings{"ab", "12", " ", "3"}));
}

TEST(MetaspacePreTokenizer, ReplacesPrependsAndSplits) {
  const std::string bar = "\xE2\x96\x81";
  EXPECT_EQ(pre_tokenize(R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true})", "a  b"),
            (Strings{bar + "a", bar, bar + "b"}));
  EXPECT_EQ(pre_tokenize(R"({"type": "Metaspace", "replacement": "▁", "add_prefix_space": false})", "a b"),
            (Strings{"a", bar + "b"}));
}

TEST(PreTokenizerJson, RefusesWhatItDoesNotKnow) {
  const auto message = [](const std::string& json) {
    try {
      PreTokenizer::from_json(nlohmann::json::parse(json), "t.json");
    } catch (const LmError& e) {
      return std::string(e.what());
    }
    return std::string("<no error>");
  };
  EXPECT_EQ(message(R"({"type": "Whitespace"})"),
            "t.json: pre_tokenizer: pre-tokenizer 'Whitespace' is not supported (supported: ByteLevel, Split, Digits, Metaspace, Sequence)");
  EXPECT_EQ(message(R"({"type": "Sequence", "pretokenizers": [{"type": "ByteLevel"}, {"type": "Split", "pattern": {"String": " "}, "behavior": "Isolated"}]})"),
            "t.json: pre_tokenizer.pretokenizers[1]: 'Split' after ByteLevel is not supported (ByteLevel must come last)");
  EXPECT_EQ(message(R"({"type": "Split", "pattern": {"Regex": "\\p{L}+"}, "behavior": "Sideways"})"),
            "t.json: pre_tokenizer: Split behavior 'Sideways' is not one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous");
  EXPECT_NE(message(R"({"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated"})")
                .find("t.json: pre_tokenizer: invalid regex '(unclosed': U_REGEX_"),
            std::string::npos);
}
