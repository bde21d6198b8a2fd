// Folder browser: see folder_browser.h.
#include "app/panels/folder_browser.h"

#include <imgui.h>

#include <algorithm>
#include <filesystem>

#include "app/gui/palette.h"
#include "app/panels/dialog_keys.h"
#include "core/checkpoint/checkpoint.h"
#include "widgets/imgui_compat.h"

namespace mergelab::app {

namespace fs = std::filesystem;
using ImGuiCompat::em;

namespace {
using palette::kBad;
using palette::kGood;
}  // namespace

void FolderBrowser::open(const std::string& dir, bool save_here) {
  save_here_ = save_here;
  open_requested_ = true;
  browse(dir);
}

void FolderBrowser::browse(const std::string& dir) {
  dir_ = dir;
  entries_.clear();
  error_.clear();
  listing_.close();  // a listing of the folder left behind finishes alone
  // The listing may block on a hung mount and cannot be interrupted: it owns its inputs and is left to end alone.
  listing_.start([dir](JobControl&) { return list_folder(dir); }, /*detach_on_close=*/true);
}

FolderBrowser::Listing FolderBrowser::list_folder(const std::string& dir) {
  Listing listing;
  listing.dir = dir;
  std::error_code ec;
  for (fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
       it.increment(ec)) {
    Entry e;
    e.name = it->path().filename().string();
    if (e.name.empty() || e.name[0] == '.') continue;
    std::error_code ec2;
    e.dir = it->is_directory(ec2);
    if (e.dir) {
      e.checkpoint = fs::exists(it->path() / "model.safetensors", ec2) ||
                     fs::exists(it->path() / ckpt::kIndexFileName, ec2) ||
                     fs::exists(it->path() / "adapter_model.safetensors", ec2);
    } else if (it->path().extension() != ".safetensors") {
      continue;
    }
    listing.entries.push_back(std::move(e));
  }
  if (ec) listing.error = dir + ": " + ec.message();
  std::sort(listing.entries.begin(), listing.entries.end(),
            [](const Entry& a, const Entry& b) { return a.dir != b.dir ? a.dir : a.name < b.name; });
  return listing;
}

std::string FolderBrowser::start_folder(const std::string& path, bool parent_of_folder) {
  std::error_code ec;
  fs::path start = path.empty() ? fs::current_path(ec) : fs::path(path);
  if (!fs::is_directory(start, ec)) start = start.parent_path();
  if (start.empty() || !fs::is_directory(start, ec)) start = fs::current_path(ec);
  if (parent_of_folder && !path.empty() && fs::is_directory(path, ec)) start = fs::path(path).parent_path();
  return start.string();
}

std::optional<std::string> FolderBrowser::draw(const std::function<void(const char*)>& remember_rect) {
  if (open_requested_) {
    ImGui::OpenPopup("Choose a folder##ckpt_browser");
    open_requested_ = false;
  }
  ImGui::SetNextWindowSize(ImVec2(em(34.0f), em(26.0f)), ImGuiCond_Appearing);
  if (listing_.poll(false)) {
    Listing l = listing_.take();
    entries_ = std::move(l.entries);
    error_ = std::move(l.error);
  }
  if (!ImGui::BeginPopupModal("Choose a folder##ckpt_browser", nullptr, ImGuiWindowFlags_NoSavedSettings))
    return std::nullopt;
  std::optional<std::string> picked;
  ImGui::TextWrapped("%s", dir_.c_str());
  std::string enter;
  if (ImGui::Button("Up")) enter = fs::path(dir_).parent_path().string();
  remember_rect("browser_up");
  ImGui::SameLine();
  if (ImGui::Button(save_here_ ? "Save merge.yml here" : "Use this folder") || dialog_keys::enter()) {
    picked = dir_;
    ImGui::CloseCurrentPopup();
  }
  remember_rect("browser_use");
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || dialog_keys::escape()) ImGui::CloseCurrentPopup();
  if (!error_.empty()) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kBad), "%s", error_.c_str());
  ImGui::TextDisabled(listing_.active() ? "Reading the folder..."
                                        : "Double-click a folder to open it; green: holds a checkpoint.");
  ImGui::BeginChild("##entries", ImVec2(0, 0), true);
  for (const auto& e : entries_) {
    const std::string label = (e.dir ? "[dir] " : "      ") + e.name;
    if (e.checkpoint) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(kGood));
    if (ImGui::Selectable(label.c_str(), false,
                          ImGuiSelectableFlags_AllowDoubleClick | ImGuiSelectableFlags_DontClosePopups)) {
      const std::string full = (fs::path(dir_) / e.name).string();
      if (e.dir && ImGui::IsMouseDoubleClicked(0)) {
        enter = full;
      } else if ((!e.dir || e.checkpoint) && !save_here_) {
        picked = full;
        ImGui::CloseCurrentPopup();
      }
    }
    if (e.checkpoint) ImGui::PopStyleColor();
  }
  ImGui::EndChild();
  if (!enter.empty() && !picked) browse(enter);
  ImGui::EndPopup();
  return picked;
}

nlohmann::json FolderBrowser::state() const {
  nlohmann::json names = nlohmann::json::array();
  for (const auto& e : entries_) names.push_back(e.name);
  return {{"dir", dir_}, {"reading", listing_.active()}, {"entries", names}, {"error", error_}};
}

}  // namespace mergelab::app
