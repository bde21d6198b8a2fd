// The explorer's look: the font atlas at the UI scale, the dark, light and high-contrast themes, and presentation
// view (F5).
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "app/gui/gui_internal.h"
#include "app/gui/layout_report.h"

namespace mergelab::app::gui_detail {

namespace {
constexpr float kBaseFontPx = 16.0f;
constexpr const char* kFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
}  // namespace

void apply_scale_and_theme(const UiSettings& ui, bool rebuild_fonts) {
  ImGuiIO& io = ImGui::GetIO();
  if (rebuild_fonts) {
    io.Fonts->Clear();
    ImFontConfig cfg;
    cfg.OversampleH = 2;
    const float px = std::round(kBaseFontPx * ui.scale);
    const ImWchar* kRanges = ui_glyph_ranges();
    if (std::filesystem::exists(kFontPath)) {
      io.Fonts->AddFontFromFileTTF(kFontPath, px, &cfg, kRanges);
    } else {
      cfg.SizePixels = px;  // fonts-dejavu-core missing: ImGui's built-in font, scaled
      io.Fonts->AddFontDefault(&cfg);
    }
    io.Fonts->Build();
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  ImGuiStyle style;
  if (ui.high_contrast || ui.dark)
    ImGui::StyleColorsDark(&style);
  else
    ImGui::StyleColorsLight(&style);
  if (ui.high_contrast) {
    // Black ground, white ink, yellow focus: readable on a washed-out projector.
    ImVec4* c = style.Colors;
    // Child windows stay transparent: glClear paints the black (full-screen fills cost under software GL).
    c[ImGuiCol_WindowBg] = c[ImGuiCol_PopupBg] = ImVec4(0, 0, 0, 1);
    c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_Text] = ImVec4(1, 1, 1, 1);
    c[ImGuiCol_TextDisabled] = ImVec4(0.8f, 0.8f, 0.8f, 1);
    c[ImGuiCol_Border] = ImVec4(0.75f, 0.75f, 0.75f, 1);
    c[ImGuiCol_FrameBg] = ImVec4(0.18f, 0.18f, 0.18f, 1);
    c[ImGuiCol_Header] = c[ImGuiCol_Button] = ImVec4(0.0f, 0.35f, 0.6f, 1);
    c[ImGuiCol_SliderGrab] = c[ImGuiCol_CheckMark] = ImVec4(0.94f, 0.89f, 0.26f, 1);
    c[ImGuiCol_SliderGrab].w = 0.6f;  // white value text stays readable over the handle
    c[ImGuiCol_TableRowBgAlt] = ImVec4(1, 1, 1, 0.08f);
  }
  style.WindowRounding = 0.0f;
  style.ChildRounding = 4.0f;
  style.FrameRounding = 3.0f;
  style.ItemSpacing = ImVec2(8, 5);
  style.GrabMinSize = 6.0f;  // a thin slider handle leaves the value text readable
  if (ui.presentation) style.ChildBorderSize = 2.0f;
  style.ScaleAllSizes(ui.scale);
  ImGui::GetStyle() = style;
}

void set_presentation(GLFWwindow* win, UiSettings& ui, WindowedState& saved, bool on, bool fullscreen) {
  if (on) {
    glfwGetWindowPos(win, &saved.x, &saved.y);
    glfwGetWindowSize(win, &saved.w, &saved.h);
    saved.scale = ui.scale, saved.dark = ui.dark, saved.high_contrast = ui.high_contrast;
    if (fullscreen) {
      if (GLFWmonitor* mon = glfwGetPrimaryMonitor()) {
        const GLFWvidmode* mode = glfwGetVideoMode(mon);
        glfwSetWindowMonitor(win, mon, 0, 0, mode->width, mode->height, mode->refreshRate);
      }
    }
    ui.presentation = true;
    ui.scale = std::max(ui.scale, kPresentationScale);
    ui.high_contrast = true;
    ui.dark = true;
  } else {
    if (glfwGetWindowMonitor(win)) glfwSetWindowMonitor(win, nullptr, saved.x, saved.y, saved.w, saved.h, 0);
    ui.presentation = false;
    ui.scale = saved.scale, ui.dark = saved.dark, ui.high_contrast = saved.high_contrast;
  }
}

const char* theme_name(const UiSettings& ui) { return ui.high_contrast ? "contrast" : (ui.dark ? "dark" : "light"); }

}  // namespace mergelab::app::gui_detail
