#include "core/eval/mlp.h"

#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/checkpoint/checkpoint.h"

namespace mergelab::eval {

// [SECTION] config

Activation parse_activation(const std::string& name) {
  if (name == "relu") return Activation::Relu;
  if (name == "gelu") return Activation::Gelu;
  if (name == "gelu_tanh" || name == "gelu_new" || name == "gelu_pytorch_tanh") return Activation::GeluTanh;
  if (name == "tanh") return Activation::Tanh;
  if (name == "sigmoid") return Activation::Sigmoid;
  if (name == "silu" || name == "swish") return Activation::Silu;
  if (name == "identity" || name == "linear" || name == "none") return Activation::Identity;
  throw std::invalid_argument("unknown activation '" + name +
                              "' (expected relu, gelu, gelu_tanh, tanh, sigmoid, silu or identity)");
}

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::Relu: return "relu";
    case Activation::Gelu: return "gelu";
    case Activation::GeluTanh: return "gelu_tanh";
    case Activation::Tanh: return "tanh";
    case Activation::Sigmoid: return "sigmoid";
    case Activation::Silu: return "silu";
    case Activation::Identity: return "identity";
  }
  return "?";
}

MlpConfig parse_mlp_config(const std::string& json_text, const std::string& name) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(name + ": not valid JSON (" + e.what() + ")");
  }
  if (!doc.is_object()) throw DataError(name + ": expected a JSON object");
  MlpConfig config;
  if (!doc.contains("layers") || !doc["layers"].is_array() || doc["layers"].empty())
    throw DataError(name + ": needs \"layers\": a non-empty list of layer names in forward order");
  for (const auto& l : doc["layers"]) {
    if (!l.is_string() || l.get<std::string>().empty())
      throw DataError(name + ": \"layers\" entries must be non-empty strings");
    config.layers.push_back(l.get<std::string>());
  }
  if (doc.contains("hidden_act")) {
    if (!doc["hidden_act"].is_string()) throw DataError(name + ": \"hidden_act\" must be a string");
    try {
      config.hidden_act = parse_activation(doc["hidden_act"].get<std::string>());
    } catch (const std::invalid_argument& e) {
      throw DataError(name + ": " + e.what());
    }
  }
  if (doc.contains("layer_sizes")) {
    const auto& s = doc["layer_sizes"];
    if (!s.is_array() || s.size() != config.layers.size() + 1)
      throw DataError(name + ": \"layer_sizes\" must list " + std::to_string(config.layers.size() + 1) +
                      " widths (input, then one per layer)");
    for (const auto& v : s) {
      if (!v.is_number_integer() || v.get<long long>() <= 0)
        throw DataError(name + ": \"layer_sizes\" entries must be positive integers");
      config.layer_sizes.push_back(v.get<int64_t>());
    }
  }
  if (doc.contains("num_labels")) {
    if (!doc["num_labels"].is_number_integer() || doc["num_labels"].get<long long>() <= 0)
      throw DataError(name + ": \"num_labels\" must be a positive integer");
    config.num_labels = doc["num_labels"].get<int64_t>();
  }
  return config;
}

MlpConfig load_mlp_config(const std::filesystem::path& path) {
  std::filesystem::path file = path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) file = path / "config.json";
  std::ifstream in(file);
  if (!in) throw DataError(file.string() + ": cannot open file (a model folder needs a config.json)");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_mlp_config(text.str(), file.string());
}

WeightViews split_flat(std::span<const float> flat, const std::vector<TensorSlot>& layout) {
  WeightViews views;
  std::size_t offset = 0;
  for (const auto& slot : layout) {
    std::size_t numel = 1;
    for (auto d : slot.shape) numel *= static_cast<std::size_t>(d);
    if (offset + numel > flat.size())
      throw std::invalid_argument("split_flat: tensor '" + slot.name + "' runs past the end of the vector (" +
                                  std::to_string(flat.size()) + " values)");
    views[slot.name] = {flat.subspan(offset, numel), slot.shape};
    offset += numel;
  }
  if (offset != flat.size())
    throw std::invalid_argument("split_flat: the layout covers " + std::to_string(offset) + " values, the vector has " +
                                std::to_string(flat.size()));
  return views;
}

