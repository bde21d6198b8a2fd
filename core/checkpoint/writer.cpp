#include "core/checkpoint/writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/checkpoint/error.h"

namespace mergelab::ckpt {

namespace fs = std::filesystem;

struct SafetensorsWriter::Slot {
  TensorSpec spec;
  std::uint64_t numel = 1;
  std::uint64_t offset = 0;  // file offset of the tensor's first byte
  std::uint64_t nbytes = 0;
  std::atomic<std::uint64_t> written{0};
};

namespace {

void pwrite_all(io::AtomicFile& file, const std::byte* data, std::size_t n, std::uint64_t offset,
                const std::string& tensor) {
  try {
    file.write_at(data, n, offset);
  } catch (const io::IoError& e) {
    throw CheckpointError(e.path(), tensor, e.problem());
  }
}

void check_not_existing(const std::string& path, const WriterOptions& options) {
  std::error_code ec;
  if (!options.overwrite && fs::exists(path, ec))
    throw CheckpointError(path, "", "already exists (refusing to overwrite it)");
}

}  // namespace

SafetensorsWriter::SafetensorsWriter(std::string path, std::vector<TensorSpec> specs,
                                     std::map<std::string, std::string> metadata, const WriterOptions& options)
    : path_(std::move(path)), options_(options), specs_(std::move(specs)) {
  check_not_existing(path_, options_);
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json md = nlohmann::ordered_json::object();
    for (const auto& [k, v] : metadata) md[k] = v;
    header["__metadata__"] = std::move(md);
  }
  std::uint64_t data_bytes = 0;
  for (const auto& spec : specs_) {
    if (spec.name.empty()) throw CheckpointError(path_, "", "a tensor has an empty name");
    if (spec.name == "__metadata__") throw CheckpointError(path_, spec.name, "reserved name");
    if (by_name_.count(spec.name)) throw CheckpointError(path_, spec.name, "listed twice");
    auto slot = std::make_unique<Slot>();
    slot->spec = spec;
    for (auto d : spec.shape)
      if (__builtin_mul_overflow(slot->numel, d, &slot->numel))
        throw CheckpointError(path_, spec.name, "element count overflows 64 bits");
    if (__builtin_mul_overflow(slot->numel, static_cast<std::uint64_t>(dtype_size(spec.dtype)), &slot->nbytes))
      throw CheckpointError(path_, spec.name, "byte size overflows 64 bits");
    slot->offset = data_bytes;  // relative for now
    header[spec.name] = {{"dtype", std::string(dtype_name(spec.dtype))},
                         {"shape", spec.shape},
                         {"data_offsets", {data_bytes, data_bytes + slot->nbytes}}};
    data_bytes += slot->nbytes;
    by_name_[spec.name] = slots_.size();
    slots_.push_back(std::move(slot));
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // 8 + N stays 8-byte aligned, as the reference pads
  data_offset_ = 8 + text.size();
  file_bytes_ = data_offset_ + data_bytes;
  for (auto& s : slots_) s->offset += data_offset_;

  try {
    file_ = std::make_unique<io::AtomicFile>(path_, options_.overwrite);
  } catch (const io::IoError& e) {
    throw CheckpointError(path_, "", e.problem());
  }
  if (::ftruncate(file_->fd(), static_cast<off_t>(file_bytes_)) != 0)
    throw CheckpointError(path_, "", std::string("cannot size the output: ") + std::strerror(errno));
  std::byte len[8];
  std::uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<std::byte>((n >> (8 * i)) & 0xffu);
  pwrite_all(*file_, len, 8, 0, "");
  pwrite_all(*file_, reinterpret_cast<const std::byte*>(text.data()), text.size(), 8, "");
}

SafetensorsWriter::~SafetensorsWriter() = default;  // an uncommitted AtomicFile removes its temp file

SafetensorsWriter::Slot& SafetensorsWriter::slot(const std::string& name) {
  const auto it = by_name_.find(name);
  if (it == by_name_.end()) throw CheckpointError(path_, name, "not declared when the writer was created");
  return *slots_[it->second];
}

std::uint64_t SafetensorsWriter::file_bytes() const { return file_bytes_; }

void SafetensorsWriter::write_raw(const std::string& name, std::span<const std::byte> bytes, std::uint64_t first_byte) {
  Slot& s = slot(name);
  if (finished_ || !file_) throw CheckpointError(path_, name, "write after finish()");
  if (first_byte > s.nbytes || bytes.size() > s.nbytes - first_byte)
    throw CheckpointError(path_, name, "byte block [" + std::to_string(first_byte) + ", " +
                                           std::to_string(first_byte + bytes.size()) + ") is outside the tensor's " +
                                           std::to_string(s.nbytes) + " bytes");
  pwrite_all(*file_, bytes.data(), bytes.size(), s.offset + first_byte, name);
  s.written += bytes.size();
}

void SafetensorsWriter::write(const std::string& name, std::span<const float> src, std::uint64_t first) {
  Slot& s = slot(name);
  const std::size_t es = dtype_size(s.spec.dtype);
  if (!dtype_is_writable(s.spec.dtype))
    throw CheckpointError(path_, name, "cannot convert f32 to " + std::string(dtype_name(s.spec.dtype)) +
                                           " (F32, F16 and BF16 are written from f32; other dtypes are copied as raw bytes)");
  if (first > s.numel || src.size() > s.numel - first)
    throw CheckpointError(path_, name, "block [" + std::to_string(first) + ", " + std::to_string(first + src.size()) +
                                           ") is outside the tensor's " + std::to_string(s.numel) + " elements");
  if (s.spec.dtype == DType::F32) {
    write_raw(name, std::as_bytes(src), first * 4);
    return;
  }
  constexpr std::size_t kChunk = 1 << 15;
  std::vector<std::byte> buf(std::min(src.size(), kChunk) * es);
  for (std::size_t done = 0; done < src.size(); done += kChunk) {
    const std::size_t n = std::min(kChunk, src.size() - done);
    convert_from_f32(s.spec.dtype, src.data() + done, n, buf.data());
    write_raw(name, std::span<const std::byte>(buf.data(), n * es), (first + done) * es);
  }
}

void SafetensorsWriter::finish() {
  if (finished_) return;
  for (const auto& s : slots_)
    if (s->written.load() != s->nbytes)
      throw CheckpointError(path_, s->spec.name, std::to_string(s->written.load()) + " of " +
                                                     std::to_string(s->nbytes) + " bytes were written");
  check_not_existing(path_, options_);
  try {
    file_->commit(options_.sync);
  } catch (const io::IoError& e) {
    file_.reset();
    throw CheckpointError(path_, "", e.problem());
  }
  file_.reset();
  finished_ = true;
}

// ---------------------------------------------------------------------------------------- CheckpointWriter

CheckpointWriter::CheckpointWriter(std::string dir, std::vector<TensorSpec> specs,
                                   std::map<std::string, std::string> metadata, const WriterOptions& options)
    : dir_(std::move(dir)), options_(options) {
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) throw CheckpointError(dir_, "", "output directory does not exist");
  metadata.emplace("format", "pt");  // transformers refuses safetensors files without format=pt
  // Plan: greedy in spec order, a new shard when the next tensor would overflow a non-empty one.
  std::vector<std::vector<TensorSpec>> plan(1);
  std::uint64_t current = 0;
  for (auto& spec : specs) {
    std::uint64_t numel = 1, nbytes = 0;
    for (auto d : spec.shape)
      if (__builtin_mul_overflow(numel, d, &numel)) throw CheckpointError(dir_, spec.name, "element count overflows 64 bits");
    if (__builtin_mul_overflow(numel, static_cast<std::uint64_t>(dtype_size(spec.dtype)), &nbytes))
      throw CheckpointError(dir_, spec.name, "byte size overflows 64 bits");
    if (options_.max_shard_bytes > 0 && !plan.back().empty() && current + nbytes > options_.max_shard_bytes) {
      plan.emplace_back();
      current = 0;
    }
    current += nbytes;
    total_bytes_ += nbytes;
    plan.back().push_back(std::move(spec));
  }
  const std::size_t n = plan.size();
  if (n > 1) check_not_existing((fs::path(dir_) / "model.safetensors.index.json").string(), options_);
  for (std::size_t i = 0; i < n; ++i) {
    std::string name = "model.safetensors";
    if (n > 1) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "model-%05zu-of-%05zu.safetensors", i + 1, n);
      name = buf;
    }
    for (const auto& spec : plan[i]) shard_of_[spec.name] = i;
    shards_.push_back(std::make_unique<SafetensorsWriter>((fs::path(dir_) / name).string(), std::move(plan[i]),
                                                          metadata, options_));
  }
}

