#include "output_files.h"

#include <filesystem>
#include <system_error>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"

namespace proxjit::cli {
namespace {

namespace fs = std::filesystem;

// Whether `a` and `b` name one regular file (or, when neither exists yet, one future file).
bool same_file(const std::string& a, const std::string& b) {
  std::error_code error;
  const fs::file_status status_a = fs::status(a, error);
  const fs::file_status status_b = fs::status(b, error);
  const bool exists_a = fs::exists(status_a);
  const bool exists_b = fs::exists(status_b);
  if (exists_a && exists_b) {
    // /dev/stdout for two things is a stream, not a file one would replace.
    if (!fs::is_regular_file(status_a) || !fs::is_regular_file(status_b)) return false;
    return fs::equivalent(a, b, error);  // same device and inode: hard links too
  }
  if (exists_a || exists_b) return false;
  const fs::path canonical_a = fs::weakly_canonical(a, error);
  if (error) return a == b;
  const fs::path canonical_b = fs::weakly_canonical(b, error);
  if (error) return a == b;
  return canonical_a == canonical_b;
}

}  // namespace

std::vector<NamedFile> problem_input_files(const ProblemFlags& flags) {
  std::vector<NamedFile> inputs = {{"--A", flags.matrix_path},
                                   {"--b", flags.vector_path},
                                   {"--data", flags.data_path},
                                   {"--weights", flags.weights_path}};
  for (const std::string& path : flags.define_paths)
    inputs.push_back({"--define", path});
  return inputs;
}

void check_output_files(const std::vector<NamedFile>& inputs,
                        const std::vector<NamedFile>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const NamedFile& output = outputs[i];
    if (output.path.empty()) continue;
    for (const NamedFile& input : inputs) {
      if (!input.path.empty() && same_file(output.path, input.path)) {
        throw Error(output.flag + " " + output.path + " is the input " + input.flag +
                    (input.path == output.path ? "" : " (" + input.path + ")") +
                    "; choose another file");
      }
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (!outputs[j].path.empty() && same_file(output.path, outputs[j].path)) {
        throw Error(output.flag + " " + output.path + " is also the file of " + outputs[j].flag +
                    "; give each output its own file");
      }
    }
  }
}

void write_output_file(const std::string& flag, const std::string& path,
                       const std::string& contents) {
  try {
    write_file_atomically(path, contents);
  } catch (const Error& error) {
    throw Error(flag + " " + error.what());
  }
}

}  // namespace proxjit::cli
