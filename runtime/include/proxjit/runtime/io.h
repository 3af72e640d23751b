#pragma once
// Data loaders and writers. Errors are proxjit::Error and name the file, the line (or header
// field) and what was expected.

#include <string>

#include "proxjit/runtime/dense.h"

namespace proxjit {

// By extension: ".npy" (NumPy, little-endian float64/float32/int32/int64, C or Fortran order)
// or ".csv"/".txt" (numbers separated by commas or whitespace, one row per line; lines starting
// with '#' and empty lines are skipped).
Matrix load_matrix(const std::string& path);
// A 1-D .npy array (or an n x 1 / 1 x n 2-D one), or a CSV with one number per line or one row.
Vector load_vector(const std::string& path);

Matrix load_npy_matrix(const std::string& path);
Vector load_npy_vector(const std::string& path);
Matrix load_csv_matrix(const std::string& path);
Vector load_csv_vector(const std::string& path);

// Writes by extension: ".npy" (float64, 1-D or 2-D C order) or ".csv".
void save_vector(const std::string& path, const Vector& v);
void save_matrix(const std::string& path, const Matrix& m);

}  // namespace proxjit
