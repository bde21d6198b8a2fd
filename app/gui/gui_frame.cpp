// One frame of the explorer window: the menu and the view bar, the page of panels (a focused panel alone, or
// the view's panels docked in columns and rows), the lecture chrome (caption, corner title, the held-back
// winner's cover), the Save / Open / Export popups and the overlays drawn over everything.
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/gui/gui_internal.h"
#include "core/io/atomic_file.h"
#include "core/scene/scene_file.h"
#include "widgets/imgui_compat.h"
#include "widgets/layout_audit.h"

namespace mergelab::app::gui_detail {

namespace {

using ImGuiCompat::em;

// ---- menu and view bar ----------------------------------------------------------------------------

void help_marker(const char* text) {
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGuiCompat::em(28.0f));
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void draw_menu(AppState& st, MenuActions& actions) {
  UiSettings& ui = st.ui;
  Lecture& L = st.lecture;
  if (!ImGui::BeginMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Save session...", "Ctrl+S")) actions.requests.save = true;
    if (ImGui::MenuItem("Open session or scene...", "Ctrl+O")) actions.requests.open = true;
    ImGui::Separator();
    if (ImGui::MenuItem("Export PNG / SVG...", "Ctrl+E")) actions.requests.export_png = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Edit")) {
    if (ImGui::MenuItem("Copy scene code", "Ctrl+Shift+C")) actions.requests.copy_code = true;
    if (ImGui::MenuItem("Paste scene code", "Ctrl+Shift+V")) actions.requests.paste_code = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    for (auto& p : st.panels) {
      char label[96];
      std::snprintf(label, sizeof label, "%s  (%s)", p->title(), view_title(panel_view(*p)));
      ImGui::MenuItem(label, nullptr, &p->visible);
    }
    ImGui::Separator();
    if (ImGui::BeginMenu("Focus on")) {
      if (ImGui::MenuItem("No focus (all panels of the view)", "Esc", L.focus.empty())) L.focus.clear();
      for (auto& p : st.panels)
        if (ImGui::MenuItem(p->title(), nullptr, L.focus == p->id())) {
          L.focus = p->id();
          p->visible = true;
          L.view = panel_view(*p);
        }
      ImGui::EndMenu();
    }
    if (ImGui::MenuItem("Presentation view", "F5", ui.presentation)) actions.requests.toggle_presentation = true;
    ImGui::Separator();
    if (ImGui::MenuItem("Dark theme", "T", ui.dark && !ui.high_contrast))
      ui.dark = true, ui.high_contrast = false, actions.theme_changed = true;
    if (ImGui::MenuItem("Light theme", "T", !ui.dark && !ui.high_contrast))
      ui.dark = false, ui.high_contrast = false, actions.theme_changed = true;
    if (ImGui::MenuItem("High-contrast theme", "T", ui.high_contrast))
      ui.dark = true, ui.high_contrast = true, actions.theme_changed = true;
    ImGui::Separator();
    for (float sc : {1.0f, 1.25f, 1.5f, 1.75f, 2.0f, 2.5f}) {
      char label[32];
      std::snprintf(label, sizeof label, "UI scale %d%%", static_cast<int>(sc * 100 + 0.5f));
      if (ImGui::MenuItem(label, nullptr, std::abs(ui.scale - sc) < 0.01f)) ui.scale = sc, actions.scale_changed = true;
    }
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Lecture")) {
    for (size_t i = 0; i < L.deck.size(); ++i) {
      const std::string stem = std::filesystem::path(L.deck[i]).stem().string();
      if (ImGui::MenuItem(stem.c_str(), i < 9 ? std::to_string(i + 1).c_str() : nullptr,
                          static_cast<int>(i) == L.index))
        actions.requests.goto_scene = static_cast<int>(i);
    }
    if (L.deck.empty()) ImGui::TextDisabled("no scenes found in %s", builtin_scene_dir().c_str());
    ImGui::Separator();
    if (ImGui::MenuItem("Reveal held-back result", "V", L.revealed, !L.current.hold_back.empty()))
      L.revealed = !L.revealed;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    if (ImGui::MenuItem("Keyboard shortcuts", "F1")) actions.overlay = true;
    ImGui::EndMenu();
  }
  ImGui::TextDisabled("  scale %d%%  |  F1 shortcuts, F5 presentation", int(ui.scale * 100 + 0.5f));
  ImGui::EndMenuBar();
}

/// The views that have something to show, in order.
std::vector<std::string> views_present(const AppState& st) {
  std::vector<std::string> out;
  auto add = [&](const std::string& v) {
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  };
  for (const auto& v : scene::known_views()) {
    bool any = false;
    for (const auto& p : st.panels) any |= panel_view(*p) == v;
    for (const auto& id : st.lecture.missing_panels) any |= panel_view(id) == v;
    if (any || v == st.lecture.view) add(v);
  }
  for (const auto& p : st.panels) add(panel_view(*p));
  return out;
}

/// The row under the menu: one tab per view, and the scene navigator on the right.
void draw_view_bar(AppState& st, Requests& requests) {
  Lecture& L = st.lecture;
  for (const auto& v : views_present(st)) {
    const bool on = v == L.view;
    if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (ImGui::Button(view_title(v))) L.view = v, L.focus.clear();
    if (on) ImGui::PopStyleColor();
    ImGui::SameLine();
  }
  if (!L.deck.empty()) {
    char label[200];
    if (L.index < 0)
      std::snprintf(label, sizeof label, "lecture: %zu scenes (PageDown starts)", L.deck.size());
    else
      std::snprintf(label, sizeof label, "%d / %zu  %s", L.current.number ? L.current.number : L.index + 1,
                    L.deck.size(), L.current.title.c_str());
    const float w = ImGui::CalcTextSize(label).x + em(5.0f);
    ImGui::SameLine(std::max(ImGui::GetCursorPosX() + em(1.0f), ImGui::GetWindowContentRegionMax().x - w));
    if (ImGui::ArrowButton("##prev_scene", ImGuiDir_Left)) requests.goto_scene = std::max(0, L.index - 1);
    ImGui::SameLine();
    ImGui::TextUnformatted(label);
    ImGui::SameLine();
    if (ImGui::ArrowButton("##next_scene", ImGuiDir_Right)) requests.goto_scene = L.index + 1;
  } else {
    ImGui::NewLine();
  }
}

// ---- the page of panels ----------------------------------------------------------------------------

/// One panel in a child window of the given size, with its header.
void draw_panel_child(Panel& p, AppContext& ctx, ImVec2 size, AppState& st, WindowFacts& facts, PageResult& result) {
  ImGui::BeginChild(p.id(), size, true);
  Widgets::LayoutAudit::BeginPanel(p.id());
  const ImVec2 r0 = ImGui::GetWindowPos();
  facts.panel_rects[p.id()] = ImVec4(r0.x, r0.y, r0.x + size.x, r0.y + size.y);
  if (ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows | ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) &&
      (std::strcmp(p.id(), "explorer") == 0 || std::strcmp(p.id(), "curves") == 0))
    result.explorer_hovered = true;
  ImGui::TextUnformatted(p.title());
  if (!st.ui.presentation) {
    ImGui::SameLine();
    help_marker(p.help());
    const bool focused = st.lecture.focus == p.id();
    const char* btn = focused ? "Show all" : "Focus";
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - ImGui::CalcTextSize(btn).x -
                    ImGui::GetStyle().FramePadding.x * 2);
    if (ImGui::SmallButton(btn)) st.lecture.focus = focused ? "" : p.id();
  }
  ImGui::Separator();
  p.draw(ctx);
  Widgets::LayoutAudit::EndPanel();
  ImGui::EndChild();
}

