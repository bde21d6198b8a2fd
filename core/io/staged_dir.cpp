#include "core/io/staged_dir.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "core/io/atomic_file.h"

namespace mergelab::io {

namespace fs = std::filesystem;

namespace {

constexpr const char* kOwnerFile = ".mergelab-owner";

std::uint64_t process_start_ticks(long pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i)
    if (i == 22) return std::strtoull(field.c_str(), nullptr, 10);
  return 0;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string owner_text(const StagingOwner& o) {
  return "pid " + std::to_string(o.pid) + "\nhost " + o.host + "\nstart_ticks " + std::to_string(o.start_ticks) +
         "\nstarted " + o.started + "\n";
}

// The owner of a staging folder: its record, or (record not written yet / older layout) the pid in its name.
StagingOwner read_owner(const fs::path& stage, const std::string& prefix) {
  StagingOwner o;
  std::ifstream f(stage / kOwnerFile);
  std::string key, value;
  while (f >> key && std::getline(f >> std::ws, value)) {
    if (key == "pid") o.pid = std::strtol(value.c_str(), nullptr, 10);
    if (key == "host") o.host = value;
    if (key == "start_ticks") o.start_ticks = std::strtoull(value.c_str(), nullptr, 10);
    if (key == "started") o.started = value;
  }
  if (o.pid <= 0) {
    o = {};
    o.pid = std::strtol(stage.filename().string().c_str() + prefix.size(), nullptr, 10);
    o.host = host_name();
  }
  return o;
}

// ".<name>.staging-<pid>-<ns>" -> ns (ordering of two stages started together), 0 when not of that form.
std::uint64_t stage_stamp(const std::string& name) {
  const auto dash = name.rfind('-');
  return dash == std::string::npos ? 0 : std::strtoull(name.c_str() + dash + 1, nullptr, 10);
}

std::string describe(const StagingOwner& o) {
  std::string s = "pid " + std::to_string(o.pid) + " on " + o.host;
  if (!o.started.empty()) s += ", started " + o.started;
  return s;
}

}  // namespace

StagingOwner current_owner() {
  StagingOwner o;
  o.pid = ::getpid();
  o.host = host_name();
  o.start_ticks = process_start_ticks(o.pid);
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  o.started = buf;
  return o;
}

bool owner_alive(const StagingOwner& o) {
  if (o.host != host_name()) return true;  // cannot be checked from here: assume it runs
  if (o.pid <= 0) return false;
  if (::kill(static_cast<pid_t>(o.pid), 0) != 0 && errno == ESRCH) return false;
  const std::uint64_t ticks = process_start_ticks(o.pid);
  return o.start_ticks == 0 || ticks == 0 || ticks == o.start_ticks;  // a reused pid started at another time
}

std::uint64_t tree_bytes(const fs::path& path) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  return total;
}

StagedDir::StagedDir(fs::path dest, Note note) : dest_(std::move(dest)) {
  const fs::path parent = dest_.has_parent_path() ? dest_.parent_path() : fs::path(".");
  const std::string name = dest_.filename().string();
  const std::string staging = "." + name + ".staging-", legacy = "." + name + ".tmp-";
  const auto now_ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const StagingOwner me = current_owner();
  stage_ = parent / (staging + std::to_string(me.pid) + "-" + std::to_string(now_ns));
  std::error_code ec;
  if (!fs::create_directory(stage_, ec))
    throw IoError(dest_.string(), "cannot create the staging folder " + stage_.string() + ": " +
                                      (ec ? ec.message() : std::string("it exists")));
  {
    std::ofstream f(stage_ / kOwnerFile);
    f << owner_text(me);
    if (!f.flush()) {
      fs::remove_all(stage_, ec);
      throw IoError(dest_.string(), "cannot write the owner record into " + stage_.string());
    }
  }
  // The others (after creating ours, so that of two runs starting together at least one sees the other).
  std::vector<fs::path> others;
  for (const auto& e : fs::directory_iterator(parent, ec)) {
    const std::string n = e.path().filename().string();
    if (e.path() != stage_ && (n.rfind(staging, 0) == 0 || n.rfind(legacy, 0) == 0) && e.is_directory(ec))
      others.push_back(e.path());
  }
  for (const auto& other : others) {
    const std::string n = other.filename().string();
    const bool old_layout = n.rfind(legacy, 0) == 0;
    const StagingOwner o = read_owner(other, old_layout ? legacy : staging);
    if (owner_alive(o)) {
      if (!old_layout && o.pid != me.pid && stage_stamp(n) > now_ns) continue;  // it started later: it refuses
      if (o.pid == me.pid && o.host == me.host) continue;                       // this process's own other stage
      fs::remove_all(stage_, ec);
      stage_.clear();
      throw IoError(dest_.string(), "another merge (" + describe(o) + ") is writing it (staging folder " +
                                        other.string() + "); wait for it or stop it");
    }
    const std::uint64_t bytes = tree_bytes(other);
    fs::remove_all(other, ec);
    if (note)
      note("removed stale staging folder " + other.string() + " (" + std::to_string(bytes) +
           " bytes, left by " + describe(o) + ")");
  }
}

StagedDir::~StagedDir() {
  std::error_code ec;
  if (!stage_.empty()) fs::remove_all(stage_, ec);
}

std::string StagedDir::as_dest(std::string text) const {
  const std::string from = stage_.string(), to = dest_.string();
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

void StagedDir::commit(bool replace, bool sync) {
  std::error_code ec;
  fs::remove(stage_ / kOwnerFile, ec);
  if (sync) {
    for (fs::recursive_directory_iterator it(stage_, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec)) {
        fsync_dir(it->path());
        continue;
      }
      const int fd = ::open(it->path().c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::fsync(fd) != 0) {
        const int e = errno;
        if (fd >= 0) ::close(fd);
        throw IoError(it->path().string(), std::string("cannot sync: ") + std::strerror(e));
      }
      ::close(fd);
    }
    fsync_dir(stage_);
  }
  fs::path old;
  if (replace && fs::exists(dest_, ec)) {
    old = unique_sibling(dest_, ".old");
    rename_into_place(dest_, old, false);
  }
  try {
    rename_into_place(stage_, dest_, false);
  } catch (...) {
    if (!old.empty()) fs::rename(old, dest_, ec);
    throw;
  }
  stage_.clear();
  if (!old.empty()) fs::remove_all(old, ec);
  if (sync) fsync_dir(dest_.has_parent_path() ? dest_.parent_path() : fs::path("."));
}

}  // namespace mergelab::io
