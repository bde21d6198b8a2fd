#include "app/panels/param_controls.h"

#include <imgui.h>

#include <cmath>
#include <vector>

namespace mergelab::app {

bool param_control(const merge::ParamSpec& p, double& v, const std::string& id) {
  ImGui::PushID(id.c_str());
  bool changed = false;
  switch (p.kind) {
    case merge::ParamSpec::Kind::Bool: {
      bool b = v != 0.0;
      if ((changed = ImGui::Checkbox("##b", &b))) v = b ? 1.0 : 0.0;
      break;
    }
    case merge::ParamSpec::Kind::Choice: {
      int c = static_cast<int>(v);
      std::vector<const char*> names;
      for (const auto& s : p.choices) names.push_back(s.c_str());
      if ((changed = ImGui::Combo("##c", &c, names.data(), static_cast<int>(names.size())))) v = c;
      break;
    }
    case merge::ParamSpec::Kind::Integer:
      if ((changed = ImGui::SliderScalar("##i", ImGuiDataType_Double, &v, &p.min_value, &p.max_value, "%.0f")))
        v = std::round(v);
      break;
    case merge::ParamSpec::Kind::Real:
      changed = ImGui::SliderScalar("##r", ImGuiDataType_Double, &v, &p.min_value, &p.max_value, "%.3f");
      break;
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s: %s", p.name.c_str(), p.help.c_str());
  ImGui::PopID();
  return changed;
}

bool base_switch(const merge::MethodSpec& method, bool& use_base) {
  if (!method.base_optional && !method.base_joins_models) return false;
  const bool changed = ImGui::Checkbox("with the base", &use_base);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(method.base_joins_models
                          ? "%s merges the base as one more model when it is given (mergekit's base_model)"
                          : "%s takes the base as the origin of task vectors when it is given (mergekit's base_model); "
                            "without it the models themselves are merged",
                      method.label.c_str());
  return changed;
}

}  // namespace mergelab::app
