#pragma once
// The files a command reads and writes, checked before any work: an output never names an
// input (it would replace the data it came from) nor another output.

#include <string>
#include <vector>

#include "common.h"

namespace proxjit::cli {

struct NamedFile {
  std::string flag;  // "--A", "--x-out"
  std::string path;  // as given; empty: not given
};

// The input files of the problem flags: --A, --b, --data, --weights, each --define.
std::vector<NamedFile> problem_input_files(const ProblemFlags& flags);

// Throws proxjit::Error ("--x-out A.npy is the input --A; choose another file") when an output
// is the same file as an input or another output: the same path, or the same file through
// another path (a symbolic or hard link). Devices and pipes (/dev/stdout) are never the same.
void check_output_files(const std::vector<NamedFile>& inputs,
                        const std::vector<NamedFile>& outputs);

// `flag`'s prefix on a writer's error ("--trace t.csv: cannot ..."), thrown as proxjit::Error.
void write_output_file(const std::string& flag, const std::string& path,
                       const std::string& contents);

}  // namespace proxjit::cli
