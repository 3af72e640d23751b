// CSR data: sparse loaders (LIBSVM, Matrix Market), writers, helpers and synthetic problems.
#include "proxjit/runtime/sparse.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"
#include "proxjit/runtime/synthetic.h"

namespace proxjit {
namespace {

namespace fs = std::filesystem;

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

// Runs `action` and returns the Error's message; fails the test when nothing is thrown.
template <class Action>
std::string error_of(Action&& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a proxjit::Error";
  return {};
}

// Same shape, same stored positions in the same order, bit-identical values.
::testing::AssertionResult SameCsr(const SparseMatrix& a, const SparseMatrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols() || a.nonZeros() != b.nonZeros()) {
    return ::testing::AssertionFailure()
           << a.rows() << " x " << a.cols() << " (" << a.nonZeros() << " stored) vs " << b.rows()
           << " x " << b.cols() << " (" << b.nonZeros() << " stored)";
  }
  for (Eigen::Index row = 0; row < a.outerSize(); ++row) {
    SparseMatrix::InnerIterator ia(a, row);
    SparseMatrix::InnerIterator ib(b, row);
    for (; ia && ib; ++ia, ++ib) {
      if (ia.col() != ib.col() ||
          std::bit_cast<std::uint64_t>(ia.value()) != std::bit_cast<std::uint64_t>(ib.value())) {
        return ::testing::AssertionFailure()
               << "row " << row << ": (" << ia.col() << ", " << ia.value() << ") vs (" << ib.col()
               << ", " << ib.value() << ")";
      }
    }
    if (ia || ib) return ::testing::AssertionFailure() << "row " << row << " differs in length";
  }
  return ::testing::AssertionSuccess();
}

SparseMatrix csr(const Matrix& dense) {
  return to_sparse(dense);
}

class SparseIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / "proxjit_sparse_test" / info->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string write(const std::string& name, const std::string& contents) const {
    const std::string p = path(name);
    std::ofstream out(p, std::ios::binary);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    return p;
  }

  fs::path dir_;
};

// A file under tests/data: ctest sets PROXJIT_TEST_DATA; run by hand, next to this source.
std::string data_file(const std::string& name) {
  const char* dir = std::getenv("PROXJIT_TEST_DATA");
  const fs::path base =
      dir ? fs::path(dir) : fs::path(__FILE__).parent_path().parent_path() / "data";
  return (base / name).string();
}

// ----------------------------------------------------------------------------- helpers

TEST(SparseHelpersTest, ToSparseDropsExactZerosOnly) {
  Matrix dense(2, 3);
  dense << 0, -0.0, 1e-300,  //
      std::nan(""), 0, -2;
  const SparseMatrix sparse = to_sparse(dense);
  EXPECT_TRUE(sparse.isCompressed());
  EXPECT_EQ(sparse.nonZeros(), 3);  // 1e-300, nan and -2; both zeros dropped
  EXPECT_EQ(sparse.coeff(0, 2), 1e-300);
  EXPECT_TRUE(std::isnan(sparse.coeff(1, 0)));
  const Matrix back = to_dense(sparse);
  EXPECT_EQ(back(0, 2), 1e-300);
  EXPECT_EQ(back(1, 2), -2);
  EXPECT_EQ(back(0, 1), 0);
  EXPECT_DOUBLE_EQ(density(sparse), 0.5);
  EXPECT_EQ(density(SparseMatrix(0, 4)), 0.0);
}

TEST(SparseHelpersTest, CheckFiniteNamesWhatAndTheFirstBadEntry) {
  Matrix dense = Matrix::Zero(3, 4);
  dense(0, 1) = 1;
  EXPECT_NO_THROW(check_finite(csr(dense), "A"));
  dense(2, 3) = std::numeric_limits<double>::infinity();
  dense(1, 2) = std::nan("");
  EXPECT_EQ(error_of([&] { check_finite(csr(dense), "the matrix A"); }),
            "the matrix A contains nan at row 1, column 2 (all entries must be finite numbers)");
  dense(1, 2) = 0;
  EXPECT_TRUE(Contains(error_of([&] { check_finite(csr(dense), "A"); }),
                       "A contains inf at row 2, column 3"));
}