// [SECTION] model

namespace {

std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

struct LayerShape {
  int64_t out = 0, in = 0;
};

// Works out [out, in] of each layer from the views and the config, with a clear error when they do not chain.
std::vector<LayerShape> layer_shapes(const MlpConfig& config, const WeightViews& weights, const std::string& source) {
  std::vector<LayerShape> shapes;
  int64_t in = config.layer_sizes.empty() ? -1 : config.layer_sizes[0];
  for (size_t i = 0; i < config.layers.size(); ++i) {
    const std::string wname = config.layers[i] + ".weight", bname = config.layers[i] + ".bias";
    auto w = weights.find(wname);
    if (w == weights.end()) throw DataError(source + ": tensor '" + wname + "': missing (named by config \"layers\")");
    auto b = weights.find(bname);
    const int64_t numel = static_cast<int64_t>(w->second.values.size());
    LayerShape s;
    if (!w->second.shape.empty()) {
      if (w->second.shape.size() != 2)
        throw DataError(source + ": tensor '" + wname + "': expected 2 dimensions [out, in], found " +
                        shape_text(w->second.shape));
      s.out = static_cast<int64_t>(w->second.shape[0]);
      s.in = static_cast<int64_t>(w->second.shape[1]);
    } else if (b != weights.end()) {
      s.out = static_cast<int64_t>(b->second.values.size());
      s.in = s.out > 0 ? numel / s.out : 0;
    } else if (in > 0) {
      s.in = in;
      s.out = numel / in;
    } else {
      throw DataError(source + ": tensor '" + wname + "': shape unknown and no bias to infer it from");
    }
    if (s.out <= 0 || s.in <= 0 || s.out * s.in != numel)
      throw DataError(source + ": tensor '" + wname + "': " + std::to_string(numel) +
                      " values do not make a [out, in] matrix with out = " + std::to_string(s.out));
    if (in > 0 && s.in != in)
      throw DataError(source + ": tensor '" + wname + "': takes " + std::to_string(s.in) + " inputs but " +
                      (i == 0 ? std::string("the config's input width is ") : "the previous layer gives ") +
                      std::to_string(in));
    if (b != weights.end()) {
      const auto& bs = b->second.shape;
      if (static_cast<int64_t>(b->second.values.size()) != s.out || (!bs.empty() && (bs.size() != 1)))
        throw DataError(source + ": tensor '" + bname + "': expected shape [" + std::to_string(s.out) + "], found " +
                        (bs.empty() ? std::to_string(b->second.values.size()) + " values" : shape_text(bs)));
    }
    if (!config.layer_sizes.empty() && config.layer_sizes[i + 1] != s.out)
      throw DataError(source + ": tensor '" + wname + "': gives " + std::to_string(s.out) +
                      " outputs but config \"layer_sizes\" says " + std::to_string(config.layer_sizes[i + 1]));
    shapes.push_back(s);
    in = s.out;
  }
  if (config.num_labels > 0 && shapes.back().out != config.num_labels)
    throw DataError(source + ": the last layer gives " + std::to_string(shapes.back().out) +
                    " logits but config \"num_labels\" is " + std::to_string(config.num_labels));
  return shapes;
}

void apply_activation(Activation act, LogitMatrix& h) {
  auto a = h.array();
  switch (act) {
    case Activation::Relu: a = a.cwiseMax(0.0f); break;
    case Activation::Gelu:
      a = a.unaryExpr([](float x) { return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f)); });
      break;
    case Activation::GeluTanh:
      a = a.unaryExpr([](float x) {
        return 0.5f * x * (1.0f + std::tanh(0.79788456080286536f * (x + 0.044715f * x * x * x)));
      });
      break;
    case Activation::Tanh: a = a.tanh(); break;
    case Activation::Sigmoid: a = a.unaryExpr([](float x) { return 1.0f / (1.0f + std::exp(-x)); }); break;
    case Activation::Silu: a = a.unaryExpr([](float x) { return x / (1.0f + std::exp(-x)); }); break;
    case Activation::Identity: break;
  }
}

}  // namespace

