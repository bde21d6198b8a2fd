// Lecture scenes and session files: one JSON document holding everything needed to reproduce a view
// of the explorer (which view and panels, the focused panel, every toy parameter and seed, the merge
// point, LERP/SLERP, the Merge Lab settings, hidden controls, held-back results, a title and a
// caption). A session file is the same document written from the live state with every field set.
//
// Format (every field optional; unknown fields are errors):
//   {
//     "mergelab_scene": 1,                      format version
//     "number": 3, "title": "...", "caption": "...",
//     "view": "explorer" | "merge_lab" | "checkpoints",
//     "panels": ["explorer", "curves"],         visible panels (others hidden)
//     "focus": "explorer",                      panel filling the window in presentation view ("" none)
//     "hidden_controls": ["explorer.controls"], hidden in presentation view
//     "hold_back": ["loss_minimum"],            results shown only after the reveal key
//     "revealed": false,
//     "toy": { SceneParams: article{...}, mlp{...}, model, view, field, path, t, ... },
//     "panel_settings": { "merge_lab": {...}, "task_arithmetic": {...}, "ties_anatomy": {...} },
//     "ui": { "scale": 1.75, "theme": "contrast", "presentation": true }
//   }
// Validation walks a schema (scene_schema.cpp) and reports the first problem as
// "FILE: field 'toy.article.seed': expected an integer in [0, 4294967295], got \"x\"".
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace mergelab::scene {

/// A scene that cannot be read or does not validate; what() names the file and the field.
struct SceneError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct SceneFile {
  std::string source;                        ///< file path or "scene code" (for messages)
  int number = 0;                            ///< position in the lecture (1..99), 0: none
  std::string title, caption;
  std::string view;                          ///< page id; "" keeps the current one
  bool has_panels = false;                   ///< "panels" given
  std::vector<std::string> panels;
  std::string focus;                         ///< panel id or ""
  std::vector<std::string> hidden_controls;
  std::vector<std::string> hold_back;
  bool revealed = false;
  nlohmann::json toy = nlohmann::json::object();             ///< validated SceneParams fields
  nlohmann::json panel_settings = nlohmann::json::object();  ///< panel id -> its save() object
  nlohmann::json ui = nlohmann::json::object();              ///< scale, theme, presentation
};

/// Known names (the schema's vocabularies), for menus, help and tests.
const std::vector<std::string>& known_views();             ///< explorer, merge_lab, checkpoints
const std::vector<std::string>& known_panels();            ///< every panel id a scene may name
const std::vector<std::string>& known_hidden_controls();
const std::vector<std::string>& known_hold_backs();        ///< loss_minimum, barrier, winner, sign_conflicts

/// Validates a parsed document; throws SceneError naming `source` and the first bad field.
SceneFile parse_scene(const nlohmann::json& doc, const std::string& source);
/// Parses text (JSON); throws SceneError on bad JSON or a bad field.
SceneFile parse_scene_text(const std::string& text, const std::string& source);
/// Reads and parses a file; throws SceneError (missing file, unreadable, too big, bad JSON, bad field).
SceneFile load_scene_file(const std::string& path);

/// The document of a scene (every field written). parse_scene(to_json(s)) == s.
nlohmann::json to_json(const SceneFile& s);

/// Compact text form for the clipboard: "MLS1:" + base64 of the compact JSON.
std::string encode_scene_code(const nlohmann::json& doc);
/// Inverse of encode_scene_code (whitespace ignored); throws SceneError on a malformed code.
nlohmann::json decode_scene_code(const std::string& code);

std::string base64_encode(const std::string& bytes);
/// Throws SceneError on characters outside the alphabet or a bad length.
std::string base64_decode(const std::string& text);

/// The *.json files of a folder, sorted by name (the lecture's order: "01_...", "02_...").
std::vector<std::string> list_scene_files(const std::string& dir);

}  // namespace mergelab::scene