// ----------------------------------------------------------------------------- LIBSVM

TEST_F(SparseIoTest, LibsvmTinyFileSparseMatchesDense) {
  const LabeledSparseData sparse = load_libsvm_sparse(data_file("tiny.svm"));
  EXPECT_TRUE(sparse.A.isCompressed());
  EXPECT_EQ(sparse.A.rows(), 4);
  EXPECT_EQ(sparse.A.cols(), 3);
  EXPECT_EQ(sparse.A.nonZeros(), 6);  // the last sample has no features: an empty row
  const LabeledData dense = load_libsvm(data_file("tiny.svm"));
  EXPECT_EQ(to_dense(sparse.A), dense.A);
  EXPECT_EQ(sparse.b, dense.b);
  EXPECT_EQ(sparse.A.coeff(2, 2), 0.3);
}

TEST_F(SparseIoTest, LibsvmHeartScaleFromLiblinearTools) {
  const std::string file = "/usr/share/doc/liblinear-tools/examples/heart_scale";
  if (!fs::exists(file)) {
    GTEST_SKIP() << file << " not found (apt-get install liblinear-tools)";
  }
  const LabeledSparseData data = load_libsvm_sparse(file);
  ASSERT_EQ(data.A.rows(), 270);
  ASSERT_EQ(data.A.cols(), 13);
  ASSERT_EQ(data.b.size(), 270);
  // Every index:value token of the file, counted with awk '{n += NF - 1}'.
  EXPECT_EQ(data.A.nonZeros(), 3378);
  EXPECT_EQ((data.b.array() == 1.0).count(), 120);
  EXPECT_EQ((data.b.array() == -1.0).count(), 150);
  // Line 1: "+1 1:0.708333 2:1 3:1 4:-0.320755 ... 10:-0.225806 12:1 13:-1" (no feature 11).
  EXPECT_EQ(data.b[0], 1.0);
  EXPECT_EQ(data.A.coeff(0, 0), 0.708333);
  EXPECT_EQ(data.A.coeff(0, 3), -0.320755);
  EXPECT_EQ(data.A.coeff(0, 12), -1.0);
  EXPECT_EQ(data.A.row(0).nonZeros(), 12);  // feature 11 is not stored
  // Line 100: "-1 1:-0.125 ... 8:0.389313 ... 13:-1", all 13 features.
  EXPECT_EQ(data.b[99], -1.0);
  EXPECT_EQ(data.A.coeff(99, 0), -0.125);
  EXPECT_EQ(data.A.coeff(99, 7), 0.389313);
  EXPECT_EQ(data.A.row(99).nonZeros(), 13);
  // Line 270: "+1 1:0.583333 2:1 3:1 4:0.245283 5:-0.269406 ... 8:-0.435115 ..." (no 11).
  EXPECT_EQ(data.b[269], 1.0);
  EXPECT_EQ(data.A.coeff(269, 3), 0.245283);
  EXPECT_EQ(data.A.coeff(269, 7), -0.435115);
  EXPECT_EQ(data.A.row(269).nonZeros(), 12);
  const LabeledData dense = load_libsvm(file);
  EXPECT_EQ(to_dense(data.A), dense.A);
  EXPECT_EQ(data.b, dense.b);
  EXPECT_NO_THROW(check_finite(data.A, "heart_scale"));
}

TEST_F(SparseIoTest, LibsvmMinFeaturesWidensButNeverNarrows) {
  const std::string test_set = write("test.svm", "1 2:5\n-1\n1 3:-1\n");
  EXPECT_EQ(load_libsvm_sparse(test_set).A.cols(), 3);
  const LabeledSparseData wide = load_libsvm_sparse(test_set, 10);
  EXPECT_EQ(wide.A.rows(), 3);
  EXPECT_EQ(wide.A.cols(), 10);
  EXPECT_EQ(wide.A.nonZeros(), 2);
  EXPECT_EQ(wide.A.coeff(0, 1), 5);
  EXPECT_EQ(wide.A.row(1).nonZeros(), 0);
  EXPECT_EQ(load_libsvm_sparse(test_set, 2).A.cols(), 3);  // the file's width wins
  EXPECT_EQ(load_libsvm_sparse(test_set, 0).A.cols(), 3);
  EXPECT_TRUE(Contains(error_of([&] { load_libsvm_sparse(test_set, -1); }),
                       "min_features must be >= 0, got -1"));
  // A file with labels only has no features, unless told.
  EXPECT_EQ(load_libsvm_sparse(write("labels.svm", "1\n-1\n")).A.cols(), 0);
  EXPECT_EQ(load_libsvm_sparse(write("labels.svm", "1\n-1\n"), 4).A.cols(), 4);
}