/// A panel the scene names but this build lacks (the Checkpoints panel before it lands).
void draw_placeholder(const std::string& id, const Lecture& L, ImVec2 size) {
  ImGui::BeginChild(("##missing_" + id).c_str(), size, true);
  ImGui::TextUnformatted(view_title(panel_view(id)));
  ImGui::Separator();
  ImGui::Dummy(ImVec2(0, em(1.0f)));
  ImGui::PushTextWrapPos(ImGui::GetContentRegionAvail().x);
  ImGui::TextWrapped("The %s panel is not in this build yet: this scene is told from the command line (the "
                     "caption below says how).", view_title(panel_view(id)));
  if (L.current.caption.empty()) ImGui::TextWrapped("Try: mergelab --help");
  ImGui::PopTextWrapPos();
  ImGui::EndChild();
}

/// The page: the focused panel alone, or the view's visible panels. Explorer: two columns (left:
/// column-0 panels, right: column-1 panels, heights by weight). Other views: the first panel on top,
/// the others side by side below it.
PageResult draw_page(AppState& st, AppContext& ctx, ImVec2 avail, WindowFacts& facts) {
  PageResult result;
  Lecture& L = st.lecture;
  Panel* focus = nullptr;
  for (auto& p : st.panels)
    if (p->id() == L.focus && p->visible) focus = p.get();
  if (focus) {
    L.view = panel_view(*focus);
    draw_panel_child(*focus, ctx, avail, st, facts, result);
    return result;
  }
  std::vector<Panel*> shown;
  for (auto& p : st.panels)
    if (p->visible && panel_view(*p) == L.view) shown.push_back(p.get());
  std::vector<std::string> missing;
  for (const auto& id : L.missing_panels)
    if (panel_view(id) == L.view) missing.push_back(id);
  if (shown.empty() && missing.empty()) {
    ImGui::TextWrapped("Every panel of the %s view is hidden: show one from the View menu.", view_title(L.view));
    return result;
  }
  if (shown.empty()) {
    draw_placeholder(missing.front(), L, avail);
    return result;
  }
  const float gap = ImGui::GetStyle().ItemSpacing.x, vgap = ImGui::GetStyle().ItemSpacing.y;
  if (L.view == "explorer") {
    std::vector<Panel*> cols[2];
    for (Panel* p : shown) cols[std::clamp(p->column(), 0, 1)].push_back(p);
    const bool both = !cols[0].empty() && !cols[1].empty();
    const float w0 = both ? std::floor(avail.x * 0.55f) : avail.x;
    for (int c = 0; c < 2; ++c) {
      if (cols[c].empty()) continue;
      const float width = (both && c == 1) ? avail.x - w0 - gap : (both ? w0 : avail.x);
      if (both && c == 1) ImGui::SameLine(0, gap);
      ImGui::BeginGroup();
      float total = 0;
      for (Panel* p : cols[c]) total += p->weight();
      const float h_avail = avail.y - vgap * (cols[c].size() - 1);
      for (Panel* p : cols[c])
        draw_panel_child(*p, ctx, ImVec2(width, std::floor(h_avail * p->weight() / total)), st, facts, result);
      ImGui::EndGroup();
    }
    return result;
  }
  // Other views: first panel on top, the rest in one row below.
  const size_t below = shown.size() - 1;
  float w_below = 0.0f;  // the top panel's share: its weight against the heaviest panel below
  for (size_t i = 1; i < shown.size(); ++i) w_below = std::max(w_below, shown[i]->weight());
  const float top_h = below ? std::floor((avail.y - vgap) * std::clamp(shown[0]->weight() / (shown[0]->weight() + w_below), 0.3f, 0.8f)) : avail.y;
  draw_panel_child(*shown[0], ctx, ImVec2(avail.x, top_h), st, facts, result);
  if (below) {
    const float w = std::floor((avail.x - gap * (below - 1)) / below);
    for (size_t i = 1; i < shown.size(); ++i) {
      if (i > 1) ImGui::SameLine(0, gap);
      draw_panel_child(*shown[i], ctx, ImVec2(w, avail.y - top_h - vgap), st, facts, result);
    }
  }
  return result;
}

