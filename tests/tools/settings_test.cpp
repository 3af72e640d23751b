// The settings table shared by the command line and the REPL (tools/settings.h).

#include "settings.h"

#include <cmath>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "proxjit/runtime/error.h"

namespace proxjit::tools {
namespace {

std::string error_of(const Setting& setting, const std::string& text, const std::string& who) {
  SolverOptions options;
  try {
    apply_setting(setting, text, options, who);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(SettingsTable, NamesAndFlagsAreUniqueAndDescribed) {
  std::set<std::string> names, flags;
  for (const Setting& setting : solver_settings()) {
    EXPECT_TRUE(names.insert(setting.name).second) << setting.name;
    EXPECT_TRUE(flags.insert(setting.flag).second) << setting.flag;
    EXPECT_TRUE(setting.flag.starts_with("--")) << setting.flag;
    EXPECT_FALSE(setting.help.empty()) << setting.name;
    EXPECT_TRUE(setting.parse && setting.print) << setting.name;
    // A flag without a value is an on/off setting.
    if (!setting.switch_value.empty()) {
      EXPECT_EQ(setting.words, (std::vector<std::string>{"on", "off"})) << setting.name;
    }
  }
  // The REPL's settings, in the order `show` prints them.
  EXPECT_EQ(repl_setting_names(),
            (std::vector<std::string>{"algorithm", "step", "max_iter", "tol", "gap_tol", "obj_tol",
                                      "dtype", "backend", "max_time"}));
}

TEST(SettingsTable, OneMessageWhoeverAsks) {
  const Setting& max_iter = setting_named("max_iter");
  EXPECT_EQ(error_of(max_iter, "many", "--max-iter"),
            "--max-iter: expected an integer, got 'many'");
  EXPECT_EQ(error_of(max_iter, "many", "set max_iter"),
            "set max_iter: expected an integer, got 'many'");
  // Ranges come from SolverOptions::IsValid, after the same prefix.
  EXPECT_EQ(error_of(setting_named("gap_tol"), "-1", "set gap_tol"),
            "set gap_tol: gap_tolerance must be a finite number >= 0 (0: off); got -1");
  EXPECT_EQ(error_of(setting_named("algorithm"), "fistaa", "--algorithm"),
            "--algorithm: unknown algorithm 'fistaa' (did you mean 'fista'?); expected auto, pgd, "
            "fista, cd, sgd, saga or svrg");
  EXPECT_EQ(error_of(setting_named("batch_size"), "0", "--batch-size"),
            "--batch-size: expected a whole number >= 1, got 0");
}

TEST(SettingsTable, ParsedValuesPrintBack) {
  SolverOptions options;
  apply_setting(setting_named("tol"), "1e-10", options, "set tol");
  EXPECT_EQ(options.tolerance, 1e-10);
  EXPECT_EQ(setting_named("tol").print(options), "1e-10");
  apply_setting(setting_named("max_iter"), "1e4", options, "set max_iter");  // an exact integer
  EXPECT_EQ(options.max_iterations, 10000);
  for (const std::string& name : algorithm_names()) {
    apply_setting(setting_named("algorithm"), name, options, "set algorithm");
    EXPECT_EQ(setting_named("algorithm").print(options), name);
  }
  apply_setting(setting_named("step"), "backtracking", options, "--step");
  EXPECT_TRUE(options.line_search);
  EXPECT_EQ(setting_named("step").print(options), "backtracking");
  apply_setting(setting_named("step"), "0.001", options, "--step");
  EXPECT_FALSE(options.line_search);
  EXPECT_EQ(setting_named("step").print(options), "0.001");
  apply_setting(setting_named("gap_tol"), "0", options, "set gap_tol");
  EXPECT_EQ(setting_named("gap_tol").print(options), "off");
  apply_setting(setting_named("max_time"), "none", options, "set max_time");
  EXPECT_EQ(setting_named("max_time").print(options), "none");
  apply_setting(setting_named("max_time"), "60", options, "set max_time");
  EXPECT_EQ(setting_named("max_time").print(options), "60 s");
  apply_setting(setting_named("dtype"), "f32", options, "set dtype");
  EXPECT_EQ(options.scalar, ScalarType::f32);
  apply_setting(setting_named("restart"), setting_named("restart").switch_value, options, "x");
  EXPECT_FALSE(options.adaptive_restart);
}

TEST(SettingsTable, WhatIsShownReadsBack) {
  // The first word of a shown value ("auto" of "auto (1/L)", "60" of "60 s") is a value of the
  // setting that shows the same again: --help's defaults and `show` can be typed back.
  SolverOptions changed;
  changed.tolerance = 1e-6;
  changed.gap_tolerance = 1e-9;
  changed.max_time = 60;
  changed.step = 0.01;
  changed.algorithm = Algorithm::fista;
  for (const SolverOptions& options : {SolverOptions(), changed}) {
    for (const Setting& setting : solver_settings()) {
      const std::string shown = setting.print(options);
      SolverOptions back;
      apply_setting(setting, shown.substr(0, shown.find(' ')), back, setting.flag);
      EXPECT_EQ(setting.print(back), shown) << setting.name;
    }
  }
}

TEST(SettingsTable, AFailedSettingLeavesTheOptionsAlone) {
  SolverOptions options;
  options.tolerance = 1e-3;
  EXPECT_THROW(apply_setting(setting_named("tol"), "-1", options, "set tol"), Error);
  EXPECT_EQ(options.tolerance, 1e-3);
}

TEST(SettingsTable, ValidationNamesTheFlagOfTheFieldThatFailed) {
  const auto message = [](const SolverOptions& options) {
    try {
      validate_settings(options, [](const Setting& setting) { return setting.flag; },
                        {{"x0", "--x0"}});
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string();
  };
  SolverOptions options;
  EXPECT_EQ(message(options), "");
  options.objective_tolerance = -1;
  EXPECT_EQ(message(options),
            "--obj-tol: objective_tolerance must be a finite number >= 0 (0: off); got -1");
  options = SolverOptions();
  options.max_iterations = 0;  // --epochs sets it too, but --max-iter is its name
  EXPECT_EQ(message(options), "--max-iter: max_iterations must be >= 1; got 0");
  options = SolverOptions();
  options.x0 = Vector::Constant(2, std::nan(""));
  EXPECT_TRUE(message(options).starts_with("--x0: x0 must be finite")) << message(options);
}

}  // namespace
}  // namespace proxjit::tools
