#pragma once
// Models on the command line: `fit` (solve's flags, one model per class beyond two), the model
// file, and `predict` (predictions, probabilities and scores of a saved model).

#include <string>

#include "common.h"
#include "proxjit/model.h"

namespace proxjit::cli {

struct OneVsRestRun {
  std::string model_out_path;
  bool json = false;
  bool verbose = false;
  bool one_solve_outputs = false;  // --x-out, --trace or --plot given: about one solve only
};

// fit with more than two classes: one problem per class against the rest, on one kernel;
// writes the model and reports each class's solve. Returns the exit code.
int run_one_vs_rest(Engine& engine, const ProblemData& data, SolverOptions options,
                    const OneVsRestRun& run);

// model.save with errors prefixed by the flag ("--model-out m.json: ...").
void save_model_for(const std::string& flag, const std::string& path, const Model& model);

// The --help footer of `fit`.
std::string fit_command_footer();

}  // namespace proxjit::cli
