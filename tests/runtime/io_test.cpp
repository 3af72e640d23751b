#include "proxjit/runtime/io.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "proxjit/runtime/error.h"

namespace proxjit {
namespace {

namespace fs = std::filesystem;

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

class IoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / "proxjit_io_test" / info->name();
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

// Raw .npy bytes with a free-form header, so that tests can produce any (also broken) file.
std::string npy_bytes(const std::string& header_dict, const std::string& data, int major = 1) {
  std::string header = header_dict;
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  while ((8 + length_bytes + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += static_cast<char>(major);
  bytes += '\0';
  for (std::size_t i = 0; i < length_bytes; ++i) {
    bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  }
  return bytes + header + data;
}

template <class T>
std::string little_endian_bytes(const std::vector<T>& values) {
  std::string bytes;
  for (const T& v : values) {
    using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
    const auto bits = std::bit_cast<Bits>(v);
    for (std::size_t i = 0; i < sizeof(T); ++i)
      bytes += static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  return bytes;
}

std::string dict(const std::string& descr, bool fortran, const std::string& shape) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}

Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1e3);
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i)
    m.data()[i] = normal(rng);
  return m;
}

// Runs `load` and returns the Error's message; fails the test when nothing is thrown.
template <class Load>
std::string error_of(Load&& load) {
  try {
    load();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a proxjit::Error";
  return {};
}

// ----------------------------------------------------------------------------- round trips

TEST_F(IoTest, NpyMatrixRoundTripIsBitExact) {
  const Matrix m = random_matrix(7, 5, 1);
  save_matrix(path("A.npy"), m);
  const Matrix loaded = load_matrix(path("A.npy"));
  ASSERT_EQ(loaded.rows(), 7);
  ASSERT_EQ(loaded.cols(), 5);
  EXPECT_EQ(loaded, m);
}

TEST_F(IoTest, NpyVectorRoundTripIsBitExact) {
  const Matrix m = random_matrix(11, 1, 2);
  const Vector v = m.col(0);
  save_vector(path("b.npy"), v);
  const Vector loaded = load_vector(path("b.npy"));
  EXPECT_EQ(loaded, v);
}

TEST_F(IoTest, SavedNpyHeaderFollowsNumPyLayout) {
  save_matrix(path("A.npy"), random_matrix(3, 4, 3));
  std::ifstream in(path("A.npy"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
  EXPECT_EQ(bytes[6], 1);
  EXPECT_EQ(bytes[7], 0);
  const std::size_t header_length =
      static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  // The data start on a 64-byte boundary and the header ends with a newline.
  EXPECT_EQ((10 + header_length) % 64, 0u);
  const std::string header = bytes.substr(10, header_length);
  EXPECT_EQ(header.back(), '\n');
  EXPECT_TRUE(Contains(header, "'descr': '<f8'"));
  EXPECT_TRUE(Contains(header, "'fortran_order': False"));
  EXPECT_TRUE(Contains(header, "'shape': (3, 4)"));
  EXPECT_EQ(bytes.size(), 10 + header_length + 12 * 8);

  save_vector(path("b.npy"), Vector::Ones(5));
  std::ifstream vin(path("b.npy"), std::ios::binary);
  const std::string vbytes((std::istreambuf_iterator<char>(vin)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(Contains(vbytes, "'shape': (5,)"));
}

TEST_F(IoTest, CsvMatrixRoundTripIsExactWith17Digits) {
  Matrix m = random_matrix(6, 3, 4);
  m(0, 0) = 0.1;
  m(1, 1) = -1e-300;
  m(2, 2) = 1.0 / 3.0;
  save_matrix(path("A.csv"), m);
  EXPECT_EQ(load_matrix(path("A.csv")), m);
  save_matrix(path("A.txt"), m);
  EXPECT_EQ(load_matrix(path("A.txt")), m);
}

TEST_F(IoTest, CsvVectorRoundTrip) {
  const Vector v = random_matrix(9, 1, 5).col(0);
  save_vector(path("b.csv"), v);
  EXPECT_EQ(load_vector(path("b.csv")), v);
}

TEST_F(IoTest, NonFiniteValuesRoundTripThroughBothFormats) {
  const double inf = std::numeric_limits<double>::infinity();
  const Vector v = (Vector(4) << -std::nan(""), std::nan(""), inf, -inf).finished();
  for (const char* name : {"b.csv", "b.npy"}) {
    save_vector(path(name), v);
    const Vector loaded = load_vector(path(name));
    ASSERT_EQ(loaded.size(), 4) << name;
    EXPECT_TRUE(std::isnan(loaded[0])) << name;
    EXPECT_TRUE(std::isnan(loaded[1])) << name;
    EXPECT_EQ(loaded[2], inf) << name;
    EXPECT_EQ(loaded[3], -inf) << name;
  }
}

TEST_F(IoTest, ExtensionIsCaseInsensitive) {
  const Matrix m = random_matrix(2, 2, 6);
  save_matrix(path("A.NPY"), m);
  EXPECT_EQ(load_matrix(path("A.NPY")), m);
}

// ----------------------------------------------------------------------------- .npy reading

TEST_F(IoTest, NpyFortranOrderIsTransposedIntoRowMajor) {
  // The 2 x 3 matrix [[1, 2, 3], [4, 5, 6]] stored column after column.
  const std::string file = write(
      "F.npy",
      npy_bytes(dict("<f8", true, "(2, 3)"), little_endian_bytes<double>({1, 4, 2, 5, 3, 6})));
  Matrix expected(2, 3);
  expected << 1, 2, 3, 4, 5, 6;
  EXPECT_EQ(load_matrix(file), expected);
}

TEST_F(IoTest, NpyCOrderTwoByThree) {
  const std::string file = write(
      "C.npy",
      npy_bytes(dict("<f8", false, "(2, 3)"), little_endian_bytes<double>({1, 2, 3, 4, 5, 6})));
  Matrix expected(2, 3);
  expected << 1, 2, 3, 4, 5, 6;
  EXPECT_EQ(load_matrix(file), expected);
}

TEST_F(IoTest, NpyFloat32IsWidenedExactly) {
  const std::vector<float> values = {0.1f, -2.5f, 3e-20f, 1e30f};
  const std::string file =
      write("f.npy", npy_bytes(dict("<f4", false, "(4,)"), little_endian_bytes(values)));
  const Vector v = load_vector(file);
  ASSERT_EQ(v.size(), 4);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(v[i], static_cast<double>(values[i])) << i;
}

TEST_F(IoTest, NpyInt64AndInt32) {
  const std::vector<std::int64_t> wide = {-3, 0, 7, std::int64_t{1} << 40};
  const std::string f64 =
      write("i8.npy", npy_bytes(dict("<i8", false, "(2, 2)"), little_endian_bytes(wide)));
  Matrix expected(2, 2);
  expected << -3, 0, 7, 1099511627776.0;
  EXPECT_EQ(load_matrix(f64), expected);

  const std::vector<std::int32_t> narrow = {-2147483647 - 1, 5, 2147483647};
  const std::string f32 =
      write("i4.npy", npy_bytes(dict("<i4", false, "(3,)"), little_endian_bytes(narrow)));
  const Vector v = load_vector(f32);
  ASSERT_EQ(v.size(), 3);
  EXPECT_EQ(v[0], -2147483648.0);
  EXPECT_EQ(v[1], 5.0);
  EXPECT_EQ(v[2], 2147483647.0);
}

TEST_F(IoTest, NpyVersions2And3HaveFourByteHeaderLength) {
  for (int major : {2, 3}) {
    const std::string file =
        write("v" + std::to_string(major) + ".npy",
              npy_bytes(dict("<f8", false, "(2,)"), little_endian_bytes<double>({1.5, -2}), major));
    const Vector v = load_vector(file);
    ASSERT_EQ(v.size(), 2) << major;
    EXPECT_EQ(v[0], 1.5);
    EXPECT_EQ(v[1], -2.0);
  }
}

TEST_F(IoTest, NpyHeaderKeysInAnyOrderAndDoubleQuotes) {
  const std::string file =
      write("o.npy", npy_bytes("{\"shape\": (1, 2), \"fortran_order\": False, \"descr\": \"<f8\"}",
                               little_endian_bytes<double>({3, 4})));
  const Matrix m = load_matrix(file);
  ASSERT_EQ(m.rows(), 1);
  ASSERT_EQ(m.cols(), 2);
  EXPECT_EQ(m(0, 1), 4.0);
}

TEST_F(IoTest, NpyVectorAcceptsColumnAndRowMatrices) {
  const std::string column = write(
      "col.npy", npy_bytes(dict("<f8", false, "(3, 1)"), little_endian_bytes<double>({1, 2, 3})));
  const std::string row = write(
      "row.npy", npy_bytes(dict("<f8", false, "(1, 3)"), little_endian_bytes<double>({1, 2, 3})));
  const Vector expected = Vector::LinSpaced(3, 1, 3);
  EXPECT_EQ(load_vector(column), expected);
  EXPECT_EQ(load_vector(row), expected);
}

TEST_F(IoTest, NpyNanAndInfinityLoad) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::string file =
      write("n.npy", npy_bytes(dict("<f8", false, "(3,)"),
                               little_endian_bytes<double>({std::nan(""), inf, -inf})));
  const Vector v = load_vector(file);
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], inf);
  EXPECT_EQ(v[2], -inf);
}

TEST_F(IoTest, NpyEmptyVectorLoads) {
  const std::string file = write("e.npy", npy_bytes(dict("<f8", false, "(0,)"), ""));
  EXPECT_EQ(load_vector(file).size(), 0);
}

// ----------------------------------------------------------------------------- .npy errors

TEST_F(IoTest, NpyUnsupportedDtypeNamesFileAndExpectation) {
  const std::string file =
      write("A.npy", npy_bytes(dict("<c16", false, "(1,)"), std::string(16, '\0')));
  const std::string message = error_of([&] { load_vector(file); });
  EXPECT_TRUE(Contains(message, file));
  EXPECT_TRUE(Contains(message, "unsupported dtype '<c16'"));
  EXPECT_TRUE(Contains(message, "float64, float32, int32 or int64, little-endian"));
}

TEST_F(IoTest, NpyBigEndianIsRejectedWithHint) {
  const std::string file =
      write("A.npy", npy_bytes(dict(">f8", false, "(1,)"), std::string(8, '\0')));
  const std::string message = error_of([&] { load_vector(file); });
  EXPECT_TRUE(Contains(message, "'>f8'"));
  EXPECT_TRUE(Contains(message, "big-endian"));
}

TEST_F(IoTest, NpyTruncatedDataCountsValues) {
  const std::vector<double> values(1200, 1.0);
  const std::string file =
      write("A.npy", npy_bytes(dict("<f8", false, "(50, 50)"), little_endian_bytes(values)));
  const std::string message = error_of([&] { load_matrix(file); });
  EXPECT_TRUE(Contains(message, file));
  EXPECT_TRUE(Contains(message, "file is truncated: header promises 2500 values, found 1200"));
}

TEST_F(IoTest, NpyTruncatedHeader) {
  const std::string full =
      npy_bytes(dict("<f8", false, "(2,)"), little_endian_bytes<double>({1, 2}));
  const std::string file = write("A.npy", full.substr(0, 30));
  const std::string message = error_of([&] { load_vector(file); });
  EXPECT_TRUE(Contains(message, file));
  EXPECT_TRUE(Contains(message, "truncated"));
}

TEST_F(IoTest, NpyExtraTrailingBytesAreReported) {
  const std::string file =
      write("A.npy", npy_bytes(dict("<f8", false, "(2,)"), little_endian_bytes<double>({1, 2, 3})));
  const std::string message = error_of([&] { load_vector(file); });
  EXPECT_TRUE(Contains(message, file));
  EXPECT_TRUE(Contains(message, "8 extra bytes"));
}

TEST_F(IoTest, NpyBadMagic) {
  const std::string file = write("A.npy", "1,2,3\n4,5,6\n");
  const std::string message = error_of([&] { load_matrix(file); });
  EXPECT_TRUE(Contains(message, file));
  EXPECT_TRUE(Contains(message, "not a NumPy .npy file"));
}

TEST_F(IoTest, NpyUnsupportedVersion) {
  std::string bytes = npy_bytes(dict("<f8", false, "(1,)"), little_endian_bytes<double>({1}));
  bytes[6] = 4;
  const std::string file = write("A.npy", bytes);
  const std::string message = error_of([&] { load_vector(file); });
  EXPECT_TRUE(Contains(message, "version 4.0"));
  EXPECT_TRUE(Contains(message, "expected 1.0, 2.0 or 3.0"));
}

TEST_F(IoTest, NpyThreeDimensionsRejected) {
  const std::string file = write(
      "A.npy", npy_bytes(dict("<f8", false, "(1, 1, 2)"), little_endian_bytes<double>({1, 2})));
  const std::string message = error_of([&] { load_matrix(file); });
  EXPECT_TRUE(Contains(message, file));
  EXPECT_TRUE(Contains(message, "expected a 1-D or 2-D array"));
  EXPECT_TRUE(Contains(message, "(1, 1, 2)"));
}

TEST_F(IoTest, NpyMatrixFromOneDimensionalArrayRejected) {
  const std::string file =
      write("A.npy", npy_bytes(dict("<f8", false, "(2,)"), little_endian_bytes<double>({1, 2})));
  const std::string message = error_of([&] { load_matrix(file); });
  EXPECT_TRUE(Contains(message, "expected a 2-D array"));
  EXPECT_TRUE(Contains(message, "(2,)"));
}

TEST_F(IoTest, NpyVectorFromProperMatrixRejected) {
  const std::string file = write(
      "b.npy", npy_bytes(dict("<f8", false, "(2, 2)"), little_endian_bytes<double>({1, 2, 3, 4})));
  const std::string message = error_of([&] { load_vector(file); });
  EXPECT_TRUE(Contains(message, file));
  EXPECT_TRUE(Contains(message, "expected a vector"));
  EXPECT_TRUE(Contains(message, "(2, 2)"));
}

TEST_F(IoTest, NpyMissingHeaderFieldAndMalformedHeader) {
  const std::string missing = write(
      "m.npy", npy_bytes("{'descr': '<f8', 'shape': (1,), }", little_endian_bytes<double>({1})));
  EXPECT_TRUE(Contains(error_of([&] { load_vector(missing); }), "'fortran_order'"));

  const std::string broken =
      write("x.npy", npy_bytes("{'descr': '<f8' 'shape': (1,)}", little_endian_bytes<double>({1})));
  const std::string message = error_of([&] { load_vector(broken); });
  EXPECT_TRUE(Contains(message, broken));
  EXPECT_TRUE(Contains(message, "malformed .npy header"));
}

TEST_F(IoTest, NpyStructuredDtypeRejected) {
  const std::string file =
      write("s.npy", npy_bytes("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }",
                               little_endian_bytes<double>({1})));
  EXPECT_TRUE(Contains(error_of([&] { load_vector(file); }), "structured arrays"));
}

// ----------------------------------------------------------------------------- text reading

TEST_F(IoTest, CsvCommentsBlankLinesCrlfAndWhitespace) {
  const std::string file = write("A.csv",
                                 "# exported by hand\r\n"
                                 "\r\n"
                                 "1, 2 ,3\r\n"
                                 "   # indented comment\n"
                                 "4\t5   6  \n"
                                 "\n"
                                 "+7,-8e-1,9 # trailing comment\n");
  Matrix expected(3, 3);
  expected << 1, 2, 3, 4, 5, 6, 7, -0.8, 9;
  EXPECT_EQ(load_matrix(file), expected);
}

TEST_F(IoTest, CsvVectorOnePerLineOrOneRow) {
  const std::string column = write("b.csv", "1\n2\n3\n");
  const std::string row = write("c.csv", "1,2,3\n");
  const std::string spaced = write("d.txt", "1 2 3");  // no final newline
  const Vector expected = Vector::LinSpaced(3, 1, 3);
  EXPECT_EQ(load_vector(column), expected);
  EXPECT_EQ(load_vector(row), expected);
  EXPECT_EQ(load_vector(spaced), expected);
}

TEST_F(IoTest, CsvNanAndInfinityLoad) {
  const std::string file = write("b.csv", "nan\ninf\n-inf\n");
  const Vector v = load_vector(file);
  ASSERT_EQ(v.size(), 3);
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], std::numeric_limits<double>::infinity());
  EXPECT_EQ(v[2], -std::numeric_limits<double>::infinity());
}

TEST_F(IoTest, CsvBadNumberNamesLineAndColumn) {
  const std::string file = write("b.csv", "1,2\n3,4\n5,abc\n");
  const std::string message = error_of([&] { load_matrix(file); });
  EXPECT_TRUE(Contains(message, file + ", line 3, column 2: expected a number, got \"abc\""));
}

TEST_F(IoTest, CsvLineNumbersCountCommentsAndBlankLines) {
  const std::string file = write("b.csv", "# c\n\n1\n2x\n");
  EXPECT_TRUE(Contains(error_of([&] { load_vector(file); }),
                       "line 4, column 1: expected a number, got \"2x\""));
}

TEST_F(IoTest, CsvRaggedRowsNameBothLines) {
  const std::string file = write("A.csv", "1,2,3,4\n5,6,7,8\n9,10,11,12\n1,2,3\n");
  const std::string message = error_of([&] { load_matrix(file); });
  EXPECT_TRUE(Contains(message, file + ", line 4: has 3 values, but line 1 has 4"));
}

TEST_F(IoTest, CsvHeaderLineGetsHint) {
  const std::string file = write("A.csv", "x,y,z\n1,2,3\n");
  const std::string message = error_of([&] { load_matrix(file); });
  EXPECT_TRUE(Contains(message, file));
  EXPECT_TRUE(Contains(message, "line 1"));
  EXPECT_TRUE(Contains(message, file + ", line 1: expected numbers, got \"x,y,z\""));
  EXPECT_TRUE(Contains(message, "remove the header line"));
  // A header after comment lines is still the first data line, reported with its number.
  const std::string later = write("B.csv", "# exported\n\"a\" \"b\"\r\n1 2\n");
  const std::string later_message = error_of([&] { load_matrix(later); });
  EXPECT_TRUE(Contains(later_message, later + ", line 2: expected numbers"));
  EXPECT_TRUE(Contains(later_message, "remove the header line"));
  // A word further down is a bad value, not a header.
  const std::string body = write("C.csv", "1,2\nx,y\n");
  const std::string body_message = error_of([&] { load_matrix(body); });
  EXPECT_TRUE(Contains(body_message, body + ", line 2, column 1: expected a number, got \"x\""));
  EXPECT_FALSE(Contains(body_message, "header"));
}

TEST_F(IoTest, CsvEmptyFieldIsAnError) {
  const std::string file = write("A.csv", "1,,3\n");
  const std::string message = error_of([&] { load_matrix(file); });
  EXPECT_TRUE(Contains(message, "line 1, column 2"));
  EXPECT_TRUE(Contains(message, "empty value"));
}

TEST_F(IoTest, CsvOutOfRangeNumberIsAnError) {
  const std::string file = write("A.csv", "1e999\n");
  EXPECT_TRUE(
      Contains(error_of([&] { load_vector(file); }),
               "line 1, column 1: expected a number, got \"1e999\" (out of the float64 range)"));
}

TEST_F(IoTest, CsvSemicolonsGetSeparatorHint) {
  const std::string file = write("A.csv", "1;2\n");
  EXPECT_TRUE(Contains(error_of([&] { load_matrix(file); }), "commas or whitespace"));
}

TEST_F(IoTest, CsvVectorFromMatrixRejected) {
  const std::string file = write("b.csv", "1,2\n3,4\n");
  const std::string message = error_of([&] { load_vector(file); });
  EXPECT_TRUE(Contains(message, file));
  EXPECT_TRUE(Contains(message, "expected a vector"));
  EXPECT_TRUE(Contains(message, "2 rows of 2 values"));
}

TEST_F(IoTest, EmptyFilesAreReported) {
  const std::string csv = write("b.csv", "");
  const std::string npy = write("A.npy", "");
  EXPECT_TRUE(Contains(error_of([&] { load_vector(csv); }), csv + ": file is empty"));
  EXPECT_TRUE(Contains(error_of([&] { load_matrix(npy); }), npy + ": file is empty"));
  const std::string only_comments = write("c.csv", "# nothing\n\n");
  EXPECT_TRUE(Contains(error_of([&] { load_matrix(only_comments); }), "contains no numbers"));
}

TEST_F(IoTest, MissingFileCannotOpen) {
  const std::string missing = path("does_not_exist.npy");
  const std::string message = error_of([&] { load_matrix(missing); });
  EXPECT_TRUE(Contains(message, missing));
  EXPECT_TRUE(Contains(message, "cannot open"));
  EXPECT_TRUE(Contains(error_of([&] { load_vector(path("nope.csv")); }), "cannot open"));
}

TEST_F(IoTest, UnknownExtensionListsSupportedOnes) {
  const std::string file = write("A.mat", "1");
  const std::string message = error_of([&] { load_matrix(file); });
  EXPECT_TRUE(Contains(message, file));
  EXPECT_TRUE(Contains(message, "'.mat'"));
  EXPECT_TRUE(Contains(message, ".npy, .csv, .txt"));
  EXPECT_TRUE(Contains(error_of([&] { save_vector(path("x.json"), Vector::Ones(2)); }),
                       ".npy, .csv, .txt"));
  EXPECT_TRUE(Contains(error_of([&] { load_vector(write("noext", "1")); }), ".npy, .csv, .txt"));
}

TEST_F(IoTest, WritingIntoMissingDirectoryFails) {
  const std::string target = path("missing_dir/out.npy");
  const std::string message = error_of([&] { save_vector(target, Vector::Ones(2)); });
  EXPECT_TRUE(Contains(message, target));
  EXPECT_TRUE(Contains(message, "cannot open for writing"));
}

// ----------------------------------------------------------------------------- data format

TEST(DataFormatTest, ParsesEveryAcceptedName) {
  EXPECT_EQ(parse_data_format("auto"), DataFormat::automatic);
  EXPECT_EQ(parse_data_format("npy"), DataFormat::npy);
  EXPECT_EQ(parse_data_format("csv"), DataFormat::csv);
  EXPECT_EQ(parse_data_format("mtx"), DataFormat::matrix_market);
  EXPECT_EQ(parse_data_format("matrix_market"), DataFormat::matrix_market);
  EXPECT_EQ(parse_data_format("libsvm"), DataFormat::libsvm);
  EXPECT_EQ(parse_data_format("svmlight"), DataFormat::libsvm);
  EXPECT_EQ(parse_data_format("LibSVM"), DataFormat::libsvm);
}

TEST(DataFormatTest, UnknownNameListsAcceptedOnesAndTheNearest) {
  const std::string message = error_of([] { parse_data_format("mxt"); });
  EXPECT_TRUE(Contains(message, "unknown data format 'mxt'"));
  EXPECT_TRUE(Contains(message, "did you mean 'mtx'?"));
  EXPECT_TRUE(Contains(message, "auto, npy, csv, mtx, matrix_market, libsvm, svmlight"));
  EXPECT_FALSE(Contains(error_of([] { parse_data_format("hdf5-table"); }), "did you mean"));
}

// ----------------------------------------------------------------------------- LIBSVM

// A file under tests/data: ctest sets PROXJIT_TEST_DATA; run by hand, next to this source.
std::string data_file(const std::string& name) {
  const char* dir = std::getenv("PROXJIT_TEST_DATA");
  const fs::path base =
      dir ? fs::path(dir) : fs::path(__FILE__).parent_path().parent_path() / "data";
  return (base / name).string();
}

TEST_F(IoTest, LibsvmTinyFileReadsDensely) {
  const LabeledData data = load_libsvm(data_file("tiny.svm"));
  Matrix A(4, 3);
  A << 0.5, 0, -1.25,  //
      0, 2, 0,         //
      1, -1, 0.3,      //
      0, 0, 0;
  Vector b(4);
  b << 1, -1, 0.75, -2.5;
  EXPECT_EQ(data.A, A);
  EXPECT_EQ(data.b, b);
}

TEST_F(IoTest, LibsvmCrlfTabsAndBlankLines) {
  const LabeledData data =
      load_libsvm(write("d.svm", "\xEF\xBB\xBF-3\t2:7\r\n\r\n   \r\n1e2 1:-1 qid:9 4:0.25\r\n"));
  ASSERT_EQ(data.A.rows(), 2);
  ASSERT_EQ(data.A.cols(), 4);
  EXPECT_EQ(data.b, Eigen::Vector2d(-3, 100));
  EXPECT_EQ(data.A(0, 1), 7);
  EXPECT_EQ(data.A(1, 0), -1);
  EXPECT_EQ(data.A(1, 3), 0.25);
  EXPECT_EQ(data.A.row(0).cwiseAbs().sum(), 7);
}

TEST_F(IoTest, LibsvmHeartScaleFromLiblinearTools) {
  // Debian's liblinear-tools ships LIBSVM's classic example (scripts/install-deps.sh installs it).
  const std::vector<std::string> candidates = {
      "/usr/share/doc/liblinear-tools/examples/heart_scale",
      "/usr/share/doc/liblinear-tools/examples/heart_scale.gz",
      "/usr/share/doc/libsvm-tools/examples/heart_scale",
      "/usr/share/doc/libsvm-tools/examples/heart_scale.gz",
  };
  std::string file;
  for (const std::string& candidate : candidates) {
    if (!fs::exists(candidate)) continue;
    if (candidate.ends_with(".gz")) {
      const std::string target = path("heart_scale");
      const std::string command = "gzip -dc '" + candidate + "' > '" + target + "'";
      if (std::system(command.c_str()) != 0) continue;
      file = target;
    } else {
      file = candidate;
    }
    break;
  }
  if (file.empty()) {
    GTEST_SKIP() << "heart_scale not found (apt-get install liblinear-tools; looked in "
                 << candidates.front() << " and similar)";
  }
  const LabeledData data = load_libsvm(file);
  ASSERT_EQ(data.A.rows(), 270);
  ASSERT_EQ(data.A.cols(), 13);
  ASSERT_EQ(data.b.size(), 270);
  EXPECT_EQ((data.b.array() == 1.0).count(), 120);
  EXPECT_EQ((data.b.array() == -1.0).count(), 150);
  // The features are scaled to [-1, 1].
  EXPECT_LE(data.A.cwiseAbs().maxCoeff(), 1.0);
  // Line 1: "+1 1:0.708333 2:1 3:1 4:-0.320755 ... 10:-0.225806 12:1 13:-1" (no feature 11).
  EXPECT_EQ(data.A(0, 0), 0.708333);
  EXPECT_EQ(data.A(0, 3), -0.320755);
  EXPECT_EQ(data.A(0, 10), 0.0);
  EXPECT_EQ(data.A(0, 12), -1.0);
  // Line 3 has feature 11.
  EXPECT_EQ(data.b[2], 1.0);
  EXPECT_EQ(data.A(2, 7), 0.0687023);
  EXPECT_EQ(data.A(2, 10), -1.0);
}

TEST_F(IoTest, LibsvmErrorsNameFileLineAndToken) {
  const std::string file = write("train.svm", "+1 1:0.5\n# comment\n-1 2:1 7-0.5\n");
  EXPECT_EQ(error_of([&] { load_libsvm(file); }),
            file + ", line 3: expected index:value, got \"7-0.5\"");
  EXPECT_EQ(error_of([&] {
              load_libsvm_sparse(write("t.svm", "1 1:1\n1 0:2\n"),
                                 LibsvmOptions{.index_base = IndexBase::one});
            }),
            path("t.svm") +
                ", line 2: index 0 in \"0:2\" (indices start at 1 here; read zero-based files "
                "with --zero-based)");
  EXPECT_EQ(error_of([&] { load_libsvm(write("t.svm", "1 7:1 5:2\n")); }),
            path("t.svm") + ", line 1: indices must increase (5 after 7)");
  EXPECT_EQ(error_of([&] { load_libsvm(write("t.svm", "1 3:1 3:2\n")); }),
            path("t.svm") + ", line 1: indices must increase (3 after 3)");
  EXPECT_TRUE(Contains(error_of([&] { load_libsvm(write("t.svm", "1 -2:1\n")); }),
                       "line 1: expected index:value, got \"-2:1\" (the index must be a whole "
                       "number >= 0)"));
  EXPECT_TRUE(Contains(error_of([&] { load_libsvm(write("t.svm", "1 x:1\n")); }),
                       "expected index:value, got \"x:1\" (the index must be"));
  EXPECT_TRUE(Contains(error_of([&] { load_libsvm(write("t.svm", "1 2:abc\n")); }),
                       "line 1: expected index:value, got \"2:abc\" (the value is not a number)"));
  EXPECT_TRUE(Contains(error_of([&] { load_libsvm(write("t.svm", "1 2:\n")); }),
                       "got \"2:\" (the value is not a number)"));
  EXPECT_TRUE(Contains(error_of([&] { load_libsvm(write("t.svm", "\n\nyes 1:1\n")); }),
                       "line 3: expected a label (a number) first, got \"yes\""));
  EXPECT_TRUE(Contains(error_of([&] { load_libsvm(write("t.svm", "1:0.5 2:1\n")); }),
                       "got \"1:0.5\" (the label is missing)"));
  EXPECT_TRUE(Contains(error_of([&] { load_libsvm(write("e.svm", "")); }), "file is empty"));
  EXPECT_TRUE(Contains(error_of([&] { load_libsvm(write("c.svm", "# only\n\n")); }),
                       "contains no samples"));
  EXPECT_TRUE(Contains(error_of([&] { load_libsvm(path("missing.svm")); }), "cannot open"));
  EXPECT_TRUE(Contains(error_of([&] { load_libsvm(write("big.svm", "1 4000000000:1\n")); }),
                       "too large to read densely"));
}

// scikit-learn's dump_svmlight_file writes zero-based indices by default; its loader's
// zero_based="auto" reads a file with an index 0 as zero-based, and so does proxjit.
TEST_F(IoTest, LibsvmZeroBasedIndicesAreDetectedOrSet) {
  const std::string zero_based = write("zero.svm", "1 0:2 3:4\n-1 1:5\n");
  const LabeledSparseData automatic = load_libsvm_sparse(zero_based);
  ASSERT_EQ(automatic.A.cols(), 4);
  EXPECT_EQ(automatic.A.coeff(0, 0), 2.0);
  EXPECT_EQ(automatic.A.coeff(0, 3), 4.0);
  EXPECT_EQ(automatic.A.coeff(1, 1), 5.0);
  // Without an index 0 the file is one-based, unless told otherwise.
  const std::string ambiguous = write("ambiguous.svm", "1 1:2 3:4\n");
  EXPECT_EQ(load_libsvm_sparse(ambiguous).A.cols(), 3);
  EXPECT_EQ(load_libsvm_sparse(ambiguous).A.coeff(0, 0), 2.0);
  const LabeledSparseData zero =
      load_libsvm_sparse(ambiguous, LibsvmOptions{.index_base = IndexBase::zero});
  ASSERT_EQ(zero.A.cols(), 4);
  EXPECT_EQ(zero.A.coeff(0, 1), 2.0);
  EXPECT_EQ(zero.A.coeff(0, 3), 4.0);
  // The dense reading agrees.
  EXPECT_EQ(load_libsvm(zero_based).A, to_dense(automatic.A));
}

TEST_F(IoTest, LibsvmTestFileIsReadAtTheTrainingWidth) {
  const std::string narrow = write("narrow.svm", "1 1:2\n-1 2:3\n");
  const LabeledSparseData padded = load_libsvm_sparse(narrow, LibsvmOptions{.features = 5});
  EXPECT_EQ(padded.A.cols(), 5);
  EXPECT_EQ(padded.A.coeff(1, 1), 3.0);
  const std::string wide = write("wide.svm", "1 1:2\n-1 2:3 7:1\n1 3:1\n");
  EXPECT_EQ(error_of([&] { load_libsvm_sparse(wide, LibsvmOptions{.features = 5}); }),
            wide +
                ", line 2: feature index 7 is beyond the 5 features expected (indices from 1 to "
                "5); the model never saw it: pass --ignore-extra-features to drop such features");
  const LabeledSparseData dropped = load_libsvm_sparse(
      wide, LibsvmOptions{.features = 5, .ignore_extra_features = true});
  ASSERT_EQ(dropped.A.cols(), 5);
  EXPECT_EQ(dropped.A.nonZeros(), 3);
  EXPECT_EQ(dropped.A.coeff(1, 1), 3.0);
  EXPECT_EQ(dropped.A.coeff(2, 2), 1.0);
}

TEST_F(IoTest, LibsvmIsNotAMatrixOrAVectorAlone) {
  const std::string file = write("d.svm", "1 1:1\n");
  const std::string message = error_of([&] { load_matrix(file); });
  EXPECT_TRUE(Contains(message, file));
  EXPECT_TRUE(Contains(message, "holds A and b together"));
  EXPECT_TRUE(Contains(message, "--data"));
  EXPECT_TRUE(Contains(error_of([&] { load_matrix(write("d.libsvm", "1 1:1\n")); }), "--data"));
  EXPECT_TRUE(Contains(error_of([&] { load_matrix(write("d.SVMLIGHT", "1 1:1\n")); }), "--data"));
  EXPECT_TRUE(Contains(error_of([&] { load_matrix(write("d.csv", "1\n"), DataFormat::libsvm); }),
                       "--data"));
  EXPECT_TRUE(Contains(error_of([&] { load_vector(file); }), "--data"));
}

// ----------------------------------------------------------------------------- Matrix Market

TEST_F(IoTest, MatrixMarketTinySymmetricCoordinate) {
  Matrix expected(3, 3);
  expected << 4, 1, 0,  //
      1, 3, -0.5,       //
      0, -0.5, 2;
  EXPECT_EQ(load_matrix_market_matrix(data_file("tiny.mtx")), expected);
  EXPECT_EQ(load_matrix(data_file("tiny.mtx")), expected);
}

TEST_F(IoTest, MatrixMarketArrayVector) {
  const Vector b = load_vector(data_file("vector.mtx"));
  EXPECT_EQ(b, Eigen::Vector3d(1, -2, 0.5));
  EXPECT_EQ(load_matrix_market_vector(data_file("vector.mtx")), b);
  // A 1 x n matrix is a vector too.
  EXPECT_EQ(load_vector(write("row.mtx",
                              "%%MatrixMarket matrix coordinate real general\n1 3 2\n1 3 5\n"
                              "1 1 -1\n")),
            Eigen::Vector3d(-1, 0, 5));
}

TEST_F(IoTest, MatrixMarketGeneralCoordinateIntegerAndPattern) {
  Matrix general = load_matrix(write("g.mtx",
                                     "%%MatrixMarket matrix coordinate integer general\n"
                                     "%comment\n\n2 3 3\n1 3 7\n2 1 -2\n\n1 3 1\n"));
  Matrix expected(2, 3);
  expected << 0, 0, 8,  // duplicates add up
      -2, 0, 0;
  EXPECT_EQ(general, expected);
  const Matrix pattern = load_matrix(
      write("p.mtx", "%%MatrixMarket matrix coordinate pattern general\n2 2 2\n1 2\n2 1\n"));
  EXPECT_EQ(pattern, (Matrix(2, 2) << 0, 1, 1, 0).finished());
}

TEST_F(IoTest, MatrixMarketArrayIsColumnMajorAndSymmetricKindsMirror) {
  EXPECT_EQ(load_matrix(write("a.mtx",
                              "%%MatrixMarket matrix array real general\n2 3\n"
                              "1\n2\n3\n4\n5\n6\n")),
            (Matrix(2, 3) << 1, 3, 5, 2, 4, 6).finished());
  // Symmetric array: the lower triangle, column after column (several values on a line).
  EXPECT_EQ(load_matrix(write("s.mtx",
                              "%%MatrixMarket matrix array real symmetric\n3 3\n"
                              "1 2 3\n4 5\n6\n")),
            (Matrix(3, 3) << 1, 2, 3, 2, 4, 5, 3, 5, 6).finished());
  EXPECT_EQ(load_matrix(write("k.mtx",
                              "%%MatrixMarket matrix array real skew-symmetric\n3 3\n"
                              "1\n2\n3\n")),
            (Matrix(3, 3) << 0, -1, -2, 1, 0, -3, 2, 3, 0).finished());
  EXPECT_EQ(load_matrix(write("kc.mtx",
                              "%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n"
                              "2 1 4\n")),
            (Matrix(2, 2) << 0, -4, 4, 0).finished());
  // Banner words are case-insensitive; CRLF line ends are fine.
  EXPECT_EQ(load_matrix(write("u.mtx", "%%MatrixMarket MATRIX Array Real General\r\n1 1\r\n9\r\n")),
            Matrix::Constant(1, 1, 9));
}

TEST_F(IoTest, MatrixMarketExplicitFormatOverridesExtension) {
  const std::string file = write("A.dat", "%%MatrixMarket matrix array real general\n1 2\n1\n2\n");
  EXPECT_EQ(load_matrix(file, DataFormat::matrix_market), (Matrix(1, 2) << 1, 2).finished());
  EXPECT_EQ(load_vector(file, parse_data_format("mtx")), Eigen::Vector2d(1, 2));
  EXPECT_EQ(load_matrix(write("B.dat", "1,2\n3,4\n"), DataFormat::csv),
            (Matrix(2, 2) << 1, 2, 3, 4).finished());
  save_vector(path("v.npy"), Eigen::Vector2d(5, 6));
  fs::rename(path("v.npy"), path("v.bin"));
  EXPECT_EQ(load_vector(path("v.bin"), DataFormat::npy), Eigen::Vector2d(5, 6));
  // A wrong explicit format reads the file as that format and says what it expected.
  EXPECT_TRUE(Contains(error_of([&] { load_matrix(path("v.bin"), DataFormat::matrix_market); }),
                       "bad Matrix Market banner"));
}

TEST_F(IoTest, MatrixMarketBannerErrors) {
  const auto message = [&](const std::string& text) {
    return error_of([&] { load_matrix(write("m.mtx", text)); });
  };
  const std::string first = message("3 3 1\n1 1 1\n");
  EXPECT_TRUE(Contains(first, path("m.mtx") + ", line 1: bad Matrix Market banner \"3 3 1\""));
  EXPECT_TRUE(Contains(first, "it must start with %%MatrixMarket"));
  EXPECT_TRUE(Contains(first, "coordinate|array real|integer|pattern general|symmetric"));
  EXPECT_TRUE(Contains(message("%%MatrixMarket matrix coordinate real\n"),
                       "expected 4 words after %%MatrixMarket"));
  EXPECT_TRUE(Contains(message("%%MatrixMarket tensor coordinate real general\n"),
                       "unsupported object 'tensor'"));
  EXPECT_TRUE(Contains(message("%%MatrixMarket matrix sparse real general\n"),
                       "unsupported format 'sparse'"));
  EXPECT_TRUE(Contains(message("%%MatrixMarket matrix array float general\n"),
                       "unsupported field 'float'"));
  EXPECT_TRUE(Contains(message("%%MatrixMarket matrix array real upper\n"),
                       "unsupported symmetry 'upper'"));
  EXPECT_TRUE(
      Contains(message("%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n"),
               "line 1: complex Matrix Market matrices are not supported"));
  EXPECT_TRUE(Contains(message("%%MatrixMarket matrix coordinate real hermitian\n"),
                       "hermitian Matrix Market matrices are not supported"));
  EXPECT_TRUE(Contains(message("%%MatrixMarket matrix array pattern general\n"),
                       "a pattern matrix must be in coordinate format"));
  EXPECT_TRUE(Contains(message(""), "file is empty"));
}

TEST_F(IoTest, MatrixMarketSizeAndEntryErrors) {
  const auto message = [&](const std::string& text) {
    return error_of([&] { load_matrix(write("m.mtx", text)); });
  };
  const std::string coordinate = "%%MatrixMarket matrix coordinate real general\n";
  EXPECT_TRUE(Contains(message(coordinate + "% only comments\n"), "has no size line"));
  EXPECT_TRUE(Contains(message(coordinate + "%c\n3 3\n"),
                       "line 3: expected the size line \"rows columns entries\", got \"3 3\""));
  EXPECT_TRUE(Contains(message("%%MatrixMarket matrix array real general\n2 x\n"),
                       "line 2: expected the size line \"rows columns\", got \"2 x\""));
  EXPECT_TRUE(Contains(message("%%MatrixMarket matrix coordinate real symmetric\n2 3 0\n"),
                       "line 2: a symmetric matrix must be square, got 2 x 3"));
  // Entry count mismatch, both ways.
  EXPECT_EQ(message(coordinate + "2 2 3\n1 1 1\n2 2 1\n"),
            path("m.mtx") + ": the size line (line 2) promises 3 entries, found 2");
  EXPECT_EQ(
      message(coordinate + "2 2 1\n1 1 1\n2 2 1\n"),
      path("m.mtx") + ", line 4: more entries than the size line (line 2) promises 1 entries");
  EXPECT_TRUE(Contains(message("%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n"),
                       "the size line (line 2) promises 4 values, found 3"));
  EXPECT_TRUE(Contains(message("%%MatrixMarket matrix array real general\n1 1\n1\n2\n"),
                       "line 4: more values than the size line (line 2) promises 1 values"));
  // Indices out of range.
  EXPECT_EQ(message(coordinate + "2 3 1\n3 1 1\n"),
            path("m.mtx") + ", line 3: row index 3 out of range (1..2)");
  EXPECT_EQ(message(coordinate + "2 3 1\n1 4 1\n"),
            path("m.mtx") + ", line 3: column index 4 out of range (1..3)");
  EXPECT_TRUE(Contains(message(coordinate + "2 3 1\n0 1 1\n"), "row index 0 out of range"));
  // Malformed entries.
  EXPECT_TRUE(Contains(message(coordinate + "2 2 1\n1 1\n"),
                       "line 3: expected an entry \"row column value\", got \"1 1\""));
  EXPECT_TRUE(Contains(message(coordinate + "2 2 1\n1.5 1 2\n"), "with integer indices"));
  EXPECT_TRUE(
      Contains(message(coordinate + "2 2 1\n1 1 abc\n"), "line 3: expected a number, got \"abc\""));
  EXPECT_TRUE(Contains(message("%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n"
                               "1 1 1\n"),
                       "a skew-symmetric matrix has no diagonal entries"));
  EXPECT_TRUE(Contains(message(coordinate + "100000 100000 0\n"), "too large to read densely"));
}

TEST_F(IoTest, MatrixMarketVectorFromMatrixRejected) {
  EXPECT_TRUE(Contains(error_of([&] { load_vector(data_file("tiny.mtx")); }),
                       "expected a vector (an n x 1 or 1 x n matrix), got 3 x 3"));
}

TEST_F(IoTest, UnknownExtensionListsMatrixMarketAndLibsvm) {
  const std::string message = error_of([&] { load_matrix(write("A.mat", "1")); });
  EXPECT_TRUE(Contains(message, ".mtx"));
  EXPECT_TRUE(Contains(message, ".svm"));
  // Writing Matrix Market is not supported; the writers say what is.
  EXPECT_TRUE(Contains(error_of([&] { save_vector(path("x.mtx"), Vector::Ones(2)); }),
                       "unsupported file extension '.mtx' (supported: .npy, .csv, .txt)"));
}

}  // namespace
}  // namespace proxjit
