// Scene files (core/scene/scene_file.h): the built-in scenes parse, round trips are exact, and every
// kind of bad field gives one message naming the file and the field.
#include "core/scene/scene_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace mergelab::scene {
namespace {

using ::testing::HasSubstr;

std::string builtin_dir() { return std::string(MERGELAB_TEST_DATA) + "/../../assets/scenes"; }

std::string error_of(const std::string& text) {
  try {
    parse_scene_text(text, "bad.json");
  } catch (const SceneError& e) {
    return e.what();
  }
  return "";
}

TEST(SceneFile, BuiltInScenesParseInOrder) {
  const auto files = list_scene_files(builtin_dir());
  ASSERT_EQ(files.size(), 10u);
  for (size_t i = 0; i < files.size(); ++i) {
    const SceneFile s = load_scene_file(files[i]);
    EXPECT_EQ(s.number, static_cast<int>(i) + 1) << files[i];
    EXPECT_FALSE(s.title.empty()) << files[i];
    EXPECT_FALSE(s.caption.empty()) << files[i];
    EXPECT_TRUE(s.has_panels) << files[i];
  }
}

TEST(SceneFile, RoundTripThroughJsonAndSceneCode) {
  const SceneFile s = load_scene_file(list_scene_files(builtin_dir())[1]);
  const nlohmann::json doc = to_json(s);
  const SceneFile back = parse_scene(doc, "again");
  EXPECT_EQ(to_json(back), doc);
  const std::string code = encode_scene_code(doc);
  EXPECT_EQ(code.rfind("MLS1:", 0), 0u);
  EXPECT_EQ(decode_scene_code(code), doc);
  EXPECT_EQ(decode_scene_code("  " + code + "\n"), doc);
}

TEST(SceneFile, Base64KnownVectors) {
  // RFC 4648 section 10.
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zm9vYg=="), "foob");
  EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
  EXPECT_THROW(base64_decode("Zm9"), SceneError);
  EXPECT_THROW(base64_decode("Zm9*"), SceneError);
  EXPECT_THROW(base64_decode("Zg==Zg=="), SceneError);
  EXPECT_THROW(decode_scene_code("XYZ:Zm9v"), SceneError);
  EXPECT_THROW(decode_scene_code("MLS1:Zm9v"), SceneError);  // "foo" is not JSON
}

TEST(SceneFile, EmptyDocumentIsAValidScene) {
  const SceneFile s = parse_scene_text("{}", "empty.json");
  EXPECT_EQ(s.number, 0);
  EXPECT_FALSE(s.has_panels);
  EXPECT_TRUE(s.toy.empty());
}

TEST(SceneFile, NumbersPastDoubleRangeAreRefusedNotFatal) {
  // nlohmann throws out_of_range (not parse_error) for 1e999; scene_fuzz's crash input
  // (tests/fuzz/regressions/scene/number_overflow) ended the process with std::terminate.
  EXPECT_THAT(error_of("{\"toy\": {\"t\": 777E777749757668}}"), HasSubstr("bad.json: not valid JSON"));
  EXPECT_THROW(decode_scene_code(encode_scene_code(nlohmann::json::object()).substr(0, 5) + base64_encode("[1e999]")),
               SceneError);
}

TEST(SceneFile, EachBadFieldNamesFileAndField) {
  EXPECT_THAT(error_of("{\"titel\": \"x\"}"), HasSubstr("bad.json: unknown field 'titel'"));
  EXPECT_THAT(error_of("{\"toy\": {\"article\": {\"sed\": 1}}}"), HasSubstr("unknown field 'toy.article.sed'"));
  EXPECT_THAT(error_of("{\"toy\": {\"t\": 1.5}}"), HasSubstr("field 'toy.t': expected a number in [0, 1], got 1.5"));
  EXPECT_THAT(error_of("{\"toy\": {\"article\": {\"seed\": \"x\"}}}"), HasSubstr("field 'toy.article.seed'"));
  EXPECT_THAT(error_of("{\"toy\": {\"article\": {\"seed\": -1}}}"), HasSubstr("field 'toy.article.seed'"));
  EXPECT_THAT(error_of("{\"toy\": {\"path\": \"ARC\"}}"), HasSubstr("field 'toy.path': expected one of: LERP, SLERP"));
  EXPECT_THAT(error_of("{\"toy\": {\"free_ab\": [1]}}"), HasSubstr("field 'toy.free_ab'"));
  EXPECT_THAT(error_of("{\"panels\": [\"explorer\", \"nope\"]}"), HasSubstr("field 'panels[1]'"));
  EXPECT_THAT(error_of("{\"focus\": \"curves\", \"panels\": [\"explorer\"]}"), HasSubstr("field 'focus'"));
  EXPECT_THAT(error_of("{\"hold_back\": [\"answer\"]}"), HasSubstr("field 'hold_back[0]'"));
  EXPECT_THAT(error_of("{\"hidden_controls\": \"explorer.controls\"}"), HasSubstr("field 'hidden_controls'"));
  EXPECT_THAT(error_of("{\"panel_settings\": {\"merge_lab\": {\"settings\": {\"alpha\": 9}}}}"),
              HasSubstr("field 'panel_settings.merge_lab.settings.alpha'"));
  EXPECT_THAT(error_of("{\"panel_settings\": {\"task_arithmetic\": {\"lambda\": [1, 2]}}}"),
              HasSubstr("field 'panel_settings.task_arithmetic.lambda'"));
  EXPECT_THAT(error_of("{\"panel_settings\": {\"mystery\": {}}}"), HasSubstr("unknown field 'panel_settings.mystery'"));
  EXPECT_THAT(error_of("{\"ui\": {\"theme\": \"neon\"}}"), HasSubstr("field 'ui.theme'"));
  EXPECT_THAT(error_of("{\"mergelab_scene\": 2}"), HasSubstr("field 'mergelab_scene'"));
  EXPECT_THAT(error_of("[1, 2]"), HasSubstr("field '(document)': expected an object"));
  EXPECT_THAT(error_of("{\"title\": "), HasSubstr("bad.json: not valid JSON"));
  EXPECT_THAT(error_of("{\"title\": \"a\", \"title\": 3}"), HasSubstr("field 'title'"));  // last duplicate wins
}

TEST(SceneFile, FileErrorsNameThePath) {
  const std::string dir = testing::TempDir() + "/scene_file_test";
  std::filesystem::create_directories(dir);
  try {
    load_scene_file(dir + "/missing.json");
    FAIL();
  } catch (const SceneError& e) {
    EXPECT_THAT(e.what(), HasSubstr("missing.json: no such scene file"));
  }
  std::ofstream(dir + "/bad.json") << "{\"number\": 100}";
  try {
    load_scene_file(dir + "/bad.json");
    FAIL();
  } catch (const SceneError& e) {
    EXPECT_THAT(e.what(), HasSubstr("bad.json: field 'number'"));
  }
  std::ofstream(dir + "/ok.json") << "{\"title\": \"t\"}";
  EXPECT_EQ(load_scene_file(dir + "/ok.json").title, "t");
  EXPECT_EQ(list_scene_files(dir), (std::vector<std::string>{dir + "/bad.json", dir + "/ok.json"}));
}

}  // namespace
}  // namespace mergelab::scene