CheckpointWriter::~CheckpointWriter() = default;

std::vector<std::string> CheckpointWriter::planned_files() const {
  std::vector<std::string> out;
  for (const auto& s : shards_) out.push_back(s->path());
  if (shards_.size() > 1) out.push_back((fs::path(dir_) / "model.safetensors.index.json").string());
  return out;
}

void CheckpointWriter::write(const std::string& name, std::span<const float> src, std::uint64_t first) {
  const auto it = shard_of_.find(name);
  if (it == shard_of_.end()) throw CheckpointError(dir_, name, "not declared when the writer was created");
  shards_[it->second]->write(name, src, first);
}

void CheckpointWriter::write_raw(const std::string& name, std::span<const std::byte> bytes, std::uint64_t first_byte) {
  const auto it = shard_of_.find(name);
  if (it == shard_of_.end()) throw CheckpointError(dir_, name, "not declared when the writer was created");
  shards_[it->second]->write_raw(name, bytes, first_byte);
}

void CheckpointWriter::finish() {
  if (finished_) return;
  for (auto& s : shards_) s->finish();
  if (shards_.size() > 1) {
    nlohmann::json index;
    index["metadata"] = {{"total_size", total_bytes_}};
    index["weight_map"] = nlohmann::json::object();
    for (const auto& [name, i] : shard_of_) index["weight_map"][name] = fs::path(shards_[i]->path()).filename().string();
    const std::string text = index.dump(2) + "\n";
    const std::string path = (fs::path(dir_) / "model.safetensors.index.json").string();
    try {
      io::write_file_atomic(path, text, options_.sync);
    } catch (const io::IoError& e) {
      throw CheckpointError(path, "", e.problem());
    }
  }
  finished_ = true;
}

namespace {
// One file holding every tensor of `tensors`, each written by put(writer, tensor).
template <class Tensor, class Put>
void write_whole_file(const std::string& path, const std::vector<Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata, const WriterOptions& options, Put put) {
  std::vector<TensorSpec> specs;
  for (const auto& t : tensors) specs.push_back(t.spec);
  SafetensorsWriter w(path, specs, metadata, options);
  for (const auto& t : tensors) put(w, t);
  w.finish();
}
}  // namespace

void write_safetensors(const std::string& path, const std::vector<TensorData>& tensors,
                       const std::map<std::string, std::string>& metadata, const WriterOptions& options) {
  write_whole_file(path, tensors, metadata, options,
                   [](SafetensorsWriter& w, const TensorData& t) { w.write(t.spec.name, t.values); });
}

void write_safetensors_raw(const std::string& path, const std::vector<RawTensorData>& tensors,
                           const std::map<std::string, std::string>& metadata, const WriterOptions& options) {
  write_whole_file(path, tensors, metadata, options,
                   [](SafetensorsWriter& w, const RawTensorData& t) { w.write_raw(t.spec.name, t.bytes); });
}

}  // namespace mergelab::ckpt
