// Built-in evaluator: feed-forward classifiers described by a checkpoint's config.json.
//
// config.json (the tests/data/digits/models/*/config.json layout):
//   "layers":     ["fc1", "fc2", ...]   Linear layers in forward order (tensors "<layer>.weight" [out, in],
//                                       optional "<layer>.bias" [out]; a missing bias means zeros)
//   "hidden_act": "relu"                after every layer but the last: relu | gelu (erf) | gelu_tanh |
//                                       tanh | sigmoid | silu | identity   (default relu)
//   "layer_sizes": [64, 64, 10]         optional; checked against the tensor shapes when present
//   "num_labels":  10                   optional; checked against the last layer's width when present
// Forward: h = x; for each layer h = act(h · Wᵀ + b), no activation after the last; logits = h.
// Computed in float with Eigen, in batches of rows.
//
// Weights come from memory (a name -> tensor map of float views, so a merge is evaluated without any
// disk write) or from a checkpoint folder through mergelab::ckpt::Checkpoint (F32/F16/BF16, sharded or not).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/eval/dataset.h"

namespace mergelab::eval {

enum class Activation { Relu, Gelu, GeluTanh, Tanh, Sigmoid, Silu, Identity };

/// "relu" -> Relu, ...; also accepts "gelu_new"/"gelu_pytorch_tanh" (GeluTanh), "swish" (Silu),
/// "linear"/"none" (Identity). Throws std::invalid_argument naming the value otherwise.
Activation parse_activation(const std::string& name);
const char* activation_name(Activation a);

struct MlpConfig {
  std::vector<std::string> layers;   // forward order
  Activation hidden_act = Activation::Relu;
  std::vector<int64_t> layer_sizes;  // optional: input width, then each layer's output width
  int64_t num_labels = 0;            // optional (0 = not given)
};

/// Parses config.json text; `name` is used in error messages. Throws DataError ("NAME: problem").
MlpConfig parse_mlp_config(const std::string& json_text, const std::string& name);
/// Reads `<model_dir>/config.json` (or the file itself when given a .json path).
MlpConfig load_mlp_config(const std::filesystem::path& path);

/// A float tensor held elsewhere (a merged vector, a memory map, an Eigen vector): flattened row-major
/// values and the shape. An empty shape means "unknown": the weight's shape is then inferred from its
/// bias (or the next layer) and the input width.
struct TensorView {
  std::span<const float> values;
  std::vector<std::uint64_t> shape;
};
using WeightViews = std::map<std::string, TensorView>;

/// One tensor of a flat parameter vector: tensors laid end to end in this order.
struct TensorSlot {
  std::string name;
  std::vector<std::uint64_t> shape;
};
/// Cuts `flat` (all tensors concatenated in `layout` order) into views. Throws std::invalid_argument
/// when the sizes do not add up to flat.size().
WeightViews split_flat(std::span<const float> flat, const std::vector<TensorSlot>& layout);

/// Logits, rows × classes.
using LogitMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

class MlpClassifier {
 public:
  MlpClassifier() = default;

  /// Copies the layers named by `config` out of `weights`. Throws DataError naming `source` and the
  /// tensor when a tensor is missing or its shape does not chain (in/out widths, bias size, config sizes).
  static MlpClassifier from_weights(const MlpConfig& config, const WeightViews& weights,
                                    const std::string& source = "<memory>");

  /// Reads `<dir>/config.json` and the tensors of the checkpoint in `dir` (any layout
  /// ckpt::Checkpoint::open accepts). Throws DataError or ckpt::CheckpointError.
  static MlpClassifier load(const std::filesystem::path& dir);
  /// Same with the config given: `checkpoint` may also be a lone .safetensors file (e.g. a merge output).
  static MlpClassifier load(const std::filesystem::path& checkpoint, const MlpConfig& config);

  /// Replaces the weights with new values of the same shapes (no reallocation): the sweep path.
  void set_weights(const WeightViews& weights, const std::string& source = "<memory>");

  const MlpConfig& config() const { return config_; }
  Eigen::Index input_size() const { return layers_.empty() ? 0 : layers_.front().W.cols(); }
  Eigen::Index output_size() const { return layers_.empty() ? 0 : layers_.back().W.rows(); }
  std::size_t parameter_count() const;

  /// Logits for rows [first, first + count) of X. X.cols() must equal input_size().
  /// `out` is resized to count × output_size(); `scratch` is reused between calls.
  void logits(const FeatureMatrix& X, Eigen::Index first, Eigen::Index count, LogitMatrix& out,
              LogitMatrix& scratch) const;
  /// Logits for every row of X.
  LogitMatrix logits(const FeatureMatrix& X) const;

 private:
  struct Layer {
    std::string name;
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> W;  // out × in
    Eigen::RowVectorXf b;                                                     // out
  };
  MlpConfig config_;
  std::vector<Layer> layers_;
};

/// Accuracy and cross-entropy of one data set.
struct Metrics {
  double accuracy = 0;       // fraction of rows whose argmax logit (first maximum) equals the label
  double cross_entropy = 0;  // mean over rows of logsumexp(logits) - logit[label], natural log, in double
  int64_t rows = 0;
  int64_t correct = 0;
};

struct TaskMetrics {
  std::string name;
  Metrics metrics;
};

/// Named numeric metrics, the common currency of evaluators, sweeps and searches:
/// "<task>.acc", "<task>.loss", "combined.acc", "combined.loss", "all.acc", "all.loss".
using MetricMap = std::map<std::string, double>;

struct EvalReport {
  std::vector<TaskMetrics> tasks;
  double combined_accuracy = 0;       // mean over tasks of accuracy
  double combined_cross_entropy = 0;  // mean over tasks of cross-entropy
  bool has_pooled = false;
  Metrics pooled;                     // on TaskSet::pooled ("all")

  MetricMap flat() const;
  /// {"task0": {"acc", "loss", "n"}, ..., "all": {"acc", "loss", "n"}, "combined": {"acc", "loss"}}:
  /// the layout of tests/data/digits/expected/expected_eval.json.
  std::string to_json(int indent = 1) const;
};

/// Evaluates one data set in batches of `batch_rows`. Throws DataError when the feature count differs
/// from the model's input or a label is >= the number of logits.
Metrics evaluate_dataset(const MlpClassifier& model, const Dataset& data, Eigen::Index batch_rows = 1024);

/// Every task, then the pooled set when there is one.
EvalReport evaluate(const MlpClassifier& model, const TaskSet& tasks);

}  // namespace mergelab::eval
