// Checkpoints panel, views (see checkpoints_panel.h): the left column (paths, compatibility report, method and
// parameters, merge and export) and the right one (the per-tensor table, sorted, and the selected tensor's
// task-vector histogram).
//
// [SECTION] Controls
// [SECTION] Tensor table and histogram
#include "app/panels/checkpoints_panel.h"
#include "app/panels/checkpoints_panel_internal.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "app/panels/param_controls.h"
#include "app/panels/text.h"
#include "core/merge/registry.h"
#include "widgets/colormap.h"
#include "widgets/imgui_compat.h"

namespace mergelab::app {

namespace fs = std::filesystem;
using ImGuiCompat::em;
using text::file_name;
using text::fmt;
using checkpoints_detail::kBad;
using checkpoints_detail::kGood;
using checkpoints_detail::kMarker;
using checkpoints_detail::to_vec4;

// ---------------------------------------------------------------------------------------------------
// [SECTION] Controls
// ---------------------------------------------------------------------------------------------------

void CheckpointsPanel::draw_inputs(AppContext&) {
  const bool busy = load_job_.active();
  ImGuiCompat::SeparatorText("Checkpoints");
  auto path_row = [&](const char* label, std::string& path, int target, const char* rect_name) {
    ImGui::PushID(rect_name);
    ImGui::TextUnformatted(label);
    ImGui::SameLine(em(5.5f));
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - em(7.0f));
    ImGui::InputTextWithHint("##path", "folder or .safetensors file", &path);
    remember_rect(rect_name);
    ImGui::SameLine();
    const bool browse_clicked = ImGui::Button("...");
    remember_rect(std::string(rect_name) + "_browse");
    if (browse_clicked) {
      browse_target_ = target;
      browser_.open(FolderBrowser::start_folder(path, /*parent_of_folder=*/true), false);
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Browse folders");
    ImGui::PopID();
  };
  path_row("base", base_, -1, "base");
  int remove = -1;
  for (size_t i = 0; i < models_.size(); ++i) {
    const std::string label = "model " + std::to_string(i);
    path_row(label.c_str(), models_[i], static_cast<int>(i), ("model" + std::to_string(i)).c_str());
    ImGui::SameLine();
    ImGui::PushID(static_cast<int>(i));
    if (ImGui::SmallButton("x")) remove = static_cast<int>(i);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Remove this model");
    ImGui::PopID();
  }
  if (remove >= 0 && models_.size() > 1) {
    models_.erase(models_.begin() + remove);
    if (static_cast<size_t>(remove) < per_model_.size()) per_model_.erase(per_model_.begin() + remove);
  }
  if (ImGui::Button("+ model")) {
    models_.emplace_back();
    reset_params();
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(busy);
  if (ImGui::Button(busy ? "Loading..." : "Load", ImVec2(em(7.0f), 0))) start_load();
  ImGui::EndDisabled();
  remember_rect("load");
  ImGui::SameLine();
  ImGui::TextDisabled("(drop folders on the window to add them)");
}

void CheckpointsPanel::draw_compat() {
  ImGuiCompat::SeparatorText("Compatibility");
  if (!family_) {
    ImGui::TextDisabled(load_job_.active() ? "loading..." : "Load a base and its fine-tunes to check them.");
    return;
  }
  const auto& rep = family_->report;
  if (rep.ok())
    ImGui::TextColored(to_vec4(kGood), "compatible: %zu models merge with %s (%zu tensors)", rep.models.size(),
                       file_name(rep.base).c_str(), family_->base->tensors().size());
  else
    ImGui::TextColored(to_vec4(kBad), "NOT compatible: see the models marked below");
  for (size_t i = 0; i < rep.models.size(); ++i) {
    const auto& m = rep.models[i];
    const bool ok = m.mergeable();
    ImGui::TextColored(to_vec4(ok ? kGood : kBad), "%s", ok ? "ok " : "no ");
    ImGui::SameLine();
    ImGui::Text("[%zu] %-12s cos to base %s, |theta - base| / |base| %s", i, file_name(m.path).c_str(),
                std::isnan(m.cosine_to_base) ? "-" : fmt("%.4f", m.cosine_to_base).c_str(),
                std::isnan(m.relative_distance) ? "-" : fmt("%.4f", m.relative_distance).c_str());
    auto list = [](const char* what, const std::vector<std::string>& v) {
      if (v.empty()) return;
      std::string s = v.front();
      for (size_t i = 1; i < std::min<size_t>(v.size(), 4); ++i) s += ", " + v[i];
      if (v.size() > 4) s += ", ... (" + std::to_string(v.size()) + ")";
      ImGui::TextWrapped("      %s: %s", what, s.c_str());
    };
    list("missing", m.missing);
    list("extra (ignored)", m.extra);
    list("not mergeable", m.not_mergeable);
    for (const auto& s : m.shape_mismatches)
      ImGui::TextWrapped("      shape of %s: base %s, model %s", s.tensor.c_str(), s.base.c_str(), s.model.c_str());
    for (const auto& s : m.dtype_mismatches)
      ImGui::TextWrapped("      dtype of %s: base %s, model %s (converted to f32)", s.tensor.c_str(), s.base.c_str(),
                         s.model.c_str());
    if (!m.finetune_note.empty()) ImGui::TextColored(to_vec4(kBad), "      %s", m.finetune_note.c_str());
  }
}

void CheckpointsPanel::draw_method() {
  ImGuiCompat::SeparatorText("Method");
  const merge::MethodSpec* spec = merge::find_method(method_);
  ImGui::SetNextItemWidth(em(14.0f));
  if (ImGui::BeginCombo("##method", spec ? spec->label.c_str() : method_.c_str())) {
    for (const auto& m : merge::method_registry()) {
      if (ImGui::Selectable(m.label.c_str(), m.name == method_) && m.name != method_) {
        method_ = m.name;
        reset_params();
      }
      remember_rect("method_" + m.name);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", m.summary.c_str());
    }
    ImGui::EndCombo();
  }
  remember_rect("method");
  spec = merge::find_method(method_);
  if (!spec) return;
  ImGui::SameLine();
  ImGuiCompat::HelpMarker((spec->summary + "\n" + spec->formula).c_str());
  if (spec->base_optional || spec->base_joins_models) {
    ImGui::SameLine();
    base_switch(*spec, use_base_);
    remember_rect("use_base");
  }
  auto control = [&](const merge::ParamSpec& p, double& v, const std::string& id) -> bool {
    const bool changed = param_control(p, v, id);
    remember_rect(id);
    return changed;
  };
  for (const auto& p : spec->params) {
    if (p.per_model) continue;
    ImGui::TextUnformatted(p.label.c_str());
    ImGui::SameLine(em(11.0f));
    ImGui::SetNextItemWidth(std::max(em(8.0f), ImGui::GetContentRegionAvail().x - em(1.0f)));
    if (control(p, global_[p.name], "param_" + p.name) && p.name == "density") density_ = global_[p.name];
  }
  std::vector<const merge::ParamSpec*> pm;
  for (const auto& p : spec->params)
    if (p.per_model) pm.push_back(&p);
  if (!pm.empty() && !models_.empty()) {
    if (per_model_.size() != models_.size()) reset_params();
    if (ImGui::BeginTable("##per_model", static_cast<int>(pm.size()) + 1, ImGuiTableFlags_SizingStretchProp)) {
      ImGui::TableSetupColumn("model", ImGuiTableColumnFlags_WidthFixed, em(6.0f));
      for (const auto* p : pm) ImGui::TableSetupColumn(p->label.c_str());
      ImGui::TableHeadersRow();
      for (size_t i = 0; i < models_.size(); ++i) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(models_[i].empty() ? "(empty)" : file_name(models_[i]).c_str());
        for (const auto* p : pm) {
          ImGui::TableNextColumn();
          ImGui::SetNextItemWidth(-FLT_MIN);
          const std::string id = std::string("m").append(std::to_string(i)).append("_").append(p->name);
          if (control(*p, per_model_[i][p->name], id) && p->name == "density")
            density_ = per_model_[i][p->name];
        }
      }
      ImGui::EndTable();
    }
  }
}

void CheckpointsPanel::draw_actions() {
  ImGuiCompat::SeparatorText("Merge and export");
  const float field_w = ImGui::GetContentRegionAvail().x - em(13.0f);
  auto path_field = [&](const char* id, const char* hint, std::string& s, int target, const char* rect) {
    ImGui::PushID(id);
    ImGui::SetNextItemWidth(field_w);
    ImGui::InputTextWithHint("##f", hint, &s);
    remember_rect(rect);
    ImGui::SameLine();
    if (ImGui::Button("...")) {
      browse_target_ = target;
      std::error_code ec;
      fs::path start = s.empty() ? fs::current_path(ec) : fs::path(s).parent_path();
      if (start.empty() || !fs::is_directory(start, ec)) start = fs::current_path(ec);
      browser_.open(start.string(), target == -3);
    }
    ImGui::PopID();
  };
  const bool merging = merge_job_.active();
  path_field("out", "output folder (must not exist)", out_dir_, -2, "out_dir");
  ImGui::SameLine();
  ImGui::Checkbox("force##merge", &force_merge_);
  remember_rect("force_merge");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Replace the output folder when it exists");
  ImGui::BeginDisabled(merging || !family_);
  if (ImGui::Button("Merge", ImVec2(em(7.0f), 0))) start_merge();
  remember_rect("merge");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!merging);
  if (ImGui::Button("Cancel", ImVec2(em(6.0f), 0))) merge_job_.cancel();
  remember_rect("cancel");
  ImGui::EndDisabled();
  ImGui::SameLine();
  {
    const auto& p = last_progress_;
    const double frac = p.bytes_total ? static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total)
                                      : (merge_state_ == "done" ? 1.0 : 0.0);
    char overlay[160];
    if (merging || merge_state_ == "done")
      std::snprintf(overlay, sizeof overlay, "%zu/%zu tensors, %s / %s", p.tensors_done, p.tensors_total,
                    engine::format_bytes(p.bytes_done).c_str(), engine::format_bytes(p.bytes_total).c_str());
    else
      std::snprintf(overlay, sizeof overlay, "%s", merge_state_.c_str());
    ImGui::ProgressBar(static_cast<float>(frac), ImVec2(-FLT_MIN, 0), overlay);
    remember_rect("progress");
  }
  if (!merge_message_.empty())
    ImGui::TextColored(to_vec4(merge_state_ == "done" ? kGood : kBad), "%s", merge_message_.c_str());
  draw_preflight();

  path_field("yaml", "mergekit YAML path (e.g. merge.yml)", yaml_path_, -3, "yaml_path");
  ImGui::SameLine();
  ImGui::Checkbox("force##export", &force_export_);
  remember_rect("force_export");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Replace the YAML file when it exists");
  ImGui::BeginDisabled(export_job_.active());
  if (ImGui::Button("Export YAML", ImVec2(em(7.0f), 0))) start_export();
  remember_rect("export");
  ImGui::EndDisabled();
  if (!export_message_.empty()) {
    ImGui::SameLine();
    ImGui::TextColored(to_vec4(export_state_ == "done" ? kGood : kBad), "%s", export_message_.c_str());
  }
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Tensor table and histogram
// ---------------------------------------------------------------------------------------------------