TEST_F(SparseIoTest, LibsvmSparseErrorsMatchTheDenseLoader) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"+1 1:0.5\n# comment\n-1 2:1 7-0.5\n", ", line 3: expected index:value, got \"7-0.5\""},
      {"1 1:1\n1 1:2 1:3\n", ", line 2: indices must increase (1 after 1)"},
      {"1 7:1 5:2\n", ", line 1: indices must increase (5 after 7)"},
      {"1 2:abc\n", ", line 1: expected index:value, got \"2:abc\" (the value is not a number)"},
      {"\n\nyes 1:1\n", ", line 3: expected a label (a number) first, got \"yes\""},
      {"1 -2:1\n", ", line 1: expected index:value, got \"-2:1\" (the index must be a whole"},
      {"", ": file is empty"},
      {"# only\n\n", ": contains no samples"},
  };
  for (const auto& [contents, expected] : cases) {
    const std::string file = write("bad.svm", contents);
    const std::string sparse = error_of([&] { load_libsvm_sparse(file); });
    EXPECT_TRUE(Contains(sparse, file + expected)) << contents;
    EXPECT_EQ(sparse, error_of([&] { load_libsvm(file); })) << contents;
  }
  EXPECT_TRUE(Contains(error_of([&] { load_libsvm_sparse(path("missing.svm")); }),
                       path("missing.svm") + ": cannot open"));
}

TEST_F(SparseIoTest, LibsvmWideFileLoadsSparselyWhereDenseRefuses) {
  // One sample 300 million features wide: 2.4 GB densely, two entries sparsely.
  const std::string file = write("wide.svm", "1 1:2 300000000:-1\n-1 5:1\n");
  const LabeledSparseData data = load_libsvm_sparse(file);
  EXPECT_EQ(data.A.cols(), 300000000);
  EXPECT_EQ(data.A.nonZeros(), 3);
  EXPECT_EQ(data.A.coeff(0, 299999999), -1);
  EXPECT_TRUE(Contains(error_of([&] { load_libsvm(file); }), "too large to read densely"));
  // Past Eigen's int indices the sparse loader names the line that holds the index.
  const std::string huge = write("huge.svm", "1 1:1\n\n-1 4000000000:1\n");
  EXPECT_EQ(error_of([&] { load_libsvm_sparse(huge); }),
            huge +
                ", line 3: feature index 4000000000 is too large (sparse storage holds at most "
                "2147483647 features)");
  EXPECT_TRUE(Contains(error_of([&] { load_libsvm(huge); }), "too large to read densely"));
}

TEST_F(SparseIoTest, LibsvmRoundTripIsExact) {
  // Awkward numbers, an empty row, an empty last column and an explicit zero all survive.
  SparseMatrix A(4, 6);
  A.insert(0, 0) = 1.0 / 3.0;
  A.insert(0, 4) = -1e-300;
  A.insert(2, 1) = 0.1;
  A.insert(2, 2) = 0.0;  // explicit zero entry
  A.insert(3, 3) = 123456789.125;
  A.insert(3, 4) = std::numeric_limits<double>::denorm_min();
  A.makeCompressed();
  Vector b(4);
  b << 1, -1, 0.1, 2.0 / 3.0;
  const std::string file = path("rt.svm");
  save_libsvm(file, A, b);
  const LabeledSparseData back = load_libsvm_sparse(file, A.cols());
  EXPECT_TRUE(SameCsr(back.A, A));
  EXPECT_EQ(back.b, b);
  // Without the width, the empty last column is lost (LIBSVM does not store it).
  EXPECT_EQ(load_libsvm_sparse(file).A.cols(), 5);
  // Shortest text: 0.1 is written as "0.1", not 0.10000000000000001.
  std::ifstream in(file);
  std::string first, second, third;
  std::getline(in, first);
  std::getline(in, second);
  std::getline(in, third);
  EXPECT_EQ(second, "-1");
  EXPECT_EQ(third, "0.1 2:0.1 3:0");
  EXPECT_TRUE(Contains(error_of([&] { save_libsvm(path("x.svm"), A, Vector::Zero(3)); }),
                       "4 samples but 3 labels"));
}

