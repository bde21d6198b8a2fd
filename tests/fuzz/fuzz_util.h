// Shared by the libFuzzer targets: the contract every parser must keep on hostile input.
//  - it either accepts the input or throws its one documented error type;
//  - that error's message names the input (the file name the target passes), so a user knows which file;
//  - anything else (another exception type, a crash, a leak, undefined behaviour, a hang) is a bug.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

namespace mergelab::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Aborts (a finding) when a refusal does not name `source`.
inline void expect_names(const std::exception& e, const std::string& source) {
  const std::string what = e.what();
  if (what.find(source) == std::string::npos) {
    std::fprintf(stderr, "error message does not name the input '%s': %s\n", source.c_str(), what.c_str());
    std::abort();
  }
}

/// A scratch file holding the input, for parsers that only read from a path (rewritten for each input).
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& name) {
    // A memory-backed folder where there is one: a disk-backed /tmp makes each input wait on the file system.
    const char* base = std::getenv("TMPDIR");
    std::string root = base && *base ? base : (::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    dir_ = root + "/mergelab-fuzz-" + std::to_string(::getpid());
    ::mkdir(dir_.c_str(), 0700);
    path_ = dir_ + "/" + name;
  }
  ~ScratchFile() {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  const std::string& write(const std::uint8_t* data, std::size_t size) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f || (size && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) std::abort();
    return path_;
  }
  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_, path_;
};

}  // namespace mergelab::fuzz
