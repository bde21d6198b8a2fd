#include "core/checkpoint/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/checkpoint/error.h"
#include "core/checkpoint/strict_json.h"
#include "core/io/map_guard.h"

namespace mergelab::ckpt {

namespace {

std::string str(std::uint64_t v) { return std::to_string(v); }

/// A JSON value as a non-negative integer, or a description of why it is not one.
bool as_u64(const nlohmann::json& v, std::uint64_t& out) {
  if (v.is_number_unsigned()) {
    out = v.get<std::uint64_t>();
    return true;
  }
  if (v.is_number_integer()) {  // signed: non-negative ones are stored as unsigned by the parser
    const auto s = v.get<std::int64_t>();
    if (s < 0) return false;
    out = static_cast<std::uint64_t>(s);
    return true;
  }
  return false;
}

TensorEntry parse_entry(const std::string& name, const nlohmann::json& v, const std::string& file) {
  auto fail = [&](const std::string& problem) { return CheckpointError(file, printable(name), problem); };
  if (!v.is_object()) throw fail("header entry is not an object");
  TensorEntry t;
  t.name = name;

  const auto dt = v.find("dtype");
  if (dt == v.end()) throw fail("missing \"dtype\"");
  if (!dt->is_string()) throw fail("\"dtype\" is not a string");
  const auto& dts = dt->get_ref<const std::string&>();
  const auto parsed = parse_dtype(dts);
  if (!parsed) throw fail("unknown dtype '" + printable(dts) + "'");
  t.dtype = *parsed;

  const auto sh = v.find("shape");
  if (sh == v.end()) throw fail("missing \"shape\"");
  if (!sh->is_array()) throw fail("\"shape\" is not an array");
  t.numel = 1;
  for (const auto& d : *sh) {
    std::uint64_t n;
    if (!as_u64(d, n)) throw fail("shape " + printable(sh->dump()) + " has an entry that is not a non-negative integer");
    t.shape.push_back(n);
    if (__builtin_mul_overflow(t.numel, n, &t.numel))
      throw fail("shape " + printable(sh->dump()) + " has an element count that overflows 64 bits");
  }
  std::uint64_t expected_bytes;
  if (__builtin_mul_overflow(t.numel, static_cast<std::uint64_t>(dtype_size(t.dtype)), &expected_bytes))
    throw fail("shape " + printable(sh->dump()) + " with dtype " + dts + " has a byte size that overflows 64 bits");

  const auto off = v.find("data_offsets");
  if (off == v.end()) throw fail("missing \"data_offsets\"");
  if (!off->is_array() || off->size() != 2 || !as_u64((*off)[0], t.begin) || !as_u64((*off)[1], t.end))
    throw fail("\"data_offsets\" is not a pair of non-negative integers");
  if (t.begin > t.end) throw fail("data_offsets [" + str(t.begin) + ", " + str(t.end) + "] begin after end");
  if (t.end - t.begin != expected_bytes)
    throw fail("data_offsets [" + str(t.begin) + ", " + str(t.end) + "] span " + str(t.end - t.begin) +
               " bytes but shape " + printable(sh->dump()) + " of " + dts + " needs " + str(expected_bytes));
  return t;
}

}  // namespace

namespace {

constexpr const char* kLayoutRule =
    "the tensors must cover the data section exactly, in any order, with no gap, overlap or trailing byte";

std::string range(const TensorEntry& t) { return "[" + str(t.begin) + ", " + str(t.end) + "]"; }

// Sorted by offsets, every tensor starts where the previous one ended and the last ends at the end of the
// data section (the reference's rule: a file can then not also be read as another format, a polyglot).
void check_layout(const SafetensorsHeader& h, const std::string& file_name) {
  std::vector<const TensorEntry*> by_offset;
  for (const auto& t : h.tensors) by_offset.push_back(&t);
  std::sort(by_offset.begin(), by_offset.end(), [](const TensorEntry* a, const TensorEntry* b) {
    if (a->begin != b->begin) return a->begin < b->begin;
    return a->end != b->end ? a->end < b->end : a->name < b->name;
  });
  // Overlaps first (the most specific finding), then gaps, then bytes after the last tensor.
  for (std::size_t i = 1; i < by_offset.size(); ++i) {
    const TensorEntry& prev = *by_offset[i - 1];
    const TensorEntry& cur = *by_offset[i];
    if (cur.begin < prev.end)
      throw CheckpointError(file_name, printable(cur.name),
                            "data_offsets " + range(cur) + " overlap those of '" + printable(prev.name) + "' " +
                                range(prev) + " (" + kLayoutRule + ")");
  }
  std::uint64_t expected = 0;
  const TensorEntry* prev = nullptr;
  for (const TensorEntry* t : by_offset) {
    if (t->begin > expected) {
      const std::string after = prev ? " after '" + printable(prev->name) + "' " + range(*prev) : " at the start";
      throw CheckpointError(file_name, printable(t->name),
                            "data_offsets " + range(*t) + " leave a gap of " + str(t->begin - expected) + " bytes [" +
                                str(expected) + ", " + str(t->begin) + ")" + after + " (" + kLayoutRule + ")");
    }
    expected = t->end;
    prev = t;
  }
  if (expected != h.data_bytes) {
    const std::string last = prev ? "the last tensor, '" + printable(prev->name) + "', ends at " + str(expected)
                                  : std::string("there are no tensors");
    throw CheckpointError(file_name, "",
                          str(h.data_bytes - expected) + " trailing bytes [" + str(expected) + ", " +
                              str(h.data_bytes) + ") belong to no tensor (" + last + "; " + kLayoutRule + ")");
  }
}

}  // namespace

SafetensorsHeader parse_safetensors_header(std::span<const std::byte> file, std::uint64_t file_size,
                                           const std::string& file_name) {
  auto fail = [&](const std::string& problem) { return CheckpointError(file_name, "", problem); };
  if (file_size < 8 || file.size() < 8)
    throw fail("too short for a safetensors file (" + str(file_size) + " bytes; the header length alone needs 8)");
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<std::uint8_t>(file[static_cast<std::size_t>(i)]);
  if (n > kMaxHeaderBytes)
    throw fail("header length " + str(n) + " exceeds the " + str(kMaxHeaderBytes) + "-byte limit");
  if (n > file_size - 8)
    throw fail("header length " + str(n) + " runs past the end of the file (" + str(file_size) + " bytes)");
  if (file.size() < 8 + n)
    throw fail("header length " + str(n) + " runs past the bytes available (" + str(file.size()) + ")");
  if (n < 2) throw fail("header of " + str(n) + " bytes cannot hold a JSON object");

  const std::string_view text(reinterpret_cast<const char*>(file.data()) + 8, static_cast<std::size_t>(n));
  if (text.front() != '{') throw fail("header does not start with '{'");
  const nlohmann::json j = parse_strict_json_object(text, file_name, "header");

  SafetensorsHeader h;
  h.header_bytes = n;
  h.data_offset = 8 + n;
  h.data_bytes = file_size - 8 - n;
  for (const auto& [key, value] : j.items()) {
    if (key == "__metadata__") {
      if (value.is_null()) continue;  // the reference reader accepts null (no metadata)
      if (!value.is_object()) throw fail("__metadata__ is not an object");
      for (const auto& [mk, mv] : value.items()) {
        if (!mv.is_string())
          throw fail("__metadata__ value of '" + printable(mk) + "' is not a string (metadata must map strings to strings)");
        h.metadata[mk] = mv.get<std::string>();
      }
      continue;
    }
    TensorEntry t = parse_entry(key, value, file_name);
    if (t.end > h.data_bytes)
      throw CheckpointError(file_name, printable(key),
                            "data_offsets [" + str(t.begin) + ", " + str(t.end) + "] run past the data section (" +
                                str(h.data_bytes) + " bytes)");
    h.tensors.push_back(std::move(t));
  }

  check_layout(h, file_name);
  std::sort(h.tensors.begin(), h.tensors.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return h;
}

// ---------------------------------------------------------------------------------------------- MappedFile

MappedFile::MappedFile(const std::string& path) : path_(path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw CheckpointError(path, "", std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    throw CheckpointError(path, "", std::string("cannot stat: ") + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw CheckpointError(path, "", "not a regular file");
  }
  size_ = static_cast<std::size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const int e = errno;
      ::close(fd);
      throw CheckpointError(path, "", std::string("cannot memory-map: ") + std::strerror(e));
    }
    data_ = static_cast<const std::byte*>(p);
    guard_ = io::register_map(data_, size_);
  }
  ::close(fd);  // the mapping keeps the file alive
}

MappedFile::~MappedFile() {
  io::unregister_map(guard_);
  if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : path_(std::move(o.path_)), data_(o.data_), size_(o.size_), guard_(o.guard_) {
  o.data_ = nullptr;
  o.size_ = 0;
  o.guard_ = -1;
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    io::unregister_map(guard_);
    if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
    path_ = std::move(o.path_);
    data_ = o.data_;
    size_ = o.size_;
    guard_ = o.guard_;
    o.data_ = nullptr;
    o.size_ = 0;
    o.guard_ = -1;
  }
  return *this;
}

void MappedFile::check_intact() const {
  if (io::map_faulted(guard_))
    throw CheckpointError(path_, "",
                          "the file changed while it was being read (truncated under the memory map; was it "
                          "overwritten or is a download still running?)");
}

void MappedFile::release(std::uint64_t offset, std::uint64_t length) const {
  if (!data_ || length == 0 || offset >= size_) return;
  const std::uint64_t page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  // Only whole pages inside the range, so neighbours being read by other threads keep theirs.
  const std::uint64_t first = (offset + page - 1) / page * page;
  const std::uint64_t last = std::min<std::uint64_t>(offset + length, size_) / page * page;
  if (last > first)
    ::madvise(const_cast<std::byte*>(data_) + first, static_cast<std::size_t>(last - first), MADV_DONTNEED);
}

// ----------------------------------------------------------------------------------------- SafetensorsFile

namespace {
// The header, unless the file shrank while it was read (then that is the error, not what the zeros say).
SafetensorsHeader parse_mapped_header(const MappedFile& map) {
  try {
    SafetensorsHeader h = parse_safetensors_header(map.bytes(), map.bytes().size(), map.path());
    map.check_intact();
    return h;
  } catch (const CheckpointError&) {
    map.check_intact();
    throw;
  }
}
}  // namespace

SafetensorsFile::SafetensorsFile(const std::string& path) : map_(path), header_(parse_mapped_header(map_)) {}

const TensorEntry* SafetensorsFile::find(const std::string& name) const {
  const auto& ts = header_.tensors;
  auto it = std::lower_bound(ts.begin(), ts.end(), name, [](const TensorEntry& t, const std::string& n) { return t.name < n; });
  return (it != ts.end() && it->name == name) ? &*it : nullptr;
}

std::span<const std::byte> SafetensorsFile::raw(const TensorEntry& t) const {
  return map_.bytes().subspan(static_cast<std::size_t>(header_.data_offset + t.begin), static_cast<std::size_t>(t.nbytes()));
}

void SafetensorsFile::release(const TensorEntry& t) const { map_.release(header_.data_offset + t.begin, t.nbytes()); }

}  // namespace mergelab::ckpt