TEST_F(SparseIoTest, LargeGeneratedLibsvmFileLoadsSparsely) {
  // The benchmark's shape: 20000 x 5000 at density 0.002 (about 200000 entries; 800 MB densely).
  const SyntheticProblem problem = make_classification(20000, 5000, 0.002, 7);
  const std::string file = path("large.svm");
  save_libsvm(file, problem.A, problem.b);
  const LabeledSparseData back = load_libsvm_sparse(file, 5000);
  EXPECT_EQ(back.A.rows(), 20000);
  EXPECT_EQ(back.A.cols(), 5000);
  EXPECT_EQ(back.A.nonZeros(), problem.A.nonZeros());
  EXPECT_NEAR(static_cast<double>(back.A.nonZeros()), 200000.0, 4000.0);
  EXPECT_TRUE(SameCsr(back.A, problem.A));
  EXPECT_EQ(back.b, problem.b);
}

// ----------------------------------------------------------------------------- Matrix Market

TEST_F(SparseIoTest, MatrixMarketSparseMatchesDenseOnTinySymmetric) {
  const SparseMatrix A = load_matrix_market_sparse(data_file("tiny.mtx"));
  EXPECT_TRUE(A.isCompressed());
  EXPECT_EQ(A.nonZeros(), 7);  // 5 stored, 2 mirrored
  EXPECT_EQ(to_dense(A), load_matrix_market_matrix(data_file("tiny.mtx")));
  EXPECT_TRUE(SameCsr(load_sparse_matrix(data_file("tiny.mtx")), A));
}

TEST_F(SparseIoTest, MatrixMarketSymmetricSkewPatternAndDuplicates) {
  const SparseMatrix symmetric = load_matrix_market_sparse(
      write("s.mtx",
            "%%MatrixMarket matrix coordinate real symmetric\n3 3 3\n1 1 2\n3 1 -1\n"
            "3 2 0.5\n"));
  EXPECT_EQ(to_dense(symmetric), (Matrix(3, 3) << 2, 0, -1, 0, 0, 0.5, -1, 0.5, 0).finished());
  EXPECT_EQ(symmetric.nonZeros(), 5);
  const SparseMatrix skew = load_matrix_market_sparse(
      write("k.mtx",
            "%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 2\n2 1 4\n"
            "3 2 -1\n"));
  EXPECT_EQ(to_dense(skew), (Matrix(3, 3) << 0, -4, 0, 4, 0, 1, 0, -1, 0).finished());
  const SparseMatrix pattern = load_matrix_market_sparse(
      write("p.mtx", "%%MatrixMarket matrix coordinate pattern general\n2 3 2\n1 3\n2 1\n"));
  EXPECT_EQ(to_dense(pattern), (Matrix(2, 3) << 0, 0, 1, 1, 0, 0).finished());
  // Duplicates add up (also through the mirror of a symmetric file); integer fields read too.
  const SparseMatrix duplicates = load_matrix_market_sparse(
      write("d.mtx",
            "%%MatrixMarket matrix coordinate integer symmetric\n2 2 3\n2 1 3\n"
            "2 1 4\n1 1 5\n"));
  EXPECT_EQ(to_dense(duplicates), (Matrix(2, 2) << 5, 7, 7, 0).finished());
  EXPECT_EQ(duplicates.nonZeros(), 3);
  // An array file: read through the same parser, its zeros not stored.
  const std::string array =
      write("a.mtx", "%%MatrixMarket matrix array real general\n2 2\n1\n0\n0\n4\n");
  const SparseMatrix from_array = load_matrix_market_sparse(array);
  EXPECT_EQ(from_array.nonZeros(), 2);
  EXPECT_EQ(to_dense(from_array), load_matrix_market_matrix(array));
}