// ---- lecture chrome and popups ------------------------------------------------------------------------

/// Height the caption band needs at this width (0 without a caption).
float caption_height(const Lecture& L, float width) {
  if (L.current.caption.empty()) return 0.0f;
  const float pad = ImGui::GetStyle().WindowPadding.y;
  float h = ImGui::CalcTextSize(L.current.caption.c_str(), nullptr, false, width - 2 * pad).y + 2 * pad;
  if (!L.revealed) h += ImGui::GetTextLineHeightWithSpacing();
  return h;
}

void draw_caption(const Lecture& L, float width, float height) {
  if (height <= 0) return;
  ImGui::BeginChild("##caption", ImVec2(width, height), true, ImGuiWindowFlags_NoScrollbar);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(L.current.caption.c_str());
  ImGui::PopTextWrapPos();
  if (!L.revealed) ImGui::TextColored(ImVec4(0.94f, 0.89f, 0.26f, 1.0f), "Predict first, then press V to reveal.");
  ImGui::EndChild();
}

/// Presentation view: "3 / 9  LERP vs SLERP" in the top-right corner, small and dim.
void draw_corner_title(const Lecture& L, ImVec2 display) {
  if (L.current.title.empty()) return;
  char label[200];
  std::snprintf(label, sizeof label, "%d / %zu   %s", L.current.number ? L.current.number : L.index + 1,
                std::max<size_t>(L.deck.size(), 1), L.current.title.c_str());
  ImFont* font = ImGui::GetFont();
  const float size = ImGui::GetFontSize();  // readable from the back row
  const ImVec2 ts = font->CalcTextSizeA(size, FLT_MAX, 0.0f, label);
  const ImVec2 pos(display.x - ts.x - em(0.8f), em(0.3f));
  ImGui::GetForegroundDrawList()->AddText(font, size, pos, IM_COL32(235, 235, 235, 255), label);
}