MlpClassifier MlpClassifier::from_weights(const MlpConfig& config, const WeightViews& weights,
                                          const std::string& source) {
  const auto shapes = layer_shapes(config, weights, source);
  MlpClassifier model;
  model.config_ = config;
  for (size_t i = 0; i < shapes.size(); ++i) {
    Layer layer;
    layer.name = config.layers[i];
    layer.W.resize(shapes[i].out, shapes[i].in);
    layer.b = Eigen::RowVectorXf::Zero(shapes[i].out);
    model.layers_.push_back(std::move(layer));
  }
  model.set_weights(weights, source);
  return model;
}

void MlpClassifier::set_weights(const WeightViews& weights, const std::string& source) {
  const auto shapes = layer_shapes(config_, weights, source);
  for (size_t i = 0; i < layers_.size(); ++i) {
    Layer& layer = layers_[i];
    if (shapes[i].out != layer.W.rows() || shapes[i].in != layer.W.cols())
      throw DataError(source + ": tensor '" + layer.name + ".weight': shape [" + std::to_string(shapes[i].out) + ", " +
                      std::to_string(shapes[i].in) + "] differs from the model's [" + std::to_string(layer.W.rows()) +
                      ", " + std::to_string(layer.W.cols()) + "]");
    const auto& w = weights.at(layer.name + ".weight").values;
    layer.W = Eigen::Map<const decltype(layer.W)>(w.data(), layer.W.rows(), layer.W.cols());
    if (auto b = weights.find(layer.name + ".bias"); b != weights.end())
      layer.b = Eigen::Map<const Eigen::RowVectorXf>(b->second.values.data(), layer.W.rows());
    else
      layer.b.setZero();
  }
}

MlpClassifier MlpClassifier::load(const std::filesystem::path& dir) { return load(dir, load_mlp_config(dir)); }

MlpClassifier MlpClassifier::load(const std::filesystem::path& checkpoint, const MlpConfig& config) {
  const auto ck = ckpt::Checkpoint::open(checkpoint.string());
  std::vector<Eigen::VectorXf> storage;
  std::vector<std::pair<std::string, std::vector<std::uint64_t>>> names;
  for (const auto& layer : config.layers) {
    for (const char* suffix : {".weight", ".bias"}) {
      const std::string name = layer + suffix;
      const ckpt::TensorInfo* info = ck.find(name);
      if (!info) {
        if (std::string(suffix) == ".bias") continue;
        throw DataError(ck.path() + ": tensor '" + name + "': missing (named by config \"layers\")");
      }
      storage.push_back(ck.read_vector(name));
      names.emplace_back(name, info->shape);
    }
  }
  WeightViews views;
  for (size_t i = 0; i < storage.size(); ++i)
    views[names[i].first] = {std::span<const float>(storage[i].data(), static_cast<size_t>(storage[i].size())),
                             names[i].second};
  return from_weights(config, views, ck.path());
}

std::size_t MlpClassifier::parameter_count() const {
  std::size_t n = 0;
  for (const auto& l : layers_) n += static_cast<std::size_t>(l.W.size() + l.b.size());
  return n;
}

void MlpClassifier::logits(const FeatureMatrix& X, Eigen::Index first, Eigen::Index count, LogitMatrix& out,
                           LogitMatrix& scratch) const {
  if (layers_.empty()) throw std::logic_error("MlpClassifier::logits: model has no layers");
  if (X.cols() != input_size())
    throw DataError("data has " + std::to_string(X.cols()) + " features but the model takes " +
                    std::to_string(input_size()));
  // Ping-pong between `out` and `scratch` so that the last layer lands in `out`.
  const size_t n = layers_.size();
  LogitMatrix* dst = (n % 2 == 1) ? &out : &scratch;
  LogitMatrix* other = (n % 2 == 1) ? &scratch : &out;
  for (size_t i = 0; i < n; ++i) {
    const Layer& layer = layers_[i];
    dst->resize(count, layer.W.rows());
    if (i == 0)
      dst->noalias() = X.middleRows(first, count) * layer.W.transpose();
    else
      dst->noalias() = *other * layer.W.transpose();
    dst->rowwise() += layer.b;
    if (i + 1 < n) apply_activation(config_.hidden_act, *dst);
    std::swap(dst, other);
  }
}

LogitMatrix MlpClassifier::logits(const FeatureMatrix& X) const {
  LogitMatrix out, scratch;
  logits(X, 0, X.rows(), out, scratch);
  return out;
}

