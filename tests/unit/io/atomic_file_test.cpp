#include "core/io/atomic_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/unit/temp_dir.h"

namespace mergelab::io {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

size_t entries(const fs::path& dir) { return static_cast<size_t>(std::distance(fs::directory_iterator(dir), {})); }

TEST(AtomicFile, WritesAndReplacesLeavingNoTemporaryFile) {
  testing::TempDir dir;
  const fs::path p = dir.path / "a.json";
  write_file_atomic(p, "first");
  write_file_atomic(p, "second, longer");
  EXPECT_EQ(slurp(p), "second, longer");
  EXPECT_EQ(entries(dir.path), 1u);
}

TEST(AtomicFile, TemporaryNamesAreUniqueHiddenSiblings) {
  const fs::path a = unique_sibling("out/x.json", ".tmp"), b = unique_sibling("out/x.json", ".tmp");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.parent_path(), fs::path("out"));
  EXPECT_EQ(a.filename().string().rfind(".x.json.tmp-", 0), 0u);
}

TEST(AtomicFile, ConcurrentWritersNeverMixTheirContents) {
  testing::TempDir dir;
  const fs::path p = dir.path / "session.json";
  std::vector<std::string> texts;
  for (int i = 0; i < 8; ++i) texts.push_back(std::string(20000 + i, static_cast<char>('a' + i)));
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      for (int k = 0; k < 20; ++k) write_file_atomic(p, texts[static_cast<size_t>(i)], false);
    });
  for (auto& t : threads) t.join();
  const std::string got = slurp(p);
  EXPECT_NE(std::find(texts.begin(), texts.end(), got), texts.end()) << "a mixed or partial file";
  EXPECT_EQ(entries(dir.path), 1u);
}

TEST(AtomicFile, UncommittedFileLeavesTheTargetAsItWas) {
  testing::TempDir dir;
  const fs::path p = dir.path / "model.safetensors";
  write_file_atomic(p, "old");
  {
    AtomicFile f(p);
    f.write("new but abandoned");
    EXPECT_TRUE(fs::exists(f.temp_path()));
  }
  EXPECT_EQ(slurp(p), "old");
  EXPECT_EQ(entries(dir.path), 1u);
}

TEST(AtomicFile, NoReplaceRefusesAnExistingTarget) {
  testing::TempDir dir;
  const fs::path p = dir.path / "x";
  write_file_atomic(p, "there");
  AtomicFile f(p, /*replace=*/false);
  f.write("racing writer");
  try {
    f.commit();
    FAIL() << "an existing file was replaced";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr(p.string() + ": already exists"));
  }
  EXPECT_EQ(slurp(p), "there");
  EXPECT_EQ(entries(dir.path), 1u);
}

TEST(AtomicFile, ErrorsNameTheFile) {
  testing::TempDir dir;
  const fs::path p = dir.path / "no" / "such" / "dir.csv";
  try {
    write_file_atomic(p, "x");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_EQ(e.path(), p.string());
    EXPECT_THAT(e.what(), HasSubstr("cannot create"));
  }
  if (::geteuid() != 0) {  // root writes into read-only folders
    fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec);
    EXPECT_THROW(write_file_atomic(dir.path / "ro.txt", "x"), IoError);
    fs::permissions(dir.path, fs::perms::owner_all);
  }
}

}  // namespace
}  // namespace mergelab::io
