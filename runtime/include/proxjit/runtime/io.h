#pragma once
// Data loaders and writers. Errors are proxjit::Error and name the file, the line (or header
// field) and what was expected.

#include <string>
#include <string_view>

#include "proxjit/runtime/dense.h"

namespace proxjit {

// File formats; `automatic` picks by extension (.npy, .csv/.txt, .mtx, .svm/.libsvm/.svmlight).
enum class DataFormat { automatic, npy, csv, matrix_market, libsvm };

// "npy", "csv", "mtx" or "matrix_market", "libsvm" or "svmlight", "auto"; throws proxjit::Error
// naming the accepted names (and the nearest one) otherwise.
DataFormat parse_data_format(std::string_view name);

// A LIBSVM/svmlight file holds both: one sample per line, "label index:value ...", 1-based
// indices in increasing order, '#' comments. Read densely (CSR follows with the sparse kernels).
struct LabeledData {
  Matrix A;  // samples x features (features: the largest index seen)
  Vector b;  // labels
};
LabeledData load_libsvm(const std::string& path);

// Matrix Market (.mtx): "matrix coordinate|array real|integer|pattern general|symmetric|
// skew-symmetric", read densely; a vector is an n x 1 or 1 x n matrix.
Matrix load_matrix_market_matrix(const std::string& path);
Vector load_matrix_market_vector(const std::string& path);

// By extension: ".npy" (NumPy, little-endian float64/float32/int32/int64, C or Fortran order)
// or ".csv"/".txt" (numbers separated by commas or whitespace, one row per line; lines starting
// with '#' and empty lines are skipped).
Matrix load_matrix(const std::string& path, DataFormat format = DataFormat::automatic);
// A 1-D .npy array (or an n x 1 / 1 x n 2-D one), or a CSV with one number per line or one row.
Vector load_vector(const std::string& path, DataFormat format = DataFormat::automatic);

Matrix load_npy_matrix(const std::string& path);
Vector load_npy_vector(const std::string& path);
Matrix load_csv_matrix(const std::string& path);
Vector load_csv_vector(const std::string& path);

// Writes by extension: ".npy" (float64, 1-D or 2-D C order) or ".csv".
void save_vector(const std::string& path, const Vector& v);
void save_matrix(const std::string& path, const Matrix& m);

}  // namespace proxjit
