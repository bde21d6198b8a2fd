#include "core/checkpoint/checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/checkpoint/strict_json.h"

namespace mergelab::ckpt {

namespace fs = std::filesystem;

std::string shape_string(const std::vector<std::uint64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

ShardIndex parse_shard_index(std::string_view json_text, const std::string& file_name) {
  const nlohmann::json j = parse_strict_json_object(json_text, file_name, "index");
  ShardIndex idx;
  const auto wm = j.find("weight_map");
  if (wm == j.end()) throw CheckpointError(file_name, "", "index has no \"weight_map\"");
  if (!wm->is_object()) throw CheckpointError(file_name, "", "index \"weight_map\" is not an object");
  for (const auto& [name, shard] : wm->items()) {
    if (!shard.is_string())
      throw CheckpointError(file_name, printable(name), "weight_map entry is not a file name string");
    const std::string& s = shard.get_ref<const std::string&>();
    if (s.empty() || s == "." || s == ".." || s.find('/') != std::string::npos ||
        s.find('\\') != std::string::npos || s.find('\0') != std::string::npos)
      throw CheckpointError(file_name, printable(name),
                            "weight_map names shard '" + printable(s) + "', which is not a plain file name");
    idx.weight_map[name] = s;
  }
  if (const auto md = j.find("metadata"); md != j.end()) {
    if (!md->is_object()) throw CheckpointError(file_name, "", "index \"metadata\" is not an object");
    for (const auto& [k, v] : md->items()) idx.metadata[k] = v.is_string() ? v.get<std::string>() : v.dump();
  }
  return idx;
}

struct Checkpoint::Impl {
  std::string path;
  bool sharded = false;
  std::vector<std::unique_ptr<SafetensorsFile>> files;
  std::vector<TensorInfo> tensors;                       // sorted by name
  std::vector<std::pair<std::size_t, const TensorEntry*>> where;  // parallel to tensors: file index, entry
  std::vector<std::string> warnings;

  std::size_t index_of(const std::string& name) const {
    auto it = std::lower_bound(tensors.begin(), tensors.end(), name,
                               [](const TensorInfo& t, const std::string& n) { return t.name < n; });
    return (it != tensors.end() && it->name == name) ? static_cast<std::size_t>(it - tensors.begin()) : tensors.size();
  }
  std::size_t require(const std::string& name) const {
    const std::size_t i = index_of(name);
    if (i == tensors.size()) throw CheckpointError(path, name, "not in this checkpoint");
    return i;
  }
  void add(std::size_t file_index, const TensorEntry& e) {
    TensorInfo info;
    info.name = e.name;
    info.dtype = e.dtype;
    info.shape = e.shape;
    info.numel = e.numel;
    info.nbytes = e.nbytes();
    info.file = files[file_index]->path();
    tensors.push_back(std::move(info));
    where.emplace_back(file_index, &e);
  }
};

namespace {

std::string read_text_file(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) throw CheckpointError(path, "", "cannot read: " + ec.message());
  if (size > kMaxHeaderBytes) throw CheckpointError(path, "", "index larger than " + std::to_string(kMaxHeaderBytes) + " bytes");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError(path, "", "cannot open for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The index's metadata.total_size against the tensors' bytes. Transformers ignores the field and real
// indexes get it wrong (e.g. counting a tied embedding twice), so a mismatch is a warning, not an error.
std::optional<std::string> total_size_warning(const ShardIndex& idx, const std::vector<TensorInfo>& tensors,
                                              const std::string& index_path) {
  const auto it = idx.metadata.find("total_size");
  if (it == idx.metadata.end()) return std::nullopt;
  std::uint64_t sum = 0;
  for (const auto& t : tensors) sum += t.nbytes;
  if (it->second == std::to_string(sum)) return std::nullopt;
  return index_path + ": metadata total_size " + it->second + " does not match the " + std::to_string(sum) +
         " bytes its tensors hold (the field is ignored)";
}

}  // namespace

Checkpoint::Checkpoint(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Checkpoint::Checkpoint(Checkpoint&&) noexcept = default;
Checkpoint& Checkpoint::operator=(Checkpoint&&) noexcept = default;
Checkpoint::~Checkpoint() = default;

Checkpoint Checkpoint::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  std::error_code ec;
  fs::path p(path);
  if (!fs::exists(p, ec)) throw CheckpointError(path, "", "no such file or directory");

  fs::path target = p;
  if (fs::is_directory(p, ec)) {
    if (fs::exists(p / kIndexFileName)) target = p / kIndexFileName;
    else if (fs::exists(p / "model.safetensors")) target = p / "model.safetensors";
    else if (fs::exists(p / "adapter_model.safetensors")) target = p / "adapter_model.safetensors";
    else {
      std::vector<fs::path> found;
      for (const auto& e : fs::directory_iterator(p, ec))
        if (e.path().extension() == ".safetensors") found.push_back(e.path());
      if (found.size() != 1)
        throw CheckpointError(path, "", found.empty() ? "directory holds no .safetensors file"
                                                      : "directory holds several .safetensors files but no " +
                                                            std::string(kIndexFileName));
      target = found.front();
    }
  }

  if (target.extension() == ".json") {
    // Sharded: validate the index, every shard, and that they agree.
    impl->sharded = true;
    const std::string index_path = target.string();
    const ShardIndex idx = parse_shard_index(read_text_file(index_path), index_path);
    std::map<std::string, std::size_t> file_of_shard;
    for (const auto& [name, shard] : idx.weight_map) {
      if (file_of_shard.count(shard)) continue;
      const fs::path shard_path = target.parent_path() / shard;
      if (!fs::is_regular_file(shard_path, ec))
        throw CheckpointError(index_path, printable(name), "weight_map points at shard '" + printable(shard) +
                                                                 "', which does not exist");
      file_of_shard[shard] = impl->files.size();
      impl->files.push_back(std::make_unique<SafetensorsFile>(shard_path.string()));
    }
    for (const auto& [name, shard] : idx.weight_map) {
      const SafetensorsFile& f = *impl->files[file_of_shard[shard]];
      if (!f.find(name))
        throw CheckpointError(index_path, printable(name), "weight_map says shard '" + printable(shard) +
                                                                 "' holds it, but that shard has no such tensor");
    }
    std::map<std::string, std::string> holder;
    for (const auto& [shard, fi] : file_of_shard) {
      for (const auto& e : impl->files[fi]->tensors()) {
        const auto [it, inserted] = holder.emplace(e.name, shard);
        if (!inserted)
          throw CheckpointError(impl->files[fi]->path(), printable(e.name),
                                "also present in shard '" + printable(it->second) + "' (a tensor must live in one shard)");
        if (idx.weight_map.find(e.name) == idx.weight_map.end())
          throw CheckpointError(impl->files[fi]->path(), printable(e.name), "held by this shard but not listed in " +
                                                                               index_path);
      }
    }
    for (const auto& [shard, fi] : file_of_shard)
      for (const auto& e : impl->files[fi]->tensors()) impl->add(fi, e);
    if (auto w = total_size_warning(idx, impl->tensors, index_path)) impl->warnings.push_back(*w);
  } else {
    impl->files.push_back(std::make_unique<SafetensorsFile>(target.string()));
    for (const auto& e : impl->files[0]->tensors()) impl->add(0, e);
  }

  // Sort by name, keeping `where` parallel.
  std::vector<std::size_t> order(impl->tensors.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return impl->tensors[a].name < impl->tensors[b].name; });
  std::vector<TensorInfo> tensors;
  std::vector<std::pair<std::size_t, const TensorEntry*>> where;
  for (std::size_t i : order) {
    tensors.push_back(std::move(impl->tensors[i]));
    where.push_back(impl->where[i]);
  }
  impl->tensors = std::move(tensors);
  impl->where = std::move(where);
  return Checkpoint(std::move(impl));
}

const std::string& Checkpoint::path() const { return impl_->path; }
bool Checkpoint::sharded() const { return impl_->sharded; }
const std::vector<std::string>& Checkpoint::warnings() const { return impl_->warnings; }
std::size_t Checkpoint::file_count() const { return impl_->files.size(); }
const std::vector<TensorInfo>& Checkpoint::tensors() const { return impl_->tensors; }

const TensorInfo* Checkpoint::find(const std::string& name) const {
  const std::size_t i = impl_->index_of(name);
  return i == impl_->tensors.size() ? nullptr : &impl_->tensors[i];
}

const TensorInfo& Checkpoint::at(const std::string& name) const { return impl_->tensors[impl_->require(name)]; }

const std::map<std::string, std::string>& Checkpoint::metadata() const {
  static const std::map<std::string, std::string> empty;
  return impl_->files.empty() ? empty : impl_->files.front()->metadata();
}

std::uint64_t Checkpoint::total_bytes() const {
  std::uint64_t s = 0;
  for (const auto& t : impl_->tensors) s += t.nbytes;
  return s;
}

std::span<const std::byte> Checkpoint::raw(const std::string& name) const {
  const auto& [fi, entry] = impl_->where[impl_->require(name)];
  return impl_->files[fi]->raw(*entry);
}

void Checkpoint::read_f32(const std::string& name, std::span<float> dst, std::uint64_t first) const {
  const std::size_t i = impl_->require(name);
  const TensorInfo& t = impl_->tensors[i];
  if (!dtype_is_float(t.dtype))
    throw CheckpointError(t.file, name, "cannot convert " + std::string(dtype_name(t.dtype)) +
                                            " to f32 for merging (only F32, F16, BF16 and F64 tensors can be merged)");
  if (first > t.numel || dst.size() > t.numel - first)
    throw CheckpointError(t.file, name, "block [" + std::to_string(first) + ", " + std::to_string(first + dst.size()) +
                                            ") is outside the tensor's " + std::to_string(t.numel) + " elements");
  const auto bytes = raw(name);
  const std::size_t es = dtype_size(t.dtype);
  convert_to_f32(t.dtype, bytes.data() + first * es, dst.size(), dst.data());
  impl_->files[impl_->where[i].first]->check_intact();
}

void Checkpoint::check_intact() const {
  for (const auto& f : impl_->files) f->check_intact();
}

Eigen::VectorXf Checkpoint::read_vector(const std::string& name) const {
  const TensorInfo& t = at(name);
  Eigen::VectorXf v(static_cast<Eigen::Index>(t.numel));
  read_f32(name, {v.data(), static_cast<std::size_t>(v.size())});
  return v;
}

Eigen::MatrixXf Checkpoint::read_matrix(const std::string& name) const {
  const TensorInfo& t = at(name);
  Eigen::Index rows = 1, cols = 1;
  if (t.shape.size() == 1) {
    rows = static_cast<Eigen::Index>(t.shape[0]);
  } else if (t.shape.size() >= 2) {
    rows = static_cast<Eigen::Index>(t.shape[0]);
    cols = rows == 0 ? 0 : static_cast<Eigen::Index>(t.numel / t.shape[0]);
  }
  RowMajorMatrixXf m(rows, cols);
  read_f32(name, {m.data(), static_cast<std::size_t>(m.size())});
  return m;  // converts to column-major storage; M(i, j) keeps meaning tensor[i][j]
}

void Checkpoint::release(const std::string& name) const {
  const auto& [fi, entry] = impl_->where[impl_->require(name)];
  impl_->files[fi]->release(*entry);
}

}  // namespace mergelab::ckpt