// [SECTION] metrics

Metrics evaluate_dataset(const MlpClassifier& model, const Dataset& data, Eigen::Index batch_rows) {
  if (data.features() != model.input_size())
    throw DataError(data.source + ": has " + std::to_string(data.features()) + " features but the model takes " +
                    std::to_string(model.input_size()));
  const Eigen::Index classes = model.output_size();
  Metrics m;
  double ce_sum = 0;
  LogitMatrix logits, scratch;
  for (Eigen::Index first = 0; first < data.rows(); first += batch_rows) {
    const Eigen::Index count = std::min(batch_rows, data.rows() - first);
    model.logits(data.X, first, count, logits, scratch);
    for (Eigen::Index r = 0; r < count; ++r) {
      const int label = data.labels[static_cast<size_t>(first + r)];
      if (label >= classes)
        throw DataError(data.source + ": row " + std::to_string(first + r + 1) + ": label " + std::to_string(label) +
                        " but the model has only " + std::to_string(classes) + " outputs");
      const float* row = logits.data() + r * classes;
      Eigen::Index best = 0;
      for (Eigen::Index c = 1; c < classes; ++c)
        if (row[c] > row[best]) best = c;  // first maximum, as numpy/torch argmax
      const double top = row[best];
      double sum = 0;
      for (Eigen::Index c = 0; c < classes; ++c) sum += std::exp(static_cast<double>(row[c]) - top);
      ce_sum += top + std::log(sum) - static_cast<double>(row[label]);
      m.correct += (best == label);
    }
  }
  m.rows = data.rows();
  if (m.rows > 0) {
    m.accuracy = static_cast<double>(m.correct) / static_cast<double>(m.rows);
    m.cross_entropy = ce_sum / static_cast<double>(m.rows);
  }
  return m;
}

EvalReport evaluate(const MlpClassifier& model, const TaskSet& tasks) {
  // Task names key the metrics ("<task>.acc"): they must be distinct and not the pooled/combined names.
  std::set<std::string> names;
  for (const auto& t : tasks.tasks) {
    if (t.name == "all" || t.name == "combined")
      throw DataError(t.data.source + ": task name '" + t.name + "' is reserved for the pooled/combined metrics");
    if (!names.insert(t.name).second) throw DataError(t.data.source + ": two tasks are named '" + t.name + "'");
  }
  EvalReport report;
  for (const auto& t : tasks.tasks) {
    report.tasks.push_back({t.name, evaluate_dataset(model, t.data)});
    report.combined_accuracy += report.tasks.back().metrics.accuracy;
    report.combined_cross_entropy += report.tasks.back().metrics.cross_entropy;
  }
  if (!report.tasks.empty()) {
    report.combined_accuracy /= static_cast<double>(report.tasks.size());
    report.combined_cross_entropy /= static_cast<double>(report.tasks.size());
  }
  if (tasks.has_pooled()) {
    report.has_pooled = true;
    report.pooled = evaluate_dataset(model, tasks.pooled);
  }
  return report;
}

MetricMap EvalReport::flat() const {
  MetricMap m;
  for (const auto& t : tasks) {
    m[t.name + ".acc"] = t.metrics.accuracy;
    m[t.name + ".loss"] = t.metrics.cross_entropy;
  }
  m["combined.acc"] = combined_accuracy;
  m["combined.loss"] = combined_cross_entropy;
  if (has_pooled) {
    m["all.acc"] = pooled.accuracy;
    m["all.loss"] = pooled.cross_entropy;
  }
  return m;
}

std::string EvalReport::to_json(int indent) const {
  nlohmann::ordered_json doc;
  for (const auto& t : tasks)
    doc[t.name] = {{"acc", t.metrics.accuracy}, {"loss", t.metrics.cross_entropy}, {"n", t.metrics.rows}};
  if (has_pooled) doc["all"] = {{"acc", pooled.accuracy}, {"loss", pooled.cross_entropy}, {"n", pooled.rows}};
  doc["combined"] = {{"acc", combined_accuracy}, {"loss", combined_cross_entropy}};
  return doc.dump(indent);
}

}  // namespace mergelab::eval
