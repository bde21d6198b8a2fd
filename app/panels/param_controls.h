// Controls built from the merge registry, shared by the panels that edit a recipe (Checkpoints, Tune).
#pragma once

#include <string>

#include "core/merge/registry.h"

namespace mergelab::app {

/// One parameter's control by its kind (checkbox, combo, integer or real slider over the slider range), with
/// its help as the tooltip. Uses `id` as the ImGui id; the caller sets the width. True when the value changed.
bool param_control(const merge::ParamSpec& p, double& value, const std::string& id);

/// The "with the base" switch of a method whose base is optional (nuslerp, multislerp) or merged as one more
/// model (karcher); draws nothing for the others. True when it changed.
bool base_switch(const merge::MethodSpec& method, bool& use_base);

}  // namespace mergelab::app
