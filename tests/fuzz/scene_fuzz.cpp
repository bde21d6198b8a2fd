// libFuzzer target: scene and session files (JSON text) and scene codes ("MLS1:" + base64 of compressed JSON).
// Each input is tried as a file's text and as a scene code; both must give a SceneFile or one SceneError.
// An accepted scene is encoded to a code and decoded again, which must give the same JSON.
#include <nlohmann/json.hpp>

#include "core/scene/scene_file.h"
#include "tests/fuzz/fuzz_util.h"

using namespace mergelab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(fuzz::as_text(data, size));
  try {
    const scene::SceneFile s = scene::parse_scene_text(text, "fuzz.json");
    const nlohmann::json doc = scene::to_json(s);
    if (scene::decode_scene_code(scene::encode_scene_code(doc)) != doc) {
      std::fprintf(stderr, "a scene does not survive its scene code\n");
      std::abort();
    }
  } catch (const scene::SceneError& e) {
    fuzz::expect_names(e, "fuzz.json");
  }
  try {
    const nlohmann::json doc = scene::decode_scene_code(text);
    scene::parse_scene(doc, "scene code");
  } catch (const scene::SceneError&) {
  }
  return 0;
}
