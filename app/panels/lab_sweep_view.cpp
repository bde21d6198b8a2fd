#include "app/panels/lab_sweep_view.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>

#include "widgets/colormap.h"

namespace mergelab::app {

namespace {

void upload_sweep_texture(SweepView& v) {
  // Texture row 0 is the top (largest k or p); each cell is a block of kBlock x kBlock texels.
  constexpr int kBlock = 8;
  const auto& m = v.map;
  const int cols = static_cast<int>(m.alphas.size()), rows = static_cast<int>(m.values.size());
  std::vector<double> flipped(static_cast<size_t>(cols * rows));
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) flipped[static_cast<size_t>(r * cols + c)] = m.combined(rows - 1 - r, c);
  std::vector<ImU32> cells;
  Widgets::ColormapField(flipped.data(), cols, rows, v.vmin(), v.vmax(), false, cells);
  v.pixels.assign(static_cast<size_t>(cols * rows * kBlock * kBlock), 0);
  const int W = cols * kBlock;
  for (int r = 0; r < rows * kBlock; ++r)
    for (int c = 0; c < W; ++c) v.pixels[static_cast<size_t>(r * W + c)] = cells[static_cast<size_t>((r / kBlock) * cols + c / kBlock)];
  v.texture.upload(v.pixels.data(), W, rows * kBlock);
}

}  // namespace

void update_sweep(const toy::LabToy& toy, SweepView& v, const std::string& method, const toy::LabSettings& settings,
                  const std::string& key, bool in_frame) {
  auto compute = [&toy, method, s = settings, axis = v.axis](double* ms) {
    const auto t0 = std::chrono::steady_clock::now();
    toy::SweepMap m = toy::sweep_lab_map(toy, method, s, axis, toy::default_sweep_alphas(), toy::default_sweep_values(axis));
    *ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return m;
  };
  if (v.job.valid() && v.job.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    v.map = v.job.get();
    v.key = v.job_key;
    v.compute_ms = v.job_ms;
    upload_sweep_texture(v);
  }
  if (key == v.key) return;
  if (in_frame || v.map.combined.size() == 0) {
    if (v.job.valid()) v.job.wait();  // a stale job must not overwrite this map later
    v.job = {};
    v.map = compute(&v.compute_ms);
    v.key = key;
    upload_sweep_texture(v);
  } else if (!v.job.valid()) {
    v.job_key = key;
    v.job = std::async(std::launch::async, [compute, ms = &v.job_ms] {
      // Below the frame loop and the rasteriser's threads (Linux per-thread nice value).
      setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 5);
      return compute(ms);
    });
  }
}

}  // namespace mergelab::app