TEST_F(SparseIoTest, MatrixMarketHugeCoordinateShapeLoadsSparsely) {
  const std::string file = write("big.mtx",
                                 "%%MatrixMarket matrix coordinate real general\n"
                                 "100000 200000 2\n100000 200000 1.5\n1 1 -2\n");
  const SparseMatrix A = load_matrix_market_sparse(file);
  EXPECT_EQ(A.rows(), 100000);
  EXPECT_EQ(A.cols(), 200000);
  EXPECT_EQ(A.nonZeros(), 2);
  EXPECT_EQ(A.coeff(99999, 199999), 1.5);
  EXPECT_TRUE(
      Contains(error_of([&] { load_matrix_market_matrix(file); }), "too large to read densely"));
  EXPECT_EQ(
      error_of([&] {
        load_matrix_market_sparse(write(
            "huge.mtx", "%%MatrixMarket matrix coordinate real general\n%c\n3000000000 2 0\n"));
      }),
      path("huge.mtx") +
          ", line 3: a 3000000000 x 2 matrix is too large for sparse storage (at most "
          "2147483647 rows and columns)");
}

TEST_F(SparseIoTest, MatrixMarketMalformedFilesNameFileLineAndExpectation) {
  const std::string coordinate = "%%MatrixMarket matrix coordinate real general\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"3 3 1\n1 1 1\n", ", line 1: bad Matrix Market banner \"3 3 1\": it must start with"},
      {coordinate + "%c\n3 3\n",
       ", line 3: expected the size line \"rows columns entries\", got \"3 3\""},
      {coordinate + "2 2 1\n1 1\n",
       ", line 3: expected an entry \"row column value\", got \"1 1\""},
      {coordinate + "2 2 1\n1 1 abc\n", ", line 3: expected a number, got \"abc\""},
      {coordinate + "2 3 1\n3 1 1\n", ", line 3: row index 3 out of range (1..2)"},
      {coordinate + "2 3 1\n1 4 1\n", ", line 3: column index 4 out of range (1..3)"},
      {coordinate + "2 2 1\n1.5 1 2\n",
       ", line 3: expected an entry \"row column value\" with "
       "integer indices, got \"1.5 1 2\""},
      {coordinate + "2 2 1\n1 1 1\n2 2 1\n",
       ", line 4: more entries than the size line (line 2) promises 1 entries"},
      {coordinate + "2 2 3\n1 1 1\n", ": the size line (line 2) promises 3 entries, found 1"},
      {"%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n1 1 1\n",
       ", line 3: a skew-symmetric matrix has no diagonal entries, got (1, 1)"},
      {"%%MatrixMarket matrix coordinate real symmetric\n2 3 0\n",
       ", line 2: a symmetric matrix must be square, got 2 x 3"},
      {"%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n",
       ", line 1: complex Matrix Market matrices are not supported"},
  };
  for (const auto& [contents, expected] : cases) {
    const std::string file = write("bad.mtx", contents);
    const std::string sparse = error_of([&] { load_matrix_market_sparse(file); });
    EXPECT_TRUE(Contains(sparse, file + expected)) << contents;
    EXPECT_EQ(sparse, error_of([&] { load_matrix_market_matrix(file); })) << contents;
  }
}

TEST_F(SparseIoTest, MatrixMarketRoundTripIsExact) {
  SparseMatrix A = random_sparse(50, 30, 0.1, 3);
  A.coeffRef(4, 7) = 0.0;  // an explicit zero stays stored
  A.coeffRef(5, 0) = 1.0 / 7.0;
  A.makeCompressed();
  const std::string file = path("rt.mtx");
  save_matrix_market(file, A);
  EXPECT_TRUE(SameCsr(load_matrix_market_sparse(file), A));
  // The dense loader reads what the sparse writer wrote.
  EXPECT_EQ(load_matrix_market_matrix(file), to_dense(A));
  // An empty matrix keeps its shape.
  save_matrix_market(path("empty.mtx"), SparseMatrix(3, 2));
  const SparseMatrix empty = load_matrix_market_sparse(path("empty.mtx"));
  EXPECT_EQ(empty.rows(), 3);
  EXPECT_EQ(empty.cols(), 2);
  EXPECT_EQ(empty.nonZeros(), 0);
}

