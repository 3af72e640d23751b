// The REPL session without a terminal: commands, error recovery and completion candidates.

#include <algorithm>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "repl.h"

namespace proxjit::repl {
namespace {

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(ReplCompletion, CommandsAtTheStart) {
  std::ostringstream out, err;
  Session session(out, err);
  const Completion completion = session.complete("so", 0);
  EXPECT_EQ(completion.candidates, std::vector<std::string>{"solve"});
  EXPECT_TRUE(completion.append_space);
}

TEST(ReplCompletion, ProxNamesAfterSetR) {
  std::ostringstream out, err;
  Session session(out, err);
  const Completion completion = session.complete("set r l", 6);
  EXPECT_TRUE(has(completion.candidates, "l1"));
  EXPECT_TRUE(has(completion.candidates, "l2sq"));
  EXPECT_FALSE(has(completion.candidates, "box"));
}

TEST(ReplCompletion, ParametersInsideParentheses) {
  std::ostringstream out, err;
  Session session(out, err);
  Completion completion = session.complete("set r l1(", 9);
  EXPECT_EQ(completion.candidates, (std::vector<std::string>{"lambda=", "weights="}));
  completion = session.complete("set r l2sq(", 11);
  EXPECT_EQ(completion.candidates, std::vector<std::string>{"lambda="});
  EXPECT_FALSE(completion.append_space);
  // Parameters already given are not offered again.
  completion = session.complete("set r box(lo=-1, ", 17);
  EXPECT_EQ(completion.candidates, std::vector<std::string>{"hi="});
}

TEST(ReplCompletion, SettingsValuesAndFiles) {
  std::ostringstream out, err;
  Session session(out, err);
  EXPECT_TRUE(has(session.complete("set ", 4).candidates, "max_iter"));
  EXPECT_TRUE(has(session.complete("set f ", 6).candidates, "least_squares"));
  EXPECT_EQ(session.complete("set dtype float3", 10).candidates,
            std::vector<std::string>{"float32"});
  EXPECT_TRUE(has(session.complete("gen lasso n=10 ", 15).candidates, "seed="));
  EXPECT_FALSE(has(session.complete("gen lasso n=10 ", 15).candidates, "n="));
  EXPECT_TRUE(session.complete("load A", 5).files);
}

TEST(ReplSession, ErrorsAreReportedAndTheSessionGoesOn) {
  std::ostringstream out, err;
  Session session(out, err);
  EXPECT_FALSE(session.execute("solv"));
  EXPECT_NE(err.str().find("error: unknown command 'solv' (did you mean 'solve'?)"),
            std::string::npos)
      << err.str();
  EXPECT_FALSE(session.execute("solve"));  // no data yet
  EXPECT_TRUE(session.execute("gen quadratic d=10 seed=0"));
  EXPECT_TRUE(session.execute("set r l1(lambda=0.1)"));
  EXPECT_TRUE(session.execute("set backend reference"));
  EXPECT_TRUE(session.execute("solve"));
  EXPECT_NE(out.str().find("converged"), std::string::npos) << out.str();
  EXPECT_TRUE(session.execute("# a comment"));
  EXPECT_FALSE(session.quit_requested());
  EXPECT_TRUE(session.execute("quit"));
  EXPECT_TRUE(session.quit_requested());
}

TEST(ReplScript, RunsEveryCommandAndFailsAtTheEnd) {
  std::istringstream script("gen quadratic d=5 seed=1\nbogus\nset backend reference\nsolve\n");
  std::ostringstream out, err;
  EXPECT_EQ(run_script(script, out, err), 1);
  EXPECT_NE(err.str().find("error: line 2: unknown command 'bogus'"), std::string::npos);
  EXPECT_NE(out.str().find("(reference)"), std::string::npos) << out.str();

  std::istringstream clean("gen quadratic d=5 seed=1\nset backend reference\nsolve\n");
  std::ostringstream out2, err2;
  EXPECT_EQ(run_script(clean, out2, err2), 0) << err2.str();
}

}  // namespace
}  // namespace proxjit::repl
