// A malformed-file corpus for every text format MergeLab reads from untrusted sources (mergekit YAML, scene
// and session files, scene codes, PEFT adapter_config.json, CSV data, JSONL data, tokenizer.json), generated
// from real fixture files by a seeded list of failure kinds. Each file must give exactly one error of the
// parser's type: one line, naming the file, saying what is wrong (the fragment listed with the kind).
// (The safetensors corpus is tests/unit/checkpoint/malformed_test.cpp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include "core/checkpoint/error.h"
#include "core/checkpoint/lora.h"
#include "core/eval/dataset.h"
#include "core/lm/data.h"
#include "core/lm/lm_error.h"
#include "core/lm/tokenizer.h"
#include "core/recipe/mergekit_yaml.h"
#include "core/recipe/recipe.h"
#include "core/scene/scene_file.h"
#include "tests/unit/temp_dir.h"

namespace mergelab {
namespace {

namespace fs = std::filesystem;

std::string data_dir() {
  if (const char* env = std::getenv("MERGELAB_TEST_DATA")) return env;
  return MERGELAB_TEST_DATA;
}
std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}
std::string first_lines(const std::string& text, int n) {
  size_t pos = 0;
  for (int i = 0; i < n && pos != std::string::npos; ++i) pos = text.find('\n', pos + 1);
  return pos == std::string::npos ? text : text.substr(0, pos + 1);
}
std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << "fixture lacks '" << from << "'";
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

struct Kind {
  std::string name;
  std::function<std::string(std::mt19937&)> make;  // the malformed text
  std::string fragment;                            // what the message must say
  std::shared_ptr<std::string> drawn = nullptr;    // set by make(): a fragment that depends on the variant
};

// Writes each kind's text to `file` (8 seeded variants), runs `parse(path)` and checks the one error.
template <class Error>
void check_corpus(const std::string& format, const std::string& file_name, const std::vector<Kind>& kinds,
                  const std::function<void(const std::string&)>& parse, const std::string& named = "") {
  std::mt19937 rng(20261202);
  for (const auto& kind : kinds) {
    for (int variant = 0; variant < 8; ++variant) {
      SCOPED_TRACE(format + " / " + kind.name + " #" + std::to_string(variant));
      testing::TempDir dir;
      const std::string path = (dir.path / file_name).string();
      const std::string text = kind.make(rng);
      std::ofstream(path, std::ios::binary) << text;
      try {
        parse(path);
        ADD_FAILURE() << "accepted";
      } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
        EXPECT_THAT(msg, ::testing::HasSubstr(named.empty() ? path : named));
        EXPECT_THAT(msg, ::testing::HasSubstr(kind.fragment));
        if (kind.drawn) EXPECT_THAT(msg, ::testing::HasSubstr(*kind.drawn));
      } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong exception type: " << e.what();
      }
    }
  }
}

TEST(MalformedFormats, CsvData) {
  const std::string good = first_lines(slurp(data_dir() + "/digits/data/task0_test.csv"), 6);
  auto row = [&](std::mt19937& rng) { return 2 + static_cast<int>(rng() % 5); };  // a data line, 1-based
  auto edit_line = [&](int line, const std::function<std::string(std::string)>& f) {
    std::istringstream in(good);
    std::string out, l;
    for (int i = 1; std::getline(in, l); ++i) out += (i == line ? f(l) : l) + "\n";
    return out;
  };
  std::vector<Kind> kinds = {
      {"empty", [](std::mt19937&) { return std::string(); }, "empty file"},
      {"header_only", [&](std::mt19937&) { return first_lines(good, 1); }, "no data rows"},
  };
  for (const char* k : {"missing_value", "non_numeric", "negative_label"}) {
    const std::string kind = k;
    // The line is drawn once per variant; the message must carry it ("FILE:LINE: ...").
    auto drawn = std::make_shared<std::string>();
    kinds.push_back({kind, [&, kind, drawn](std::mt19937& rng) {
                       const int line = row(rng);
                       *drawn = "data.csv:" + std::to_string(line) + ": ";
                       return edit_line(line, [&](std::string l) {
                         if (kind == "missing_value") return l.substr(0, l.rfind(','));
                         if (kind == "non_numeric") return "abc" + l.substr(l.find(','));
                         return l.substr(0, l.rfind(',') + 1) + "-1";
                       });
                     },
                     "", drawn});
  }
  check_corpus<eval::DataError>("csv", "data.csv", kinds, [](const std::string& p) { eval::load_csv(p); });
}

TEST(MalformedFormats, MergekitYaml) {
  const std::string good = slurp(data_dir() + "/digits/mergekit/ties.yml");
  const std::vector<Kind> kinds = {
      {"not_yaml", [&](std::mt19937& rng) { std::string s = good; s.insert(rng() % s.size(), "\n\t: [{"); return s; },
       "invalid YAML"},
      {"a_list", [](std::mt19937&) { return std::string("- merge_method: ties\n- models: []\n"); }, "expected a mergekit config"},
      {"no_method", [&](std::mt19937&) { return replace_once(good, "merge_method: ties\n", ""); }, "missing 'merge_method'"},
      {"no_models", [](std::mt19937&) { return std::string("merge_method: linear\nmodels: []\n"); }, "non-empty list"},
      {"unknown_method", [&](std::mt19937&) { return replace_once(good, "merge_method: ties", "merge_method: frobnicate"); },
       "frobnicate"},
  };
  check_corpus<recipe::RecipeError>("yaml", "config.yml", kinds, [](const std::string& p) {
    recipe::read_mergekit_yaml(p, {.check_paths = false});
  });
}

