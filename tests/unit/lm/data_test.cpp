// JSONL task data: folder layout, files per task, pre-tokenized ids, and one "FILE:LINE: problem" per bad input.
#include "core/lm/data.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/lm/lm_error.h"
#include "tests/unit/lm/lm_paths.h"
#include "tests/unit/temp_dir.h"

namespace mergelab::lm {
namespace {

namespace fs = std::filesystem;

// A toy encoder: one id per byte (so ids and byte counts are known by hand); BOS 300.
TextEncoder byte_encoder(bool add_bos) {
  TextEncoder e;
  e.encode = [](std::string_view t) {
    std::vector<std::int32_t> ids;
    for (unsigned char ch : t) ids.push_back(ch);
    return ids;
  };
  e.add_bos = add_bos;
  e.bos_id = 300;
  e.vocab_size = 301;
  return e;
}

fs::path write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

std::string error_of(const fs::path& file, const TextEncoder* enc) {
  try {
    prepare_tasks(tasks_from_files({file}), enc);
  } catch (const LmError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(LmData, FindsTheFixtureLayout) {
  const auto tasks = find_tasks(testing::kTinyLm / "data", "test");
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].name, "c");
  EXPECT_EQ(tasks[2].name, "python");
  EXPECT_EQ(tasks[2].perplexity.filename(), "python_test.jsonl");
  EXPECT_EQ(tasks[2].multiple_choice.filename(), "python_mc_test.jsonl");
  const auto val = find_tasks(testing::kTinyLm / "data", "val", {"prose", "c"});
  ASSERT_EQ(val.size(), 2u);
  EXPECT_EQ(val[0].name, "prose");  // the order asked for
  EXPECT_TRUE(val[0].multiple_choice.empty());
  EXPECT_THROW(find_tasks(testing::kTinyLm / "data", "dev"), LmError);
}

TEST(LmData, TextItemsAndIds) {
  testing::TempDir dir;
  const TextEncoder enc = byte_encoder(true);
  write(dir.path / "a_test.jsonl", "{\"text\": \"h\\u00e9\"}\r\n\n{\"input_ids\": [5, 6, 7], \"bytes\": 9}\n{\"input_ids\": []}\n");
  write(dir.path / "a_mc_test.jsonl", "{\"context\": \"ab\", \"choices\": [\" x\", \" yz\"], \"label\": 1}\n");
  const auto t = prepare_tasks(find_tasks(dir.path, "test"), &enc);
  ASSERT_EQ(t.size(), 1u);
  ASSERT_EQ(t[0].docs.size(), 3u);
  EXPECT_EQ(t[0].docs[0].ids, (std::vector<std::int32_t>{300, 'h', 0xC3, 0xA9}));  // BOS + UTF-8 bytes
  EXPECT_EQ(t[0].docs[0].bytes, 3);
  EXPECT_EQ(t[0].docs[1].ids, (std::vector<std::int32_t>{5, 6, 7}));  // as given: no BOS
  EXPECT_EQ(t[0].docs[1].bytes, 9);
  EXPECT_EQ(t[0].docs[2].bytes, -1);
  ASSERT_EQ(t[0].items.size(), 1u);
  EXPECT_EQ(t[0].items[0].context, (std::vector<std::int32_t>{300, 'a', 'b'}));
  EXPECT_EQ(t[0].items[0].choices[1], (std::vector<std::int32_t>{' ', 'y', 'z'}));
  EXPECT_EQ(t[0].items[0].choice_bytes, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(t[0].items[0].label, 1);
  EXPECT_EQ(t[0].max_id, 300);
  // --max-docs keeps the first documents of each file
  EXPECT_EQ(prepare_tasks(find_tasks(dir.path, "test"), &enc, 2)[0].docs.size(), 2u);
}

TEST(LmData, BadLinesNameFileAndLine) {
  testing::TempDir dir;
  const TextEncoder enc = byte_encoder(false);
  const fs::path f = dir.path / "t.jsonl";
  EXPECT_EQ(error_of(write(f, "{\"text\": \"a\"}\n\n{\"text\": \"b\n"), &enc).rfind(f.string() + ":3: not valid JSON (", 0), 0u);
  EXPECT_EQ(error_of(write(f, "{\"text\": \"a\"}\n[1]\n"), &enc), f.string() + ":2: not a JSON object");
  EXPECT_EQ(error_of(write(f, "{\"txt\": \"a\"}\n"), &enc), f.string() + ":1: expected {\"text\": ...} or {\"input_ids\": [...]}");
  EXPECT_EQ(error_of(write(f, "{\"text\": 3}\n"), &enc), f.string() + ":1: \"text\" must be a string");
  EXPECT_EQ(error_of(write(f, "\n  \n"), &enc), f.string() + ": no records (empty data)");
  EXPECT_EQ(error_of(write(f, "{\"input_ids\": [1, -2]}\n"), nullptr), f.string() + ":1: \"input_ids\" holds -2, not a token id");
  EXPECT_EQ(error_of(write(f, "{\"text\": \"a\"}\n"), nullptr).rfind(f.string() + ":1: text needs a tokenizer", 0), 0u);
  EXPECT_EQ(error_of(write(f, "{\"context\": \"a\", \"choices\": [\"b\", \"c\"], \"label\": 2}\n"), &enc),
            f.string() + ":1: \"label\" 2 is not the index of a choice");
  EXPECT_EQ(error_of(write(f, "{\"context\": \"a\", \"choices\": [\"b\", \"\"], \"label\": 0}\n"), &enc),
            f.string() + ":1: a choice is empty (acc_norm divides by its byte length)");
  EXPECT_EQ(error_of(write(f, "{\"context\": \"a\", \"choices\": [\"b\"], \"label\": 0}\n"), &enc),
            f.string() + ":1: \"choices\" must be an array of at least two strings");
}

TEST(LmData, TokenizerPastTheEmbeddingIsRefused) {
  TextEncoder enc = byte_encoder(false);
  EXPECT_NO_THROW(check_vocab_fits(enc, 301, "tok.json"));
  EXPECT_NO_THROW(check_vocab_fits(enc, 512, "tok.json"));  // padded embedding: more rows than tokens
  try {
    check_vocab_fits(enc, 256, "tok.json");
    FAIL();
  } catch (const LmError& e) {
    EXPECT_STREQ(e.what(), "tok.json: the tokenizer has 301 token ids but the model only 256 embedding rows (vocab_size)");
  }
}

}  // namespace
}  // namespace mergelab::lm
