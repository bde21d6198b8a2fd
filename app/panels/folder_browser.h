// A modal folder browser: lists a folder on a background job (a slow or network folder never stalls a frame),
// marks the sub-folders that hold a checkpoint, and hands back the folder or .safetensors file the user picks.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/gui/jobs.h"

namespace mergelab::app {

class FolderBrowser {
 public:
  struct Entry {
    std::string name;
    bool dir = false, checkpoint = false;
  };
  struct Listing {
    std::string dir, error;
    std::vector<Entry> entries;
  };

  /// Opens the dialog on the next draw() at `dir`. `save_here`: a file is saved in the chosen folder (the
  /// button reads "Save merge.yml here" and clicking a file does not pick it).
  void open(const std::string& dir, bool save_here);
  /// Draws the dialog when open. Returns the picked path once. `remember_rect(name)` records the last item's
  /// rectangle ("browser_up", "browser_use") for the state dump.
  std::optional<std::string> draw(const std::function<void(const char*)>& remember_rect);
  /// {"dir", "reading", "entries", "error"} for --state-json.
  nlohmann::json state() const;

  /// The entries of `dir` (hidden names skipped; sub-folders and .safetensors files, folders first, by name).
  static Listing list_folder(const std::string& dir);
  /// Where the dialog starts for a field holding `path`: its folder (or the path itself when `into` and it is
  /// a folder's parent view is not wanted), else the working folder.
  static std::string start_folder(const std::string& path, bool parent_of_folder);

 private:
  void browse(const std::string& dir);

  std::string dir_, error_;
  std::vector<Entry> entries_;
  Job<Listing> listing_;
  bool open_requested_ = false, save_here_ = false;
};

}  // namespace mergelab::app