TEST(MalformedFormats, SceneAndSessionFiles) {
  const std::string good = slurp(data_dir() + "/../../assets/scenes/03_lerp_vs_slerp.json");
  const std::vector<Kind> kinds = {
      {"truncated", [&](std::mt19937& rng) { return good.substr(0, 1 + rng() % (good.rfind('}') - 1)); }, "not valid JSON"},
      {"unknown_field", [&](std::mt19937&) { return replace_once(good, "{", "{\"bogus\": 1,"); }, "unknown field 'bogus'"},
      {"wrong_type", [&](std::mt19937&) { return replace_once(good, "\"mergelab_scene\": 1", "\"mergelab_scene\": \"1\""); },
       "field 'mergelab_scene'"},
  };
  check_corpus<scene::SceneError>("scene", "scene.json", kinds, [](const std::string& p) { scene::load_scene_file(p); });
}

TEST(MalformedFormats, SceneCodes) {
  const std::string good = scene::encode_scene_code(nlohmann::json::parse(R"({"mergelab_scene": 1, "title": "t"})"));
  const std::vector<Kind> kinds = {
      {"no_prefix", [&](std::mt19937&) { return good.substr(5); }, "does not start with MLS1:"},
      {"cut_short", [&](std::mt19937& rng) { return good.substr(0, good.size() - 1 - rng() % 3); }, "not a multiple of 4"},
      {"bad_character", [&](std::mt19937& rng) { std::string s = good; s[5 + rng() % (s.size() - 8)] = '*'; return s; },
       "unexpected character '*'"},
      {"not_json", [](std::mt19937&) { return "MLS1:" + scene::base64_encode("{{not json"); }, "not JSON"},
  };
  check_corpus<scene::SceneError>("scene code", "code.txt", kinds, [](const std::string& p) {
    scene::parse_scene(scene::decode_scene_code(slurp(p)), "scene code");
  }, "scene code");
}

TEST(MalformedFormats, AdapterConfig) {
  const std::string good = slurp(data_dir() + "/digits/models/lora_task0/adapter_config.json");
  const std::vector<Kind> kinds = {
      {"truncated", [&](std::mt19937& rng) { return good.substr(0, 1 + rng() % (good.rfind('}') - 1)); }, "JSON"},
      {"not_lora", [&](std::mt19937&) { return replace_once(good, "\"peft_type\": \"LORA\"", "\"peft_type\": \"IA3\""); },
       "peft_type"},
      {"zero_rank", [&](std::mt19937&) { return replace_once(good, "\"r\": ", "\"r\": 0, \"unused_r\": "); }, "r"},
  };
  check_corpus<ckpt::CheckpointError>("adapter_config", "adapter_config.json", kinds,
                                      [](const std::string& p) { ckpt::read_lora_config(p); });
}

TEST(MalformedFormats, JsonlData) {
  const std::string good = first_lines(slurp(data_dir() + "/tinylm/data/c_mc_test.jsonl"), 3);
  const std::vector<Kind> kinds = {
      {"empty", [](std::mt19937&) { return std::string(); }, "no records"},
      {"broken_line", [&](std::mt19937&) { return first_lines(good, 1) + "{\"context\": \n" + good; }, ":2: not valid JSON"},
      {"not_object", [](std::mt19937&) { return std::string("[1, 2]\n"); }, ":1: not a JSON object"},
      {"label_out_of_range",
       [](std::mt19937& rng) {
         return "{\"context\": \"a\", \"choices\": [\"b\", \"c\"], \"label\": " + std::to_string(2 + rng() % 9) + "}\n";
       },
       "is not the index of a choice"},
  };
  check_corpus<lm::LmError>("jsonl", "x_mc_test.jsonl", kinds, [](const std::string& p) {
    lm::TaskFiles t;
    t.name = "x";
    t.multiple_choice = p;
    lm::prepare_tasks({t}, nullptr);
  });
}

TEST(MalformedFormats, TokenizerJson) {
  const std::string good = slurp(data_dir() + "/tinylm/models/base/tokenizer.json");
  const std::vector<Kind> kinds = {
      {"truncated", [&](std::mt19937& rng) { return good.substr(0, 1 + rng() % (good.rfind('}') - 1)); }, "malformed JSON"},
      {"top_level_array", [](std::mt19937&) { return std::string("[]"); }, "expected a JSON object at the top level"},
  };
  check_corpus<lm::LmError>("tokenizer", "tokenizer.json", kinds,
                            [](const std::string& p) { lm::Tokenizer::load_files(p, std::nullopt); });
}

}  // namespace
}  // namespace mergelab
