#pragma once
// A test fixture with a fresh directory per test (removed afterwards) and a writer into it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace proxjit::testing {

class TempDirTest : public ::testing::Test {
 protected:
  // `prefix` names the suite's folder under the system's temporary directory.
  explicit TempDirTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() / (prefix_ + "_" + std::to_string(getpid())) /
           info->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_.parent_path()); }

  std::string write(const std::string& name, const std::string& contents) const {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }

  std::string prefix_;
  std::filesystem::path dir_;
};

}  // namespace proxjit::testing