/// Hides the Merge Lab leaderboard rows (and the recommendation under them) until the reveal.
bool cover_winner(const AppState& st, const WindowFacts& facts) {
  for (const auto& p : st.panels) {
    if (std::strcmp(p->id(), "merge_lab") != 0 || !p->visible) continue;
    const nlohmann::json ps = p->state();
    if (!ps.is_object() || !ps.contains("rects")) return false;
    float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
    for (auto it = ps["rects"].begin(); it != ps["rects"].end(); ++it) {
      if (it.key().rfind("row_", 0) != 0) continue;
      const auto& r = it.value();
      x0 = std::min(x0, r[0].get<float>()), y0 = std::min(y0, r[1].get<float>());
      x1 = std::max(x1, r[2].get<float>()), y1 = std::max(y1, r[3].get<float>());
    }
    if (x1 < x0) return false;
    y1 += ImGui::GetTextLineHeightWithSpacing() * 1.2f;  // the recommendation line
    if (const auto it = facts.panel_rects.find("merge_lab"); it != facts.panel_rects.end()) {
      // Rows scrolled out of the panel stay covered by the panel itself.
      const ImVec4 panel_rect = it->second;
      x0 = std::max(x0, panel_rect.x), y0 = std::max(y0, panel_rect.y);
      x1 = std::min(x1, panel_rect.z), y1 = std::min(y1, panel_rect.w - em(0.3f));
      if (y1 <= y0) return true;
    }
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    const ImU32 bg = ImGui::GetColorU32(ImGuiCol_WindowBg);
    dl->AddRectFilled(ImVec2(x0, y0), ImVec2(std::max(x1, x0 + em(20.0f)), y1), bg | 0xFF000000);
    dl->AddRect(ImVec2(x0, y0), ImVec2(std::max(x1, x0 + em(20.0f)), y1), IM_COL32(240, 228, 66, 255), 0, 0, 2.0f);
    const char* msg = "Which method wins? Predict, then press V.";
    const ImVec2 ts = ImGui::CalcTextSize(msg);
    dl->AddText(ImVec2(x0 + em(1.0f), (y0 + y1 - ts.y) * 0.5f), IM_COL32(240, 228, 66, 255), msg);
    return true;
  }
  return false;
}