namespace {

/// A table column's value from column 2 on: |tau_i| per model, then mean cos, sign conflict, kept.
double numeric_column(const ckpt::TensorDiagnostics& d, int c, size_t n_models) {
  if (c >= 2 && c < 2 + static_cast<int>(n_models)) return d.norms[static_cast<size_t>(c - 2)];
  const int rest = c - 2 - static_cast<int>(n_models);
  if (rest == 0) return d.mean_cosine();
  if (rest == 1) return d.sign_conflict;
  double kept = 0;
  for (double k : d.kept) kept += k / static_cast<double>(std::max<size_t>(d.kept.size(), 1));
  return kept;
}

}  // namespace

void CheckpointsPanel::sort_rows() {
  const size_t n_models = family_ ? family_->models.size() : 0;
  order_.resize(diags_.size());
  for (size_t i = 0; i < order_.size(); ++i) order_[i] = static_cast<int>(i);
  auto key = [&](const ckpt::TensorDiagnostics& d) -> double {
    const int c = sort_column_;
    if (c == 1) {
      double n = 1;
      for (auto s : d.shape) n *= static_cast<double>(s);
      return n;
    }
    return numeric_column(d, c, n_models);
  };
  std::stable_sort(order_.begin(), order_.end(), [&](int a, int b) {
    const auto& da = diags_[static_cast<size_t>(a)];
    const auto& db = diags_[static_cast<size_t>(b)];
    if (sort_column_ == 0) return sort_ascending_ ? da.tensor < db.tensor : da.tensor > db.tensor;
    const double ka = key(da), kb = key(db);
    return sort_ascending_ ? ka < kb : ka > kb;
  });
}

