// Tiny inputs that declare huge sizes: refused with what was too large, before any allocation
// for it (never std::bad_alloc, never unbounded growth).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
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

class IoLimitsTest : public testing::TempDirTest {
 protected:
  IoLimitsTest() : TempDirTest("proxjit_io_limits_test") {}
};

// The message of the proxjit::Error `load` throws; fails the test on anything else.
std::string error_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const Error& error) {
    return error.what();
  } catch (const std::exception& other) {
    ADD_FAILURE() << "not a proxjit::Error: " << other.what();
    return "";
  }
  ADD_FAILURE() << "no error";
  return "";
}

double physical_memory() {
  return static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGE_SIZE);
}

TEST_F(IoLimitsTest, DenseArrayDeclaringMoreValuesThanTheFileHolds) {
  const std::string path =
      write("A.mtx", "%%MatrixMarket matrix array real general\n1000000000 1000000000\n1\n2\n3\n");
  const std::string expected = path +
                               ", line 2: the header declares 1000000000 x 1000000000 = 1e18 "
                               "entries (8e18 bytes as float64), but the file holds 3 values";
  EXPECT_EQ(error_of([&] { load_matrix(path); }), expected);
  EXPECT_EQ(error_of([&] { load_matrix_market_sparse(path); }), expected);
}

TEST_F(IoLimitsTest, SymmetricArrayCountsItsStoredTriangle) {
  const std::string path =
      write("S.mtx", "%%MatrixMarket matrix array real symmetric\n100000 100000\n1\n2\n");
  EXPECT_NE(error_of([&] { load_matrix_market_sparse(path); })
                .find("line 2: the header declares a symmetric 100000 x 100000 matrix, "
                      "5000050000 stored values"),
            std::string::npos);
}

TEST_F(IoLimitsTest, CoordinateCountBeyondWhatTheFileCanHold) {
  const std::string path =
      write("A.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 1000000000000\n1 1 1\n");
  const std::string message = error_of([&] { load_matrix_market_sparse(path); });
  EXPECT_EQ(message, path +
                         ", line 2: the header declares 1000000000000 entries for a 2 x 2 matrix "
                         "(16 TB as row, column, value), but the file holds 1");
  EXPECT_EQ(error_of([&] { load_matrix(path); }), message);
}

TEST_F(IoLimitsTest, FewEntriesInAHugeSparseShapeNeedMoreMemoryThanTheMachineHas) {
  if (physical_memory() > 50e9) GTEST_SKIP() << "this machine could hold the solve";
  const std::string path = write("A.mtx",
                                 "%%MatrixMarket matrix coordinate real general\n"
                                 "1000000000 1000000000 3\n1 1 1\n2 2 1\n3 3 1\n");
  const std::string message = error_of([&] { load_matrix_market_sparse(path); });
  EXPECT_NE(message.find(path + ", line 2: a 1000000000 x 1000000000 matrix needs about 52 GB"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("of memory"), std::string::npos) << message;
}

TEST_F(IoLimitsTest, HugeLibsvmFeatureIndexIsRefusedWithItsLineAndTheMemoryNeeded) {
  if (physical_memory() > 50e9) GTEST_SKIP() << "this machine could hold the solve";
  const std::string path = write("big.svm", "-1 1:1\n1 3:0.5 2000000000:1\n");
  const std::string message = error_of([&] { load_libsvm_sparse(path); });
  EXPECT_NE(message.find(path + ", line 2: feature index 2000000000 (so 2000000000 columns) "
                                "needs about 48 GB to solve"),
            std::string::npos)
      << message;
  // Dense reading refuses it too (it is too large to hold densely at all).
  EXPECT_FALSE(error_of([&] { load_libsvm(path); }).empty());
}

// A .npy file whose header is padded as NumPy writes it.
std::string npy_file(const std::string& shape) {
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::string bytes = "\x93NUMPY\x01";
  bytes += '\0';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  return bytes + header;
}

TEST_F(IoLimitsTest, NpyShapeWithNoValuesButHugeColumnsIsRefused) {
  if (physical_memory() > 1e13) GTEST_SKIP() << "this machine could hold the solve";
  const std::string path = write("A.npy", npy_file("(0, 1000000000000)"));
  const std::string message = error_of([&] { load_npy_matrix(path); });
  EXPECT_NE(message.find(path + ": an array of shape (0, 1000000000000) needs about 24 TB"),
            std::string::npos)
      << message;
  // A shape whose values are missing says so (as before).
  const std::string truncated = write("B.npy", npy_file("(1000000000, 1000000000)"));
  EXPECT_NE(error_of([&] { load_npy_matrix(truncated); }).find("file is truncated"),
            std::string::npos);
}

TEST_F(IoLimitsTest, OrdinaryFilesStillLoad) {
  const std::string mtx =
      write("A.mtx", "%%MatrixMarket matrix coordinate real general\n3 4 2\n1 1 1\n3 4 2\n");
  EXPECT_EQ(load_matrix_market_sparse(mtx).nonZeros(), 2);
  const std::string svm = write("a.svm", "1 1:1 5:2\n-1 2:1\n");
  EXPECT_EQ(load_libsvm_sparse(svm).A.cols(), 5);
}

}  // namespace
}  // namespace proxjit