TEST_F(SparseIoTest, LoadSparseMatrixByFormat) {
  Matrix dense(2, 3);
  dense << 1, 0, 2,  //
      0, 0, -3;
  save_matrix(path("A.npy"), dense);
  save_matrix(path("A.csv"), dense);
  for (const std::string name : {"A.npy", "A.csv"}) {
    const SparseMatrix A = load_sparse_matrix(path(name));
    EXPECT_EQ(A.nonZeros(), 3) << name;
    EXPECT_EQ(to_dense(A), dense) << name;
  }
  fs::copy_file(path("A.csv"), path("A.dat"));
  EXPECT_EQ(to_dense(load_sparse_matrix(path("A.dat"), DataFormat::csv)), dense);
  const std::string svm = write("d.svm", "1 1:1\n");
  const std::string message = error_of([&] { load_sparse_matrix(svm); });
  EXPECT_TRUE(Contains(message, svm + ": is a LIBSVM file, which holds A and b together"));
  EXPECT_TRUE(Contains(message, "load_libsvm_sparse"));
  EXPECT_TRUE(Contains(error_of([&] { load_sparse_matrix(path("A.mat")); }),
                       "unsupported file extension '.mat'"));
}

// ----------------------------------------------------------------------------- synthetic data

TEST(SyntheticTest, SameSeedSameDataDifferentSeedDifferentData) {
  EXPECT_TRUE(SameCsr(random_sparse(200, 100, 0.05, 11), random_sparse(200, 100, 0.05, 11)));
  EXPECT_FALSE(SameCsr(random_sparse(200, 100, 0.05, 11), random_sparse(200, 100, 0.05, 12)));
  for (auto make : {make_classification, make_regression, make_counts}) {
    const SyntheticProblem a = make(300, 80, 0.1, 5);
    const SyntheticProblem b = make(300, 80, 0.1, 5);
    const SyntheticProblem c = make(300, 80, 0.1, 6);
    EXPECT_TRUE(SameCsr(a.A, b.A));
    EXPECT_EQ(a.b, b.b);
    EXPECT_EQ(a.x_true, b.x_true);
    EXPECT_FALSE(SameCsr(a.A, c.A));
    EXPECT_NE(a.x_true, c.x_true);
    // The problem's matrix is random_sparse with the same seed.
    EXPECT_TRUE(SameCsr(a.A, random_sparse(300, 80, 0.1, 5)));
  }
}

TEST(SyntheticTest, SeedContractPinsTheFirstValues) {
  // If this fails, the generators changed: data for a given seed is no longer what it was.
  const SparseMatrix A = random_sparse(3, 10, 0.3, 42);
  std::vector<int> columns(A.innerIndexPtr(), A.innerIndexPtr() + A.nonZeros());
  EXPECT_EQ(columns, (std::vector<int>{0, 2, 4, 1, 2, 7, 0, 6, 9}));
  EXPECT_NEAR(A.valuePtr()[0], 1.7947316657951717, 1e-12);
}