/// A modal with one path field. Returns true on OK/Enter (path in `buf`).
bool path_popup(const char* name, const char* prompt, char* buf, size_t n, bool* caption = nullptr,
                std::string* panel = nullptr, const std::vector<std::unique_ptr<Panel>>* panels = nullptr) {
  bool ok = false;
  ImGui::SetNextWindowPos(ImVec2(ImGui::GetIO().DisplaySize.x * 0.5f, ImGui::GetIO().DisplaySize.y * 0.5f),
                          ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (ImGui::BeginPopupModal(name, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextUnformatted(prompt);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(em(32.0f));
    if (ImGui::InputText("##path", buf, n, ImGuiInputTextFlags_EnterReturnsTrue)) ok = true;
    if (caption) ImGui::Checkbox("Caption with the parameters under the image", caption);
    if (panel && panels) {
      ImGui::SetNextItemWidth(em(16.0f));
      if (ImGui::BeginCombo("What", panel->empty() ? "the whole window" : panel->c_str())) {
        if (ImGui::Selectable("the whole window", panel->empty())) panel->clear();
        for (const auto& p : *panels)
          if (p->visible && ImGui::Selectable(p->id(), *panel == p->id())) *panel = p->id();
        ImGui::EndCombo();
      }
    }
    if (ImGui::Button("OK") || ok) {
      ok = true;
      ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE)) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
  return ok && buf[0];
}

/// The Save session, Open session and Export popups, opened by keys or the menu. Opening a session may ask
/// the window to enter or leave presentation view and to rebuild the fonts (through `menu`).
void draw_file_popups(ExplorerWindow& w, const Requests& key_requests, MenuActions& menu) {
  AppState& st = w.st;
  UiSettings& ui = st.ui;
  FileDialogs& d = w.dialogs;
  const Requests& menu_requests = menu.requests;
  if (key_requests.save || menu_requests.save) ImGui::OpenPopup("Save session");
  if (key_requests.open || menu_requests.open) ImGui::OpenPopup("Open session");
  if (key_requests.export_png || menu_requests.export_png) ImGui::OpenPopup("Export");
  if (path_popup("Save session", "Session file (JSON; the whole state, reopen with --session FILE):", d.save_path,
                 sizeof d.save_path)) {
    const std::string path = d.save_path;
    const WindowedState& windowed = w.windowed;
    nlohmann::json ui_json = {{"scale", ui.presentation ? windowed.scale : ui.scale},
                              {"theme", ui.presentation ? (windowed.high_contrast ? "contrast" : (windowed.dark ? "dark" : "light"))
                                                        : theme_name(ui)},
                              {"presentation", ui.presentation}};
    const std::string text = scene::to_json(capture_session(st, ui_json)).dump(2) + "\n";
    w.facts.last_session = path;
    w.io_jobs.push_back(std::async(std::launch::async, [path, text] {
      io::write_file_atomic(path, text);
      return "saved session " + path;
    }));
  }
  if (path_popup("Open session", "Session or scene file to open:", d.open_path, sizeof d.open_path)) {
    try {
      const bool was = ui.presentation;
      const UiSettings before = ui;
      apply_scene(scene::load_scene_file(d.open_path), st, true);
      if (was) {  // keep the presentation look; the session's own look applies when leaving it
        WindowedState& windowed = w.windowed;
        windowed.scale = ui.scale, windowed.dark = ui.dark, windowed.high_contrast = ui.high_contrast;
        const bool want = ui.presentation;
        ui = before;
        menu.requests.toggle_presentation = !want;
      } else if (ui.presentation) {
        ui.presentation = false;
        menu.requests.toggle_presentation = true;
      }
      menu.scale_changed = true;
      w.say(std::string("opened ") + d.open_path);
    } catch (const scene::SceneError& e) {
      w.say(std::string("error: ") + e.what());
    }
  }
  if (path_popup("Export", "PNG file (SVGs of the plots are written beside it, same name + _explorer.svg, ...):",
                 d.export_path, sizeof d.export_path, &d.export_caption, &d.export_panel, &st.panels))
    d.export_now = true;
  // Any modal, the window's or a panel's: its Enter and Esc are its own, not the lecture's.
  w.key_context.popup_open = ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel);
}

/// The line of parameters under a captured image, over the bottom of the captured area.
void draw_capture_caption(const AppState& st, const AppContext& ctx, const ImVec4& crop) {
  const std::string cap = parameter_caption(st, ctx.point);
  ImDrawList* dl = ImGui::GetForegroundDrawList();
  const float h = ImGui::GetTextLineHeight() * 1.5f;
  const float wrap = crop.z - crop.x - em(1.0f);
  const ImVec2 ts = ImGui::CalcTextSize(cap.c_str(), nullptr, false, wrap);
  const float top = crop.w - std::max(h, ts.y + em(0.5f));
  dl->AddRectFilled(ImVec2(crop.x, top), ImVec2(crop.z, crop.w), IM_COL32(0, 0, 0, 235));
  dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(crop.x + em(0.5f), top + em(0.25f)),
              IM_COL32(255, 255, 255, 255), cap.c_str(), nullptr, wrap);
}

