#include "core/io/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

namespace mergelab::io {

namespace fs = std::filesystem;

namespace {
std::string errno_text(int e) { return std::strerror(e); }
}  // namespace

fs::path unique_sibling(const fs::path& path, std::string_view tag) {
  static std::atomic<unsigned> counter{0};
  static const unsigned salt = std::random_device{}();
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::string name = ".";
  name += path.filename().string();
  name += tag;
  name += "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(salt % 100000);
  return dir / name;
}

void fsync_dir(const fs::path& dir) {
  const fs::path d = dir.empty() ? fs::path(".") : dir;
  const int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw IoError(d.string(), "cannot open the folder to sync it: " + errno_text(errno));
  const bool ok = ::fsync(fd) == 0 || errno == EINVAL;  // some file systems cannot sync folders
  const int e = errno;
  ::close(fd);
  if (!ok) throw IoError(d.string(), "cannot sync the folder: " + errno_text(e));
}

void rename_into_place(const fs::path& from, const fs::path& to, bool replace) {
  if (replace) {
    if (::rename(from.c_str(), to.c_str()) != 0) throw IoError(to.string(), "cannot rename into place: " + errno_text(errno));
    return;
  }
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
  int e = errno;
  if (e == EINVAL || e == ENOSYS) {  // file system without RENAME_NOREPLACE: link() refuses an existing name too
    std::error_code ec;
    if (fs::is_directory(from, ec)) {
      if (fs::exists(to, ec)) throw IoError(to.string(), "already exists (written by another run meanwhile?)");
      if (::rename(from.c_str(), to.c_str()) == 0) return;
    } else if (::link(from.c_str(), to.c_str()) == 0) {
      ::unlink(from.c_str());
      return;
    }
    e = errno;
  }
  if (e == EEXIST || e == ENOTEMPTY) throw IoError(to.string(), "already exists (written by another run meanwhile?)");
  throw IoError(to.string(), "cannot rename into place: " + errno_text(e));
}

AtomicFile::AtomicFile(fs::path path, bool replace) : path_(std::move(path)), replace_(replace) {
  // A write past a file size limit (ulimit -f) must fail with EFBIG and be reported, not kill the process.
  static const bool xfsz_ignored = [] {
    struct sigaction old {};
    if (::sigaction(SIGXFSZ, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) ::signal(SIGXFSZ, SIG_IGN);
    return true;
  }();
  (void)xfsz_ignored;
  for (int attempt = 0; attempt < 8 && fd_ < 0; ++attempt) {
    tmp_ = unique_sibling(path_, ".tmp");
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0 && errno != EEXIST) throw IoError(path_.string(), "cannot create a file beside it: " + errno_text(errno));
  }
  if (fd_ < 0) throw IoError(path_.string(), "cannot find a free temporary name beside it");
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
  tmp_.clear();
}

void AtomicFile::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw IoError(path_.string(), "write failed: " + errno_text(n < 0 ? errno : ENOSPC));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void AtomicFile::write_at(const void* data, std::size_t n, std::uint64_t offset) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::pwrite(fd_, p, n, static_cast<off_t>(offset));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) throw IoError(path_.string(), "write failed: " + errno_text(w < 0 ? errno : ENOSPC));
    p += w;
    n -= static_cast<std::size_t>(w);
    offset += static_cast<std::uint64_t>(w);
  }
}

void AtomicFile::commit(bool sync) {
  if (fd_ < 0) throw IoError(path_.string(), "already committed or discarded");
  try {
    if (sync && ::fsync(fd_) != 0) throw IoError(path_.string(), "fsync failed: " + errno_text(errno));
    const int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) throw IoError(path_.string(), "close failed: " + errno_text(errno));
    rename_into_place(tmp_, path_, replace_);
    tmp_.clear();
    if (sync) fsync_dir(path_.has_parent_path() ? path_.parent_path() : fs::path("."));
  } catch (...) {
    discard();
    throw;
  }
}

void write_file_atomic(const fs::path& path, std::string_view text, bool sync) {
  AtomicFile f(path);
  f.write(text);
  f.commit(sync);
}

}  // namespace mergelab::io
