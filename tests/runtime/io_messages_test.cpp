// Error messages quote what a file holds through one helper: printable ASCII as it is, the rest
// escaped, 80 characters at most. A file's bytes never reach the terminal raw.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "../support/temp_dir_test.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"

namespace proxjit {
namespace {

namespace fs = std::filesystem;

class IoMessagesTest : public testing::TempDirTest {
 protected:
  IoMessagesTest() : TempDirTest("proxjit_io_messages_test") {}
};

// what() as a terminal would get it: a C string, cut at a NUL.
std::string error_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const Error& error) {
    return std::string(error.what());
  }
  ADD_FAILURE() << "no error";
  return "";
}

bool all_printable(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
}

TEST_F(IoMessagesTest, EscapeSequenceInACsvFieldIsShownEscaped) {
  const std::string message =
      error_of([&] { load_matrix(write("A.csv", "1,2\n3,\x1b[31mred\x1b[0m\n")); });
  EXPECT_TRUE(all_printable(message)) << message;
  EXPECT_NE(message.find("got \"\\x1b[31mred\\x1b[0m\""), std::string::npos) << message;
}

TEST_F(IoMessagesTest, NulInAFieldDoesNotCutTheMessage) {
  const std::string message =
      error_of([&] { load_matrix(write("A.csv", std::string("1,2\n3,a\0b\n", 10))); });
  EXPECT_NE(message.find("got \"a\\0b\""), std::string::npos) << message;
  EXPECT_TRUE(all_printable(message)) << message;
}

TEST_F(IoMessagesTest, HugeTokenGivesAShortMessage) {
  const std::string token(10 << 20, 'y');
  const std::string message = error_of([&] { load_vector(write("b.csv", "1\n" + token + "\n")); });
  EXPECT_LT(message.size(), 300u);
  EXPECT_NE(message.find(std::string(80, 'y') + "...\""), std::string::npos) << message;
  EXPECT_EQ(message.find(std::string(81, 'y')), std::string::npos);
}

TEST_F(IoMessagesTest, EveryLoaderQuotesThroughTheHelper) {
  const std::string bad = "\x1b]0;title\x07\x01";
  const std::string long_bad = bad + std::string(1000, '\x9b');
  const std::vector<std::function<void()>> loads = {
      [&] { load_libsvm_sparse(write("a.svm", bad + " 1:1\n")); },
      [&] { load_libsvm_sparse(write("b.svm", "1 1:" + bad + "\n")); },
      [&] { load_libsvm_sparse(write("c.svm", "1 " + long_bad + "\n")); },
      [&] { load_matrix(write("a.mtx", "%%MatrixMarket matrix " + bad + " real general\n")); },
      [&] { load_matrix(write("b.mtx", "%%MatrixMarket " + long_bad + "\n")); },
      [&] { load_matrix(write("c.mtx", "%%MatrixMarket matrix array real general\n1 1\n" + bad)); },
      [&] {
        load_matrix(
            write("d.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 " + bad));
      },
      [&] { load_matrix(write("e.mtx", "%%MatrixMarket matrix array real general\n" + bad)); },
      [&] {
        std::string header = "{'descr': '" + bad + "', 'fortran_order': False, 'shape': (1,), }";
        std::string bytes = "\x93NUMPY\x01";
        bytes += '\0';
        bytes += static_cast<char>(header.size());
        bytes += '\0';
        load_npy_vector(write("a.npy", bytes + header));
      },
      [&] {
        std::string header = "{'descr': '<f8', " + long_bad + "}";
        std::string bytes = "\x93NUMPY\x01";
        bytes += '\0';
        bytes += static_cast<char>(header.size() & 0xff);
        bytes += static_cast<char>(header.size() >> 8);
        load_npy_vector(write("b.npy", bytes + header));
      },
      [&] { load_matrix(write("f.csv", bad + "x,y\n1,2\n")); },
      [&] { parse_data_format(bad); },
  };
  for (std::size_t i = 0; i < loads.size(); ++i) {
    const std::string message = error_of(loads[i]);
    EXPECT_TRUE(all_printable(message)) << "load " << i << ": " << message;
    EXPECT_LT(message.size(), 400u) << "load " << i << ": " << message;
  }
}

}  // namespace
}  // namespace proxjit
