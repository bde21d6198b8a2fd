// The window's shared workspace: what one panel hands another, owned by the window and given to every panel
// through Panel::attach (once, before the first frame) and AppContext::workspace (every frame).
//
//   - the checkpoint selection the Checkpoints panel has loaded (the Tune panel takes it as its inputs);
//   - the recipe hand-over: the panel that merges (Checkpoints) installs `apply_recipe`; the Tune panel calls
//     it with a tuned recipe;
//   - paths dropped on the window, waiting for the panel that opens checkpoints.
// Everything here is used on the frame thread only.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mergelab::app {

struct Workspace {
  struct Selection {
    std::string base;
    std::vector<std::string> models;
  };
  /// The base and fine-tunes of the loaded checkpoint family; empty while nothing is loaded (or a Load failed).
  std::optional<Selection> loaded;

  using ParamMap = std::map<std::string, double>;
  /// Sets the merging panel's method and parameters: values of names the method lacks are ignored, missing
  /// ones keep the method's defaults. Returns false (nothing changed) for an unknown method. Empty when no panel
  /// merges in this window.
  std::function<bool(const std::string& method, const ParamMap& global, const std::vector<ParamMap>& per_model)>
      apply_recipe;
  /// The paths of the merging panel (its model count may differ from a recipe's).
  std::size_t merge_model_count = 0;

  /// Files and folders dropped on the window since the checkpoints panel last took them.
  std::vector<std::string> dropped;
  std::vector<std::string> take_dropped() {
    std::vector<std::string> out;
    out.swap(dropped);
    return out;
  }
};

/// The fixture family of the repository (tests/data/digits/models/{base, ft_task0..2}) when present: paths to
/// pre-fill the fields with. Looks at $MERGELAB_SOURCE, then the folder above the built-in assets folder.
std::vector<std::string> default_checkpoint_paths();

}  // namespace mergelab::app
