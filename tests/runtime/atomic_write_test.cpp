// write_file_atomically, through which every writer (save_vector, save_libsvm, ...) goes: a
// failed write leaves the old file whole, links and permissions are kept, no temporary is left.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"

namespace proxjit {
namespace {

namespace fs = std::filesystem;

class AtomicWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("proxjit_atomic_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string read(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static void put(const std::string& file, const std::string& text) {
    std::ofstream(file, std::ios::binary) << text;
  }
  // Names in the directory other than `keep`: leftover temporaries.
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }
  fs::path dir_;
};

// A write that fails half way (here: past the file size limit) leaves the old file as it was.
TEST_F(AtomicWriteTest, FailedWriteKeepsTheOldFile) {
  const std::string target = path("x.csv");
  put(target, "old contents\n");
  const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit small = saved;
  small.rlim_cur = 64;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  bool threw = false;
  try {
    save_vector(target, Vector::Ones(1000));
  } catch (const Error& error) {
    threw = true;
    EXPECT_NE(std::string(error.what()).find(target), std::string::npos) << error.what();
  }
  setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, previous_handler);
  EXPECT_TRUE(threw);
  EXPECT_EQ(read(target), "old contents\n");
  EXPECT_EQ(entries(), 1u) << "a temporary file was left behind";
}

// The new contents replace the file (a new inode): another hard link keeps the old contents,
// where a write in place would have changed both names.
TEST_F(AtomicWriteTest, ReplacesRatherThanTruncates) {
  const std::string target = path("x.csv");
  const std::string other = path("other.csv");
  put(target, "old\n");
  fs::create_hard_link(target, other);
  save_vector(target, Vector::Ones(2));
  EXPECT_EQ(read(target), "1\n1\n");
  EXPECT_EQ(read(other), "old\n");
  EXPECT_EQ(entries(), 2u);
}

TEST_F(AtomicWriteTest, PermissionsAndLinks) {
  const std::string fresh = path("fresh.csv");
  const mode_t mask = ::umask(0);
  ::umask(mask);
  write_file_atomically(fresh, "1\n");
  EXPECT_EQ(fs::status(fresh).permissions(), static_cast<fs::perms>(0644 & ~mask));
  // An existing file keeps its permissions.
  const std::string kept = path("kept.csv");
  put(kept, "old\n");
  fs::permissions(kept, static_cast<fs::perms>(0600));
  write_file_atomically(kept, "new\n");
  EXPECT_EQ(read(kept), "new\n");
  EXPECT_EQ(fs::status(kept).permissions(), static_cast<fs::perms>(0600));
  // A symbolic link stays a link; its target gets the contents.
  const std::string link = path("link.csv");
  fs::create_symlink("kept.csv", link);
  write_file_atomically(link, "through the link\n");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read(kept), "through the link\n");
  // A device is written in place, never replaced.
  write_file_atomically("/dev/null", "discarded\n");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  EXPECT_EQ(entries(), 3u);
}

TEST_F(AtomicWriteTest, DirectoryIsAnError) {
  fs::create_directories(path("sub"));
  EXPECT_THROW(write_file_atomically(path("sub"), "1\n"), Error);
  EXPECT_TRUE(fs::is_directory(path("sub")));
  EXPECT_EQ(entries(), 1u);
}

}  // namespace
}  // namespace proxjit
