#pragma once
// Data loaders and writers. Errors are proxjit::Error and name the file, the line (or header
// field) and what was expected.

#include <string>
#include <string_view>

#include "proxjit/runtime/dense.h"
#include "proxjit/runtime/sparse.h"

namespace proxjit {

// File formats; `automatic` picks by extension (.npy, .csv/.txt, .mtx, .svm/.libsvm/.svmlight).
enum class DataFormat { automatic, npy, csv, matrix_market, libsvm };

// "npy", "csv", "mtx" or "matrix_market", "libsvm" or "svmlight", "auto"; throws proxjit::Error
// naming the accepted names (and the nearest one) otherwise.
DataFormat parse_data_format(std::string_view name);

// A LIBSVM/svmlight file holds both: one sample per line, "label index:value ...", indices in
// increasing order (1-based, or 0-based when some index is 0: IndexBase below), '#' comments, svmlight "qid:" tokens ignored.
struct LabeledSparseData {
  SparseMatrix A;  // samples x features, CSR; explicit "i:0" entries stay stored
  Vector b;        // labels
};
// Read straight into CSR (never a dense matrix). Features: the largest index seen, or
// `min_features` if that is larger, so a test set can take its training set's width.
LabeledSparseData load_libsvm_sparse(const std::string& path);
LabeledSparseData load_libsvm_sparse(const std::string& path, Eigen::Index min_features);

// Indices as files in the wild write them: LIBSVM's start at 1, scikit-learn's
// dump_svmlight_file at 0 by default.
enum class IndexBase {
  automatic,  // zero-based when some index is 0 (scikit-learn's zero_based="auto"), else one
  zero,
  one,  // an index 0 is an error
};
struct LibsvmOptions {
  IndexBase index_base = IndexBase::automatic;
  // The width to read, e.g. a test file at its training width (narrower files are padded); an
  // index beyond it is an error naming the line, unless ignore_extra_features drops such
  // entries. 0: the largest index read.
  Eigen::Index features = 0;
  bool ignore_extra_features = false;
};
LabeledSparseData load_libsvm_sparse(const std::string& path, const LibsvmOptions& options);

// The same reading, converted to dense (refused if too large to hold densely).
struct LabeledData {
  Matrix A;  // samples x features (features: the largest index seen)
  Vector b;  // labels
};
LabeledData load_libsvm(const std::string& path);

// Matrix Market (.mtx): "matrix coordinate|array real|integer|pattern general|symmetric|
// skew-symmetric", read densely; a vector is an n x 1 or 1 x n matrix.
Matrix load_matrix_market_matrix(const std::string& path);
Vector load_matrix_market_vector(const std::string& path);
// The same parser into CSR: coordinate files never become dense (duplicates are summed,
// explicit zero entries stay stored); an array file's zeros are not stored.
SparseMatrix load_matrix_market_sparse(const std::string& path);

// A matrix as CSR: Matrix Market read sparsely; .npy and CSV read densely, then converted
// (exact zeros dropped). A LIBSVM file is refused (it holds A and b: use load_libsvm_sparse).
SparseMatrix load_sparse_matrix(const std::string& path, DataFormat format = DataFormat::automatic);

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

// Sparse writers, whatever the extension; numbers in their shortest round-trip text, so that
// the loaders above read back exactly the same matrix. LIBSVM stores no width: a matrix whose
// last columns are empty reads back narrower unless loaded with min_features.
void save_libsvm(const std::string& path, const SparseMatrix& A, const Vector& b);
// "%%MatrixMarket matrix coordinate real general", every stored entry (explicit zeros too).
void save_matrix_market(const std::string& path, const SparseMatrix& A);

// A whole file as text (model files, component definitions); errors name the file.
std::string read_text_file(const std::string& path);

// Input text for a message: printable ASCII as it is, anything else escaped (\x1b, \0, \t),
// at most 80 characters then "...": a file's bytes never reach the terminal raw, and a huge token
// makes no huge message. Every loader quotes what it read through this.
std::string printable(std::string_view text);

// Writes `contents` to `path` through a temporary file in the same directory, renamed over the
// target once complete: a failed or interrupted write leaves the old file (or none), never half
// of the new one. A symbolic link is followed (the link stays, its target is replaced); an
// existing file keeps its permissions, a new one gets 0644 less the umask; devices and pipes
// (/dev/stdout) are written in place. Every writer above goes through it. Errors name the file.
void write_file_atomically(const std::string& path, std::string_view contents);

}  // namespace proxjit
