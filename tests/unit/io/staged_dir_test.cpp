#include "core/io/staged_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "core/io/atomic_file.h"
#include "tests/unit/temp_dir.h"

namespace mergelab::io {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::vector<std::string> names(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// The pid of a process that has exited (and been reaped).
long dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

void write_owner(const fs::path& stage, const StagingOwner& o) {
  fs::create_directories(stage);
  std::ofstream(stage / ".mergelab-owner") << "pid " << o.pid << "\nhost " << o.host << "\nstart_ticks "
                                           << o.start_ticks << "\nstarted " << o.started << "\n";
}

TEST(StagedDir, CommitMovesTheFolderIntoPlace) {
  testing::TempDir dir;
  const fs::path dest = dir.path / "merged";
  {
    StagedDir stage(dest);
    EXPECT_EQ(stage.path().parent_path(), dir.path);
    EXPECT_TRUE(fs::exists(stage.path() / ".mergelab-owner"));
    write_file_atomic(stage.path() / "model.safetensors", "x");
    EXPECT_FALSE(fs::exists(dest));  // nothing visible before commit
    stage.commit();
  }
  EXPECT_EQ(names(dir.path), (std::vector<std::string>{"merged"}));
  EXPECT_EQ(names(dest), (std::vector<std::string>{"model.safetensors"}));  // the owner record stays behind
}

TEST(StagedDir, MessagesNameTheDestinationInsteadOfTheStagingFolder) {
  testing::TempDir dir;
  StagedDir stage(dir.path / "merged");
  const std::string s = stage.path().string(), d = (dir.path / "merged").string();
  EXPECT_EQ(stage.as_dest(s + "/model.safetensors: write failed; " + s + "/config.json"),
            d + "/model.safetensors: write failed; " + d + "/config.json");
  EXPECT_EQ(stage.as_dest("no path here"), "no path here");
}

TEST(StagedDir, AbandonedStageIsRemoved) {
  testing::TempDir dir;
  { StagedDir stage(dir.path / "merged"); }
  EXPECT_TRUE(names(dir.path).empty());
}

TEST(StagedDir, CommitRefusesOrReplacesAnExistingDestination) {
  testing::TempDir dir;
  const fs::path dest = dir.path / "merged";
  fs::create_directories(dest);
  write_file_atomic(dest / "old.txt", "old");
  {
    StagedDir stage(dest);
    write_file_atomic(stage.path() / "new.txt", "new");
    EXPECT_THROW(stage.commit(false), IoError);
    EXPECT_EQ(names(dest), (std::vector<std::string>{"old.txt"}));
    stage.commit(true);
  }
  EXPECT_EQ(names(dir.path), (std::vector<std::string>{"merged"}));
  EXPECT_EQ(names(dest), (std::vector<std::string>{"new.txt"}));
}

TEST(StagedDir, StaleStagesOfDeadOwnersAreRemovedWithANote) {
  testing::TempDir dir;
  StagingOwner gone = current_owner();
  gone.pid = dead_pid();
  const fs::path stale = dir.path / (".merged.staging-" + std::to_string(gone.pid) + "-1");
  write_owner(stale, gone);
  std::ofstream(stale / "model.safetensors") << std::string(1000, 'x');
  const fs::path legacy = dir.path / (".merged.tmp-" + std::to_string(dead_pid()) + "-0");  // older layout
  fs::create_directories(legacy);
  std::ofstream(legacy / "part") << std::string(24, 'y');
  const fs::path unrelated = dir.path / ".other.staging-1-1";
  fs::create_directories(unrelated);

  const std::uint64_t stale_bytes = tree_bytes(stale);
  EXPECT_GT(stale_bytes, 1000u);  // the model part plus the owner record
  std::vector<std::string> notes;
  StagedDir stage(dir.path / "merged", [&](const std::string& n) { notes.push_back(n); });
  ASSERT_EQ(notes.size(), 2u);
  const std::string all = notes[0] + notes[1];
  EXPECT_THAT(all, HasSubstr("removed stale staging folder " + stale.string() + " ("));
  EXPECT_THAT(all, HasSubstr(" bytes, left by pid " + std::to_string(gone.pid)));
  EXPECT_THAT(all, HasSubstr(stale.string() + " (" + std::to_string(stale_bytes) + " bytes"));
  EXPECT_THAT(all, HasSubstr(legacy.string() + " (24 bytes"));
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_FALSE(fs::exists(legacy));
  EXPECT_TRUE(fs::exists(unrelated));
}

TEST(StagedDir, LiveOwnerMakesTheNewRunRefuse) {
  testing::TempDir dir;
  const pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  StagingOwner live = current_owner();
  live.pid = child;
  live.start_ticks = 0;  // "unknown": alive by pid
  const fs::path other = dir.path / (".merged.staging-" + std::to_string(child) + "-1");
  write_owner(other, live);
  try {
    StagedDir stage(dir.path / "merged");
    FAIL() << "a live run's staging folder was ignored";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr((dir.path / "merged").string() + ": another merge (pid " + std::to_string(child)));
    EXPECT_THAT(e.what(), HasSubstr(other.string()));
  }
  EXPECT_TRUE(fs::exists(other));
  EXPECT_EQ(names(dir.path).size(), 1u);  // the refused run left nothing
  // A pid reused by a process that started at another time is not the owner.
  live.start_ticks = current_owner().start_ticks + 12345;
  write_owner(other, live);
  EXPECT_FALSE(owner_alive(live));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
}

TEST(StagedDir, OwnerOnAnotherHostIsNeverRemoved) {
  StagingOwner o = current_owner();
  o.host += "-elsewhere";
  o.pid = dead_pid();
  EXPECT_TRUE(owner_alive(o));
  EXPECT_TRUE(owner_alive(current_owner()));
}

}  // namespace
}  // namespace mergelab::io