/// The status line in the bottom-left corner (red for errors).
void draw_status_message(const std::string& message, ImVec2 display) {
  ImDrawList* dl = ImGui::GetForegroundDrawList();
  const ImVec2 ts = ImGui::CalcTextSize(message.c_str());
  const ImVec2 p(em(0.5f), display.y - ts.y - em(0.8f));
  dl->AddRectFilled(ImVec2(p.x - em(0.3f), p.y - em(0.2f)), ImVec2(p.x + ts.x + em(0.3f), p.y + ts.y + em(0.2f)),
                    IM_COL32(20, 20, 20, 230));
  dl->AddText(p, message.rfind("error", 0) == 0 ? IM_COL32(255, 120, 100, 255) : IM_COL32(255, 255, 255, 255),
              message.c_str());
}

}  // namespace

PageResult draw_main_window(ExplorerWindow& w, AppContext& ctx, const Requests& key_requests, MenuActions& menu) {
  AppState& st = w.st;
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::Begin("##explorer", nullptr,
               ImGuiWindowFlags_NoDecoration | (st.ui.presentation ? 0 : ImGuiWindowFlags_MenuBar) |
                   ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBackground);
  if (!st.ui.presentation) {
    draw_menu(st, menu);
    draw_view_bar(st, menu.requests);
  }
  w.facts.panel_rects.clear();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float cap_h = caption_height(st.lecture, avail.x);
  const float vgap = ImGui::GetStyle().ItemSpacing.y;
  const PageResult page =
      draw_page(st, ctx, ImVec2(avail.x, std::max(em(8.0f), avail.y - (cap_h > 0 ? cap_h + vgap : 0.0f))), w.facts);
  draw_caption(st.lecture, avail.x, cap_h);
  draw_file_popups(w, key_requests, menu);
  ImGui::End();
  return page;
}

void draw_overlays(ExplorerWindow& w, const AppContext& ctx, const Capture& capture) {
  const ImGuiIO& io = ImGui::GetIO();
  w.facts.winner_covered = ctx.holds_back("winner") && cover_winner(w.st, w.facts);
  if (w.st.ui.presentation) draw_corner_title(w.st.lecture, io.DisplaySize);
  if (capture.with_caption) draw_capture_caption(w.st, ctx, capture.crop);
  bool overlay_open = w.facts.overlay;
  if (overlay_open) draw_help_overlay(overlay_open);
  w.facts.overlay = overlay_open;
  if (!w.facts.message.empty() && glfwGetTime() < w.message_until && !w.screenshot)
    draw_status_message(w.facts.message, io.DisplaySize);
}

}  // namespace mergelab::app::gui_detail
