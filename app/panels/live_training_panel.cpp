// Live Training: the hyper-parameters of the two trained models. Any change retrains both within the
// frame; a replay animates their gradient-descent trajectories on the Weight Space canvas. The tiny MLP
// toy shows what the logistic model cannot: a loss barrier between models from different inits.
#include <algorithm>
#include <cmath>

#include "app/gui/panel.h"
#include "widgets/imgui_compat.h"

namespace mergelab::app {

namespace {

using ImGuiCompat::em;

class LiveTrainingPanel : public Panel {
 public:
  const char* id() const override { return "training"; }
  const char* title() const override { return "Live Training"; }
  const char* help() const override {
    return "Full-batch gradient descent trains W_A on Task 1 (label x1 > 0) and W_B on Task 2 (x2 > 0), from one "
           "init or from two. Every change retrains at once. Space or 'Replay' animates the training paths.";
  }
  float weight() const override { return 1.0f; }

  void draw(AppContext& ctx) override {
    SceneParams& s = ctx.scene;
    if (!ctx.hides("training.controls")) draw_controls(s);
    if (!ctx.hides("training.replay")) draw_replay(ctx);
    draw_summary(ctx);
  }

 private:
  void draw_controls(SceneParams& s) {
    const float label_w = em(10.0f);
    ImGui::PushItemWidth(std::max(em(8.0f), ImGui::GetContentRegionAvail().x * 0.45f));

    int model = s.model == ModelKind::Logistic ? 0 : 1;
    ImGui::TextUnformatted("Model");
    ImGui::SameLine(label_w);
    if (ImGui::RadioButton("Logistic (article)", &model, 0)) s.model = ModelKind::Logistic;
    ImGui::SameLine();
    if (ImGui::RadioButton("MLP 2-h-1 (M)", &model, 1)) s.model = ModelKind::Mlp;
    ImGuiCompat::HelpMarker("Logistic: p = sigmoid(x . w), w in R^2, no bias (the article).\nMLP: p = sigmoid(b2 + "
                            "sum_k w2_k tanh(W1_k . x + b1_k)), 4h + 1 parameters.");

    int seed = static_cast<int>(s.article.seed);
    ImGui::TextUnformatted("Seed");
    ImGui::SameLine(label_w);
    if (ImGui::SliderInt("##seed", &seed, 0, 100)) s.article.seed = static_cast<uint32_t>(seed);
    ImGuiCompat::HelpMarker("np.random.seed(seed): W_init = randn(2) * 0.5, then X1, X2 = randn(n, 2). 42 gives "
                            "the article's numbers. Shift+R re-rolls this seed and the MLP's init seed.");

    ImGui::TextUnformatted("Samples per task");
    ImGui::SameLine(label_w);
    ImGui::SliderInt("##samples", &s.article.samples, 20, 1000);
    ImGuiCompat::HelpMarker("n rows per task: X = randn(n, 2); Task 1 y = (x1 > 0), Task 2 y = (x2 > 0).");

    const bool mlp = s.model == ModelKind::Mlp;
    double& lr = mlp ? s.mlp.lr : s.article.lr;
    int& steps = mlp ? s.mlp.steps : s.article.steps;
    float lrf = static_cast<float>(lr);
    ImGui::TextUnformatted("Learning rate");
    ImGui::SameLine(label_w);
    if (ImGui::SliderFloat("##lr", &lrf, 0.005f, 2.0f, "%.3f", ImGuiSliderFlags_Logarithmic)) lr = lrf;
    ImGuiCompat::HelpMarker("w <- w - lr * grad, grad = X^T (sigmoid(z) - y) / n (back-propagated through tanh for the MLP).");

    ImGui::TextUnformatted("Steps");
    ImGui::SameLine(label_w);
    ImGui::SliderInt("##steps", &steps, 1, 2000, "%d", ImGuiSliderFlags_Logarithmic);
    ImGuiCompat::HelpMarker("Number of full-batch gradient-descent steps for each model.");

    int init = s.article.same_init ? 0 : 1;
    ImGui::TextUnformatted("B starts from");
    ImGui::SameLine(label_w);
    if (ImGui::RadioButton("A's init", &init, 0)) s.article.same_init = true;
    ImGui::SameLine();
    if (ImGui::RadioButton("its own init (D)", &init, 1)) s.article.same_init = false;
    ImGuiCompat::HelpMarker("Same: W_B starts at W_init like W_A (the article). Different: W_B starts from its own "
                            "draw randn * scale.");

    if (mlp) {
      ImGui::TextUnformatted("Hidden units h");
      ImGui::SameLine(label_w);
      ImGui::SliderInt("##hidden", &s.mlp.hidden, 1, 32);
      ImGuiCompat::HelpMarker("h tanh units: theta = [W1 (h x 2) | b1 (h) | w2 (h) | b2], 4h + 1 numbers.");
      float sc = static_cast<float>(s.mlp.init_scale);
      ImGui::TextUnformatted("Init scale");
      ImGui::SameLine(label_w);
      if (ImGui::SliderFloat("##init_scale", &sc, 0.1f, 5.0f, "%.2f")) s.mlp.init_scale = sc;
      ImGuiCompat::HelpMarker("W1, w2 ~ randn * scale, biases 0. Large scales make two random inits very different.");
      int iseed = static_cast<int>(s.mlp.init_seed);
      ImGui::TextUnformatted("Init seed");
      ImGui::SameLine(label_w);
      if (ImGui::SliderInt("##init_seed", &iseed, 0, 100)) s.mlp.init_seed = static_cast<uint32_t>(iseed);
      ImGuiCompat::HelpMarker("RandomState(init seed) draws A's init, then B's when B has its own.");
      int bt = s.mlp_b_task == MlpBTask::Other ? 0 : 1;
      ImGui::TextUnformatted("B learns");
      ImGui::SameLine(label_w);
      if (ImGui::RadioButton("Task 2", &bt, 0)) s.mlp_b_task = MlpBTask::Other;
      ImGui::SameLine();
      if (ImGui::RadioButton("Task 1 too (B)", &bt, 1)) s.mlp_b_task = MlpBTask::Same;
      ImGuiCompat::HelpMarker("Task 2: A and B learn different tasks (the article's setting); each end is bad on the "
                              "other task, which dominates the curves. Task 1 too: the classic barrier demo, B learns "
                              "A's task on its own draw of the data (seed + 1000); only the inits differ.");
    }
    ImGui::PopItemWidth();
  }

