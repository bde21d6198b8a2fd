// The explorer's keyboard shortcuts (GLFW key events, queued and applied once per frame), files dropped on
// the window, and the overlay that lists the shortcuts (F1).
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "app/gui/gui_internal.h"
#include "widgets/imgui_compat.h"

namespace mergelab::app::gui_detail {

namespace {

using ImGuiCompat::em;

void drop_callback(GLFWwindow* win, int count, const char** paths) {
  if (auto* q = static_cast<KeyQueue*>(glfwGetWindowUserPointer(win)))
    for (int i = 0; i < count; ++i) q->dropped.emplace_back(paths[i]);
}

void key_callback(GLFWwindow* win, int key, int, int action, int mods) {
  if (action == GLFW_RELEASE) return;
  if (auto* q = static_cast<KeyQueue*>(glfwGetWindowUserPointer(win))) q->events.push_back({key, mods});
}

/// The seed after `seed` in the re-roll sequence (deterministic, so a re-roll can be replayed).
uint32_t next_seed(uint32_t seed) { return (seed * 1664525u + 1013904223u) % 1000u; }

struct Shortcut {
  const char* keys;
  const char* what;
};
constexpr Shortcut kShortcuts[] = {
    {"PageDown / PageUp", "next / previous scene (always; what presentation clickers send)"},
    {"Right / Left", "presentation view: next / previous scene; window, or mouse over the explorer or the "
                     "curves: t +- 0.01 (Shift: 0.1)"},
    {"1 ... 9", "jump to scene 1 ... 9"},
    {"Home", "first scene"},
    {"V or Enter", "reveal (or hide again) what the scene holds back: loss minimum, barrier, winner"},
    {"F5", "presentation view on/off (full screen, large text, thick lines, high contrast)"},
    {"F1 or ?", "this overlay;  Esc closes it, leaves presentation view, or ends the panel focus"},
    {"Space", "play / pause the training animation"},
    {"R / Shift+R", "reset the animation (same seed) / re-roll the seeds (new data and inits)"},
    {"L", "toggle LERP / SLERP  (S: SLERP)"},
    {"F", "free merge point (leaves the path)"},
    {"M / D / B", "logistic or MLP / same or different init / MLP's B learns Task 2 or Task 1 too"},
    {"H", "heat map: Task 1, Task 2, Combined"},
    {"+ / -", "UI scale (fonts rebuilt);  T: dark, light, high-contrast theme"},
    {"Ctrl+S / Ctrl+O", "save / open a session file"},
    {"Ctrl+E", "export PNG (window or one panel, optional parameter caption) and SVG plots"},
    {"Ctrl+Shift+C / V", "copy the scene code to the clipboard / open the code on the clipboard"},
};

}  // namespace

void install_key_callbacks(GLFWwindow* win, KeyQueue& keys) {
  glfwSetWindowUserPointer(win, &keys);
  glfwSetKeyCallback(win, key_callback);
  glfwSetDropCallback(win, drop_callback);
}

void apply_key(const KeyEvent& e, AppState& st, const KeyContext& context, Requests& requests) {
  SceneParams& s = st.scene;
  UiSettings& ui = st.ui;
  Lecture& L = st.lecture;
  const bool ctrl = e.mods & GLFW_MOD_CONTROL, shift = e.mods & GLFW_MOD_SHIFT;
  if (context.popup_open) return;  // the popup's own keys (Enter, Esc) are ImGui's
  if (ctrl) {
    switch (e.key) {
      case GLFW_KEY_S: requests.save = true; break;
      case GLFW_KEY_O: requests.open = true; break;
      case GLFW_KEY_E: requests.export_png = true; break;
      case GLFW_KEY_C: if (shift) requests.copy_code = true; break;
      case GLFW_KEY_V: if (shift) requests.paste_code = true; break;
      default: break;
    }
    return;
  }
  auto nudge = [&](int dir) {
    const double step = shift ? 0.1 : 0.01;
    s.t = std::clamp(std::round((s.t + dir * step) * 1000.0) / 1000.0, 0.0, 1.0);
    s.point_on_path = true;
  };
  switch (e.key) {
    case GLFW_KEY_F1: requests.quit_overlay = true; break;
    case GLFW_KEY_SLASH: if (shift) requests.quit_overlay = true; break;
    case GLFW_KEY_ESCAPE:
      if (context.overlay)
        requests.quit_overlay = true;
      else if (ui.presentation)
        requests.toggle_presentation = true;
      else
        L.focus.clear();
      break;
    case GLFW_KEY_F5: requests.toggle_presentation = true; break;
    case GLFW_KEY_EQUAL:
    case GLFW_KEY_KP_ADD:
      ui.scale = std::min(2.5f, ui.scale + 0.25f);
      requests.rebuild_fonts = true;
      break;
    case GLFW_KEY_MINUS:
    case GLFW_KEY_KP_SUBTRACT:
      ui.scale = std::max(1.0f, ui.scale - 0.25f);
      requests.rebuild_fonts = true;
      break;
    // Scene navigation. PageDown/PageUp (what clickers send) always; the arrows in presentation view
    // unless the mouse is over the explorer or the curves (there they move t, as in the window).
    case GLFW_KEY_PAGE_DOWN: requests.goto_scene = L.index + 1; break;
    case GLFW_KEY_PAGE_UP: requests.goto_scene = std::max(0, L.index - 1); break;
    case GLFW_KEY_HOME: requests.goto_scene = 0; break;
    case GLFW_KEY_RIGHT:
    case GLFW_KEY_LEFT: {
      if (context.item_active) break;
      const int dir = e.key == GLFW_KEY_RIGHT ? 1 : -1;
      if (ui.presentation && !context.explorer_hovered)
        requests.goto_scene = std::max(0, L.index + dir);
      else
        nudge(dir);
      break;
    }
    case GLFW_KEY_1: case GLFW_KEY_2: case GLFW_KEY_3: case GLFW_KEY_4: case GLFW_KEY_5:
    case GLFW_KEY_6: case GLFW_KEY_7: case GLFW_KEY_8: case GLFW_KEY_9:
      requests.goto_scene = e.key - GLFW_KEY_1;
      break;
    case GLFW_KEY_0: requests.goto_scene = 9; break;  // scene 10
    case GLFW_KEY_V:
    case GLFW_KEY_ENTER:
    case GLFW_KEY_KP_ENTER: L.revealed = !L.revealed || L.current.hold_back.empty(); break;
    // Demos.
    case GLFW_KEY_SPACE:
      s.replay_playing = !s.replay_playing;
      if (s.replay_playing && s.replay_progress >= 1.0) s.replay_progress = 0.0;
      break;
    case GLFW_KEY_R:
      if (shift) {  // re-roll: new data and inits
        s.article.seed = next_seed(s.article.seed);
        s.mlp.init_seed = next_seed(s.mlp.init_seed);
      }
      s.replay_progress = 0.0;  // the training animation from its first step (same seed)
      s.replay_playing = false;
      break;
    case GLFW_KEY_L: s.path = s.path == toy::PathKind::Lerp ? toy::PathKind::Slerp : toy::PathKind::Lerp; break;
    case GLFW_KEY_S: s.path = toy::PathKind::Slerp; break;
    case GLFW_KEY_F: s.free_point = !s.free_point, s.point_on_path = true; break;
    case GLFW_KEY_M: s.model = s.model == ModelKind::Logistic ? ModelKind::Mlp : ModelKind::Logistic; break;
    case GLFW_KEY_D: s.article.same_init = !s.article.same_init; break;
    case GLFW_KEY_B: s.mlp_b_task = s.mlp_b_task == MlpBTask::Other ? MlpBTask::Same : MlpBTask::Other; break;
    case GLFW_KEY_H: s.field = static_cast<HeatField>((static_cast<int>(s.field) + 1) % 3); break;
    case GLFW_KEY_T:
      // dark -> light -> high contrast -> dark
      if (ui.high_contrast)
        ui.high_contrast = false, ui.dark = true;
      else if (ui.dark)
        ui.dark = false;
      else
        ui.high_contrast = true, ui.dark = true;
      requests.theme = true;
      break;
    default: break;
  }
}

void draw_help_overlay(bool& open) {
  ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.5f), ImGuiCond_Always,
                          ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowBgAlpha(0.96f);
  ImGui::Begin("Keyboard shortcuts  (F1, ? or Esc closes)", &open,
               ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoMove);
  if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH)) {
    ImGui::TableSetupColumn("Keys", ImGuiTableColumnFlags_WidthFixed, em(11.0f));
    ImGui::TableSetupColumn("Action", ImGuiTableColumnFlags_WidthFixed, em(40.0f));
    for (const auto& s : kShortcuts) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted(s.keys);
      ImGui::TableSetColumnIndex(1);
      ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + em(40.0f));
      ImGui::TextUnformatted(s.what);
      ImGui::PopTextWrapPos();
    }
    ImGui::EndTable();
  }
  ImGui::TextDisabled("Mouse: drag the gold merge point on the weight-space canvas; hover plots for read-outs.");
  ImGui::End();
}

}  // namespace mergelab::app::gui_detail