TEST(SyntheticTest, RandomSparseRowsHaveDistinctColumnsAndTheRequestedDensity) {
  const double requested = 0.0123;  // 12.3 per row: rows get 12 or 13
  const SparseMatrix A = random_sparse(2000, 1000, requested, 1);
  EXPECT_TRUE(A.isCompressed());
  EXPECT_NEAR(density(A), requested, 0.02 * requested);
  double sum = 0.0;
  double sum_of_squares = 0.0;
  for (Eigen::Index row = 0; row < A.rows(); ++row) {
    const Eigen::Index count = A.row(row).nonZeros();
    EXPECT_TRUE(count == 12 || count == 13) << "row " << row << ": " << count;
    Eigen::Index previous = -1;
    for (SparseMatrix::InnerIterator it(A, row); it; ++it) {
      EXPECT_GT(it.col(), previous);  // sorted, hence distinct
      previous = it.col();
      sum += it.value();
      sum_of_squares += it.value() * it.value();
    }
  }
  // Standard normal values: mean 0 and variance 1 within a few standard errors (n ~ 24600).
  const double n = static_cast<double>(A.nonZeros());
  EXPECT_NEAR(sum / n, 0.0, 0.03);
  EXPECT_NEAR(sum_of_squares / n, 1.0, 0.05);
  // At least one per row even when density * cols is far below one; density 1 is full.
  const SparseMatrix thin = random_sparse(500, 100, 1e-6, 2);
  EXPECT_EQ(thin.nonZeros(), 500);
  EXPECT_EQ(random_sparse(20, 7, 1.0, 3).nonZeros(), 140);
}

TEST(SyntheticTest, BadArgumentsAreErrors) {
  EXPECT_TRUE(Contains(error_of([] { random_sparse(10, 10, 0.0, 1); }),
                       "random_sparse: density must be in (0, 1], got 0"));
  EXPECT_TRUE(Contains(error_of([] { random_sparse(10, 10, 1.5, 1); }), "density must be in"));
  EXPECT_TRUE(
      Contains(error_of([] { random_sparse(10, 10, std::nan(""), 1); }), "density must be in"));
  EXPECT_TRUE(Contains(error_of([] { make_regression(0, 10, 0.1, 1); }),
                       "make_regression: rows and cols must be in 1.."));
  EXPECT_TRUE(Contains(error_of([] { make_counts(10, -1, 0.1, 1); }), "got 10 x -1"));
}

TEST(SyntheticTest, ClassificationLabelsFollowTheSignOfTheMargin) {
  const SyntheticProblem p = make_classification(3000, 500, 0.02, 9);
  EXPECT_EQ((p.x_true.array() != 0.0).count(), 50);  // 10% of the features
  EXPECT_EQ(p.b.size(), 3000);
  EXPECT_EQ((p.b.array() == 1.0).count() + (p.b.array() == -1.0).count(), 3000);
  EXPECT_GT((p.b.array() == 1.0).count(), 1000);
  EXPECT_GT((p.b.array() == -1.0).count(), 1000);
  // Noise 0.1 cannot flip a margin of 0.5 or more (five standard deviations).
  const Vector margins = p.A * p.x_true;
  Eigen::Index clear = 0;
  for (Eigen::Index i = 0; i < margins.size(); ++i) {
    if (std::abs(margins[i]) < 0.5) continue;
    ++clear;
    EXPECT_EQ(p.b[i], margins[i] > 0 ? 1.0 : -1.0) << "row " << i;
  }
  EXPECT_GT(clear, 500);
}

TEST(SyntheticTest, RegressionNoiseIsSmall) {
  const SyntheticProblem p = make_regression(4000, 300, 0.05, 4);
  EXPECT_EQ((p.x_true.array() != 0.0).count(), 30);
  const Vector residual = p.b - p.A * p.x_true;
  const double spread = std::sqrt(residual.squaredNorm() / static_cast<double>(residual.size()));
  EXPECT_NEAR(spread, 0.1, 0.01);
  EXPECT_NEAR(residual.mean(), 0.0, 0.01);
}

TEST(SyntheticTest, CountsAreNonNegativeIntegersWithTheModelsMean) {
  const SyntheticProblem p = make_counts(5000, 400, 0.05, 8);
  for (Eigen::Index i = 0; i < p.b.size(); ++i) {
    ASSERT_GE(p.b[i], 0.0) << "row " << i;
    ASSERT_EQ(p.b[i], std::floor(p.b[i])) << "row " << i;
  }
  const Vector rates = (p.A * p.x_true).array().exp();
  EXPECT_LT(rates.maxCoeff(), 50.0);  // moderate rates
  EXPECT_NEAR(p.b.mean() / rates.mean(), 1.0, 0.06);
  EXPECT_GT((p.b.array() > 1.0).count(), 100);  // not all zeros and ones
}

}  // namespace
}  // namespace proxjit
