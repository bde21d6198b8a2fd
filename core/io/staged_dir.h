// A folder output that appears all at once: written into a hidden sibling, then renamed into place.
//
//   io::StagedDir stage("out/merged", [](const std::string& note) { std::cerr << note << "\n"; });
//   ... write files into stage.path() ...
//   stage.commit(/*replace=*/false);     // fsync every file and the folder, rename to out/merged, fsync out/
//
// The staging folder is ".<name>.staging-<pid>-<start ns>" beside the destination and holds an owner record
// (".mergelab-owner": pid, host, process start time) until commit. Opening a stage first looks at the other
// staging folders of the same destination (and the ".<name>.tmp-<pid>-*" ones older versions left):
//  - owner gone (no such process on this host, or the pid now belongs to a process started later):
//    removed, with a note "removed stale staging folder X (N bytes, left by pid P on H)";
//  - owner alive (or on another host, where it cannot be checked): IoError naming the destination, the
//    owner and the folder; of two runs that start at the same moment the later one refuses.
// A StagedDir destroyed before commit() removes its folder. A SIGKILLed run leaves it for the next run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace mergelab::io {

struct StagingOwner {
  long pid = 0;
  std::string host;
  std::uint64_t start_ticks = 0;  ///< the process's start time (/proc/PID/stat field 22), 0 when unknown
  std::string started;            ///< wall-clock start, ISO 8601 UTC (for people)
};

/// The owner record of the running process.
StagingOwner current_owner();
/// True when `owner`'s process still runs (same host, pid alive and started at the recorded time).
bool owner_alive(const StagingOwner& owner);
/// Total size of the regular files under `path`.
std::uint64_t tree_bytes(const std::filesystem::path& path);

class StagedDir {
 public:
  using Note = std::function<void(const std::string&)>;
  /// Cleans stale stages of `dest` (see above), refuses when a live one exists, creates this one.
  /// Throws IoError.
  explicit StagedDir(std::filesystem::path dest, Note note = {});
  ~StagedDir();
  StagedDir(const StagedDir&) = delete;
  StagedDir& operator=(const StagedDir&) = delete;

  const std::filesystem::path& path() const { return stage_; }
  const std::filesystem::path& dest() const { return dest_; }
  /// `text` with every mention of the staging folder replaced by the destination: errors met while writing
  /// name the file as the user will find it, not the hidden folder that is removed with the failed run.
  std::string as_dest(std::string text) const;

  /// Moves the staged folder to dest. replace = true: an existing dest is moved aside first and removed
  /// after (restored when the rename fails); replace = false: an existing dest is refused.
  void commit(bool replace = false, bool sync = true);

 private:
  std::filesystem::path dest_, stage_;
};

}  // namespace mergelab::io
