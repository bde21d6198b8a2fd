#include "widgets/imgui_compat.h"

namespace ImGuiCompat {

void HelpMarker(const char* text) {
  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(em(28.0f));
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void SeparatorText(const char* label) {
  ImGui::TextUnformatted(label);
  ImGui::SameLine();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  const float y = p.y + ImGui::GetTextLineHeight() * 0.5f;
  ImGui::GetWindowDrawList()->AddLine(ImVec2(p.x, y), ImVec2(right, y), ImGui::GetColorU32(ImGuiCol_Separator));
  ImGui::NewLine();
}

}  // namespace ImGuiCompat