void CheckpointsPanel::draw_preflight() {
  if (!family_) return;
  ImGui::PushTextWrapPos(0.0f);
  if (!preflight_ || preflight_running_) {
    ImGui::TextDisabled("pre-flight: checking...");
  } else if (!preflight_->ok) {
    ImGui::TextColored(to_vec4(kBad), "pre-flight: Merge would refuse: %s", preflight_->error.c_str());
  } else {
    const auto& p = *preflight_;
    std::string line = "pre-flight ok: " + std::to_string(p.tensors) + " tensors";
    if (p.copied_tensors) line += " (" + std::to_string(p.copied_tensors) + " copied)";
    line += ", reads " + engine::format_bytes(p.bytes_read) + ", writes " + engine::format_bytes(p.bytes_written) +
            ", peak memory " + engine::format_bytes(p.peak_memory_bytes) +
            (p.estimated_seconds < 1.0 ? std::string(", under a second") : fmt(", about %.0f s", p.estimated_seconds));
    if (!p.warnings.empty()) line += "; " + std::to_string(p.warnings.size()) + " warning(s)";
    ImGui::TextDisabled("%s", line.c_str());
  }
  remember_rect("preflight");
  ImGui::PopTextWrapPos();
  if (preflight_ && ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(em(40.0f));
    ImGui::TextUnformatted(preflight_->ok ? preflight_->text().c_str() : preflight_->error.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void CheckpointsPanel::draw_table(float height) {
  const size_t n_models = family_ ? family_->models.size() : 0;
  ImGui::TextUnformatted("Per-tensor task vectors");
  ImGui::SameLine();
  ImGuiCompat::HelpMarker(
      "tau_i = theta_i - theta_base per tensor. |tau_i|: L2 norm; mean cos: mean pairwise cosine of the tau_i; "
      "sign conflict: fraction of entries whose signs differ across models; kept: mean fraction of entries kept "
      "by the top int(density * n) magnitude trim (mergekit's TIES trim). Colours: viridis (dark = low); norms over "
      "the table's range, mean cos over [-1, 1], fractions over [0, 1]. "
      "Click a header to sort, a row to see its histogram.");
  ImGui::SameLine(std::max(em(18.0f), ImGui::GetContentRegionAvail().x - em(11.0f)));
  ImGui::SetNextItemWidth(em(11.0f));
  const double lo = 0.0, hi = 1.0;
  ImGui::SliderScalar("##density_table", ImGuiDataType_Double, &density_, &lo, &hi, "density %.2f");
  remember_rect("density");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("kept fraction k of the trim: keep the int(k * n) largest |tau|");
  if (diags_.empty()) {
    ImGui::TextDisabled(family_ ? "no tensor is mergeable in every model" : "no checkpoints loaded");
    ImGui::Dummy(ImVec2(0, std::max(0.0f, height - ImGui::GetFrameHeightWithSpacing() * 2)));
    return;
  }
  const int n_cols = 2 + static_cast<int>(n_models) + 3;
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_Resizable;
  const float row_h = ImGui::GetTextLineHeight() + 2.0f * ImGui::GetStyle().CellPadding.y;
  const float fit_h = row_h * static_cast<float>(diags_.size() + 1) + em(0.6f);
  if (!ImGui::BeginTable("##tensors", n_cols, flags, ImVec2(0, std::min(fit_h, height - ImGui::GetFrameHeightWithSpacing()))))
    return;
  ImGui::TableSetupScrollFreeze(1, 1);
  ImGui::TableSetupColumn("tensor", ImGuiTableColumnFlags_DefaultSort, 1.6f, 0);
  ImGui::TableSetupColumn("shape", 0, 1.0f, 1);
  std::vector<std::string> names;
  for (size_t i = 0; i < n_models; ++i) names.push_back("|tau[" + std::to_string(i) + "]|");
  for (size_t i = 0; i < n_models; ++i) ImGui::TableSetupColumn(names[i].c_str(), 0, 1.0f, static_cast<ImGuiID>(2 + i));
  ImGui::TableSetupColumn("mean cos", 0, 1.0f, static_cast<ImGuiID>(2 + n_models));
  ImGui::TableSetupColumn("sign conflict", 0, 1.0f, static_cast<ImGuiID>(3 + n_models));
  ImGui::TableSetupColumn("kept", 0, 0.8f, static_cast<ImGuiID>(4 + n_models));
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  for (int c = 0; c < n_cols; ++c) {
    ImGui::TableSetColumnIndex(c);
    ImGui::TableHeader(ImGui::TableGetColumnName(c));
    remember_rect("header_" + std::to_string(c));
    if (c >= 2 && c < 2 + static_cast<int>(n_models) && ImGui::IsItemHovered())
      ImGui::SetTooltip("|tau| of %s", family_->models[static_cast<size_t>(c - 2)].path.c_str());
  }
  if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsDirty) {
    if (specs->SpecsCount > 0) {
      sort_column_ = static_cast<int>(specs->Specs[0].ColumnUserID);
      sort_ascending_ = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
    }
    specs->SpecsDirty = false;
    sort_rows();
  }
  // Per-column ranges for the colours.
  std::vector<double> cmin(static_cast<size_t>(n_cols), INFINITY), cmax(static_cast<size_t>(n_cols), -INFINITY);
  auto value = [&](const ckpt::TensorDiagnostics& d, int c) -> double {
    return numeric_column(d, c, n_models);
  };
  for (const auto& d : diags_)
    for (int c = 2; c < n_cols; ++c) {
      const double v = value(d, c);
      if (std::isfinite(v)) cmin[static_cast<size_t>(c)] = std::min(cmin[static_cast<size_t>(c)], v),
                                 cmax[static_cast<size_t>(c)] = std::max(cmax[static_cast<size_t>(c)], v);
    }
  // Bounded quantities use their full range (a kept fraction of 0.19 vs 0.20 must not look like 0 vs 1):
  // cosine [-1, 1], sign conflict and kept [0, 1]. Norms share one range across models so that they compare.
  cmin[2 + n_models] = -1.0, cmax[2 + n_models] = 1.0;
  cmin[3 + n_models] = 0.0, cmax[3 + n_models] = 1.0;
  cmin[4 + n_models] = 0.0, cmax[4 + n_models] = 1.0;
  if (n_models > 0) {
    double lo_n = INFINITY, hi_n = -INFINITY;
    for (size_t i = 0; i < n_models; ++i) lo_n = std::min(lo_n, cmin[2 + i]), hi_n = std::max(hi_n, cmax[2 + i]);
    for (size_t i = 0; i < n_models; ++i) cmin[2 + i] = lo_n, cmax[2 + i] = hi_n;
  }
  std::string clicked;
  for (size_t row = 0; row < order_.size(); ++row) {
    const auto& d = diags_[static_cast<size_t>(order_[row])];
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    if (ImGui::Selectable(d.tensor.c_str(), d.tensor == selected_, ImGuiSelectableFlags_SpanAllColumns))
      clicked = d.tensor;
    remember_rect("row_" + std::to_string(row));
    ImGui::TableSetColumnIndex(1);
    ImGui::TextUnformatted(ckpt::shape_string(d.shape).c_str());
    for (int c = 2; c < n_cols; ++c) {
      ImGui::TableSetColumnIndex(c);
      const double v = value(d, c);
      if (std::isfinite(v)) {
        const double span = cmax[static_cast<size_t>(c)] - cmin[static_cast<size_t>(c)];
        const float s = span > 0 ? static_cast<float>((v - cmin[static_cast<size_t>(c)]) / span) : 0.5f;
        const ImU32 col = (Widgets::Viridis(s) & 0x00FFFFFFu) | (static_cast<ImU32>(150) << IM_COL32_A_SHIFT);
        ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, col);
        ImGui::Text("%s", fmt(c == 2 + static_cast<int>(n_models) + 2 || c == 2 + static_cast<int>(n_models) + 1
                                  ? "%.3f" : "%.4g", v).c_str());
      } else {
        ImGui::TextDisabled("-");
      }
    }
  }
  ImGui::EndTable();
  if (!clicked.empty()) selected_ = clicked;
}

void CheckpointsPanel::draw_histogram(float height) {
  const float top = ImGui::GetCursorScreenPos().y;
  const size_t n_models = family_ ? family_->models.size() : 0;
  if (selected_.empty() || n_models == 0) {
    ImGui::TextDisabled("Select a tensor to see its task-vector values.");
    return;
  }
  ImGui::Text("Task vector of %s", selected_.c_str());
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em(10.0f));
  hist_model_ = std::clamp(hist_model_, 0, static_cast<int>(n_models) - 1);
  if (ImGui::BeginCombo("##hist_model", file_name(family_->models[static_cast<size_t>(hist_model_)].path).c_str())) {
    for (size_t i = 0; i < n_models; ++i)
      if (ImGui::Selectable(file_name(family_->models[i].path).c_str(), static_cast<int>(i) == hist_model_))
        hist_model_ = static_cast<int>(i);
    ImGui::EndCombo();
  }
  remember_rect("hist_model");
  if (!hist_valid_) {
    ImGui::TextDisabled("computing...");
    return;
  }
  if (!hist_.error.empty()) {
    ImGui::TextColored(to_vec4(kBad), "%s", hist_.error.c_str());
    return;
  }
  ImGui::PushTextWrapPos(0.0f);  // a narrow window wraps the line instead of cutting it
  const bool keeps_all = hist_.density >= 1.0;  // no trim: no threshold lines
  if (keeps_all)
    ImGui::TextDisabled("%llu values, %llu exactly 0 (not drawn); %s density %.3g keeps every entry",
                        static_cast<unsigned long long>(hist_.numel), static_cast<unsigned long long>(hist_.zeros),
                        hist_.density_of.c_str(), hist_.density);
  else if (std::isfinite(hist_.threshold))
    ImGui::TextDisabled("%llu values, %llu exactly 0 (not drawn); |tau| >= %.4g kept at %s density %.3g (grey: trimmed)",
                        static_cast<unsigned long long>(hist_.numel), static_cast<unsigned long long>(hist_.zeros),
                        hist_.threshold, hist_.density_of.c_str(), hist_.density);
  else
    ImGui::TextDisabled("%llu values; %s density %.3g keeps nothing", static_cast<unsigned long long>(hist_.numel),
                        hist_.density_of.c_str(), hist_.density);
  ImGui::PopTextWrapPos();
  Widgets::HistogramStyle style;
  Widgets::HistogramMarker markers[2];
  int n_markers = 0;
  if (keeps_all) {
    style.band_lo = style.band_hi = 0;  // nothing grey
  } else if (std::isfinite(hist_.threshold)) {
    style.band_lo = -hist_.threshold, style.band_hi = hist_.threshold;
    markers[0] = {-hist_.threshold, kMarker, "-t"};
    markers[1] = {hist_.threshold, kMarker, "+t"};
    n_markers = 2;
  } else {
    style.band_lo = hist_.bins.lo - 1, style.band_hi = hist_.bins.hi + 1;
  }
  const float h = std::max(em(6.0f), height - (ImGui::GetCursorScreenPos().y - top));  // what the lines above left
  Widgets::Histogram("##hist", hist_.bins, ImVec2(ImGui::GetContentRegionAvail().x, h), markers, n_markers,
                     "task-vector value", "count", style);
  remember_rect("histogram");
}

}  // namespace mergelab::app
