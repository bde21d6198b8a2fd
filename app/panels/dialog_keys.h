// The keys of the panels' modal dialogs: Enter takes the dialog's main button, Esc its way out.
// Called between BeginPopupModal and EndPopup, so only the dialog on top answers them.
#pragma once

#include <imgui.h>

namespace mergelab::app::dialog_keys {

/// Enter (or the keypad's Enter) pressed this frame.
inline bool enter() {
  return ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
         ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false);
}
/// Esc pressed this frame.
inline bool escape() { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false); }

}  // namespace mergelab::app::dialog_keys