  void draw_replay(AppContext& ctx) {
    SceneParams& s = ctx.scene;
    // Replay of the trajectories on the canvas.
    if (ImGui::Button(s.replay_playing ? "Pause replay (Space)" : "Replay training (Space)")) {
      s.replay_playing = !s.replay_playing;
      if (s.replay_playing && s.replay_progress >= 1.0) s.replay_progress = 0.0;
    }
    ImGui::SameLine();
    float prog = static_cast<float>(s.replay_progress);
    ImGui::SetNextItemWidth(-em(0.5f));
    if (ImGui::SliderFloat("##replay", &prog, 0.0f, 1.0f, "training step %.2f of all")) {
      s.replay_progress = prog;
      s.replay_playing = false;
    }
  }

  static void draw_summary(AppContext& ctx) {
    SceneParams& s = ctx.scene;
    const bool mlp = s.model == ModelKind::Mlp;
    if (s.replay_playing) {
      s.replay_progress = std::min(1.0, s.replay_progress + ctx.dt / 4.0);  // 4 s for the whole run
      if (s.replay_progress >= 1.0) s.replay_playing = false;
    }

    const ToyScene& toy = ctx.toy;
    if (toy.w_a().size() == 2) {
      ImGui::Text("W_A = (%.3f, %.3f)   W_B = (%.3f, %.3f)", toy.w_a()[0], toy.w_a()[1], toy.w_b()[0], toy.w_b()[1]);
    } else {
      ImGui::Text("%d parameters per model", static_cast<int>(toy.w_a().size()));
    }
    ImGui::Text("W_A on %s: %.1f%%   W_B on %s: %.1f%%", toy.task_name(1), 100 * toy.accuracy(1, toy.w_a()),
                toy.task_name(2), 100 * toy.accuracy(2, toy.w_b()));
    ImGui::Spacing();
    if (s.view == ExplorerView::LabSlice)
      ImGui::TextWrapped("The canvas shows the Merge Lab slice; these controls change the trained pair behind the "
                         "'Trained pair' plane.");
    else if (!mlp)
      ImGui::TextWrapped("Why no ridge, even from different inits: the logistic loss is convex in w, so along any "
                         "straight path it stays below the line joining its ends. Switch to the MLP to see a barrier.");
    else if (s.mlp_b_task == MlpBTask::Same)
      ImGui::TextWrapped("Both nets learn Task 1; only their inits differ (D). The MLP's loss is not convex: "
                         "permuting its hidden units gives an equally good net, so from two inits the runs land "
                         "in different basins and the straight path between them climbs a ridge. From one init "
                         "they stay in one basin.");
    else
      ImGui::TextWrapped("With a hidden layer the loss is not convex: two nets from different inits solve their task "
                         "with unrelated hidden units, and averaging them cancels both, so the straight path climbs a "
                         "ridge (try 'its own init'). From one shared init they stay in one basin.");
  }
};

PanelRegistrar reg{30, [] { return std::make_unique<LiveTrainingPanel>(); }};

}  // namespace

}  // namespace mergelab::app
