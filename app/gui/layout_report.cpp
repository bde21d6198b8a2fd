#include "app/gui/layout_report.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "app/gui/lecture.h"
#include "core/scene/scene_file.h"
#include "core/io/atomic_file.h"
#include "widgets/layout_audit.h"

namespace mergelab::app {

nlohmann::json layout_audit_json() {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : Widgets::LayoutAudit::Entries())
    out.push_back({{"panel", e.panel}, {"item", e.item}, {"what", e.what}, {"detail", e.detail}});
  return out;
}

const ImWchar* ui_glyph_ranges() {
  static const ImWchar kRanges[] = {0x0020, 0x00FF,   // Basic Latin, Latin-1
                                    0x0100, 0x017F,   // Latin Extended-A
                                    0x0370, 0x03FF,   // Greek
                                    0x2010, 0x205E,   // dashes, quotes, bullets, primes
                                    0x2070, 0x209F,   // superscripts, subscripts
                                    0x2190, 0x21FF,   // arrows
                                    0x2200, 0x22FF,   // mathematical operators
                                    0x25A0, 0x25FF,   // geometric shapes
                                    0xFFFD, 0xFFFD,   // replacement character: the font's fallback
                                    0};
  return kRanges;
}

std::string SweepCase::name() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%dx%d scale %.2f %s %s", width, height, scale, presentation ? "presentation" : "window",
                scene >= 0 ? ("scene " + std::to_string(scene + 1)).c_str() : ("view " + view).c_str());
  return buf;
}

LayoutSweep::LayoutSweep(std::string out_path, const AppState& st) : out_(std::move(out_path)) {
  const int sizes[3][2] = {{1280, 720}, {1600, 1000}, {1920, 1080}};
  for (const auto& sz : sizes)
    for (float scale : {1.0f, 1.75f, 2.5f})
      for (bool pres : {false, true}) {
        SweepCase c;
        c.width = sz[0], c.height = sz[1], c.scale = scale, c.presentation = pres;
        for (const auto& v : scene::known_views()) {
          c.view = v, c.scene = -1;
          cases_.push_back(c);
        }
        for (size_t i = 0; i < st.lecture.deck.size(); ++i) {
          c.view.clear(), c.scene = static_cast<int>(i);
          cases_.push_back(c);
        }
      }
}

void LayoutSweep::apply(AppState& st, const SweepHooks& hooks) {
  const SweepCase& c = cases_[index_];
  const SweepCase* prev = index_ > 0 ? &cases_[index_ - 1] : nullptr;
  if (!prev || prev->width != c.width || prev->height != c.height) hooks.resize(c.width, c.height);
  if (!prev || prev->scale != c.scale || prev->presentation != c.presentation) hooks.look(c.scale, c.presentation);
  if (c.scene >= 0) {
    goto_scene(st, c.scene);
  } else {
    // A fresh start on that view, every panel shown.
    scene::SceneFile f;
    f.view = c.view;
    apply_scene(f, st, false);
    for (auto& p : st.panels) p->visible = true;
    st.lecture.index = -1;
  }
}

namespace {

/// Entries that fail a case: all of them at the default size; elsewhere a panel may scroll, and what
/// it draws outside its visible area is then reachable by scrolling.
nlohmann::json failures(const SweepCase& c, const std::vector<Widgets::LayoutAudit::Entry>& entries) {
  std::set<std::string> scrolling;
  for (const auto& e : entries)
    if (e.what == "scrolls") scrolling.insert(e.panel);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : entries) {
    if (!c.is_default() && (e.what == "scrolls" || (e.what == "outside" && scrolling.count(e.panel)))) continue;
    out.push_back({{"panel", e.panel}, {"item", e.item}, {"what", e.what}, {"detail", e.detail}});
  }
  return out;
}

}  // namespace

bool LayoutSweep::after_frame(AppState& st, int fb_w, int fb_h, const SweepHooks& hooks) {
  if (index_ >= cases_.size()) return false;
  if (frames_ < 0) {
    apply(st, hooks);
    frames_ = 0;
    return true;
  }
  const SweepCase& c = cases_[index_];
  ++frames_;
  // Settled: the window has its size, and two frames were laid out at it (scroll extents lag a frame).
  if (fb_w != c.width || fb_h != c.height) {
    sized_at_ = frames_;
    if (frames_ < 30) return true;
  }
  if (frames_ - sized_at_ < 3) return true;
  const auto& entries = Widgets::LayoutAudit::Entries();
  nlohmann::json audit = layout_audit_json();
  nlohmann::json fail = failures(c, entries);
  results_.push_back({{"case", c.name()},
                      {"size", {c.width, c.height}},
                      {"framebuffer", {fb_w, fb_h}},
                      {"scale", c.scale},
                      {"presentation", c.presentation},
                      {"view", c.view},
                      {"scene", c.scene + 1},
                      {"default", c.is_default()},
                      {"audit", audit},
                      {"failures", fail}});
  ++index_;
  frames_ = -1;
  sized_at_ = 0;
  if (index_ < cases_.size()) return true;
  size_t failing = 0;
  for (const auto& r : results_) failing += !r["failures"].empty();
  const nlohmann::json doc = {{"cases", results_.size()}, {"failing_cases", failing}, {"results", results_}};
  io::write_file_atomic(out_, doc.dump(1) + "\n");
  return false;
}

}  // namespace mergelab::app
