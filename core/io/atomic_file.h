// Writing a file so that readers only ever see the old contents or the complete new ones.
//
//   io::write_file_atomic("out/report.json", text);       // whole text at once
//
//   io::AtomicFile f("out/model.safetensors");             // streamed: pwrite at any offset, any thread
//   ::pwrite(f.fd(), ...);  f.commit();                    // fsync file, rename, fsync folder
//
// The temporary file lives in the target's folder (a rename never crosses file systems) under a name no
// other writer uses: ".<name>.tmp-<pid>-<counter>-<random>", created with O_EXCL. An AtomicFile destroyed
// before commit() removes its temporary file, so a failed or cancelled write leaves nothing behind.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mergelab::io {

/// Every failure of core/io: what() reads "<path>: <problem>".
class IoError : public std::runtime_error {
 public:
  IoError(std::string path, std::string problem)
      : std::runtime_error(path + ": " + problem), path_(std::move(path)), problem_(std::move(problem)) {}
  const std::string& path() const { return path_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string path_, problem_;
};

/// A fresh hidden name beside `path` (same folder): ".<name><tag>-<pid>-<counter>-<random>".
std::filesystem::path unique_sibling(const std::filesystem::path& path, std::string_view tag);

/// fsync a folder (makes a rename or a new entry in it durable). Throws IoError.
void fsync_dir(const std::filesystem::path& dir);

/// Renames `from` to `to`. With replace = false an existing `to` is refused (RENAME_NOREPLACE), so two
/// writers racing for one name never silently overwrite each other. Throws IoError naming `to`.
void rename_into_place(const std::filesystem::path& from, const std::filesystem::path& to, bool replace);

class AtomicFile {
 public:
  /// Creates the temporary file (mode 0644). replace = false: commit() refuses an existing target.
  explicit AtomicFile(std::filesystem::path path, bool replace = true);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& temp_path() const { return tmp_; }

  /// Appends bytes at the current end (write() loop, EINTR retried). Throws IoError (disk full, ...).
  void write(std::string_view bytes);
  /// Writes bytes at `offset` (pwrite loop). Thread-safe for disjoint ranges. Throws IoError.
  void write_at(const void* data, std::size_t n, std::uint64_t offset);
  /// fsync (when sync), close, rename over the target, fsync the folder. Throws IoError; the temporary file
  /// is removed on failure.
  void commit(bool sync = true);

 private:
  void discard() noexcept;
  std::filesystem::path path_, tmp_;
  bool replace_;
  int fd_ = -1;
};

/// AtomicFile + write + commit. Throws IoError naming `path`.
void write_file_atomic(const std::filesystem::path& path, std::string_view text, bool sync = true);

}  // namespace mergelab::io
