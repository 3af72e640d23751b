// The REPL's `set`, `show` and `help`: the solver settings come from the table the command line
// reads too (tools/settings.h), so `set max_iter many` fails as `--max-iter many` does.

#include <sstream>

#include "../text_util.h"
#include "command_table.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit::repl {
namespace {

using tools::did_you_mean;
using tools::joined;
using tools::prox_names;
using tools::smooth_names;

// The text of the word after `set`, as `show` prints it.
std::string setting_text(const Session::State& state, const std::string& name) {
  if (name == "intercept") return state.intercept ? "on" : "off";
  return tools::setting_named(name).print(state.options);
}

// After "set r": a prox name, or inside "name(" its parameter names not yet given.
void complete_prox(CompletionCall& call) {
  const std::string before(call.before);
  const std::size_t r_at = before.find(" r") + 2;
  const std::string r_text = before.substr(std::min(r_at, before.size()));
  const std::size_t open = r_text.find('(');
  if (open == std::string::npos) {
    if (trimmed(r_text).empty()) call.offer(prox_names());
    return;
  }
  if (r_text.find(')') != std::string::npos || before.ends_with('=')) return;
  const std::string prox_name = trimmed(std::string_view(r_text).substr(0, open));
  for (const ProxDefinition& prox : prox_registry()) {
    if (prox.name != prox_name) continue;
    std::vector<std::string> keys;
    for (const ParameterSpec& parameter : prox.parameters) {
      if (r_text.find(parameter.name + "=") == std::string::npos) {
        keys.push_back(parameter.name + "=");
      }
    }
    call.offer(keys);
  }
  call.result.append_space = false;
}

}  // namespace

std::vector<std::string> set_names() {
  std::vector<std::string> names = {"f", "r"};
  for (const std::string& name : tools::repl_setting_names())
    names.push_back(name);
  names.push_back("intercept");
  return names;
}

std::string set_usage() {
  return "set f NAME | set r NAME(key=value, ...) | set " +
         joined(tools::repl_setting_names(), "|") + " VALUE | set intercept on|off";
}

std::string set_description() {
  std::string text =
      "Choose the smooth term f, the prox r, or a solver option (as the command line's flag "
      "of the same name):";
  for (const std::string& name : tools::repl_setting_names()) {
    text += "\n    " + name + std::string(name.size() < 10 ? 10 - name.size() : 1, ' ') +
            tools::setting_named(name).help;
  }
  return text + "\n    intercept fit an unpenalized intercept (losses over samples): on or off";
}

bool run_set(CommandCall& call) {
  const std::vector<std::string>& words = call.words;
  Session::State& state = call.state;
  if (words.size() < 2) {
    throw Error("set: usage: " + usage_of("set") + "; settings: " + joined(set_names()));
  }
  const std::string& name = words[1];
  const std::vector<std::string> names = set_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    throw Error("set: unknown setting '" + name + "'" + did_you_mean(name, names) +
                "; settings: " + joined(names));
  }
  if (words.size() < 3) throw Error("set " + name + ": missing value");
  if (name == "r") {
    // The rest of the line, blanks included: "box(lo=-1, hi=1)".
    std::string rest = trimmed(call.line);
    rest = trimmed(std::string_view(rest).substr(3));  // after "set"
    rest = trimmed(std::string_view(rest).substr(1));  // after "r"
    ProxComponent r = ProxComponent::parse(rest);
    if (state.problem) state.problem = state.problem->with_prox(r);
    state.r = std::move(r);
    call.out << "r = " << state.r.describe() << "\n";
    return true;
  }
  if (words.size() > 3) {
    throw Error("set " + name + ": one value expected, got '" + words[2] + " " + words[3] + "...'");
  }
  const std::string& value = words[2];
  if (name == "intercept") {
    if (value != "on" && value != "off") {
      throw Error("set intercept: expected on or off, got '" + value + "'");
    }
    state.intercept = value == "on";
    state.problem.reset();
    call.out << "intercept = " << value << "\n";
    return true;
  }
  if (name == "f") {
    state.f = SmoothComponent::parse(value);
    state.problem.reset();
    call.out << "f = " << state.f.describe() << "\n";
    return true;
  }
  tools::apply_setting(tools::setting_named(name), value, state.options, "set " + name);
  call.out << name << " = " << setting_text(state, name) << "\n";
  return true;
}

void complete_set(CompletionCall& call) {
  if (call.words.size() == 1) {
    call.offer(set_names());
    return;
  }
  const std::string& name = call.words[1];
  if (name == "r") {
    complete_prox(call);
  } else if (call.words.size() > 2) {
    return;  // one value
  } else if (name == "f") {
    call.offer(smooth_names());
  } else if (name == "intercept") {
    call.offer({"on", "off"});
  } else if (const tools::Setting* setting = tools::find_setting(name)) {
    if (setting->in_repl) call.offer(setting->words);
  }
}

bool run_show(CommandCall& call) {
  const std::vector<std::string>& words = call.words;
  const Session::State& state = call.state;
  if (words.size() > 1) {
    if (words[1] != "summary" || words.size() > 2) {
      throw Error("show: usage: " + usage_of("show"));
    }
    if (!state.last) throw Error("show summary: nothing solved yet; run `solve` first");
    std::string report = state.last->FullReport();
    call.out << report << (report.ends_with('\n') ? "" : "\n");
    return true;
  }
  const auto row = [&](const std::string& label, const std::string& value) {
    call.out << "  " << label << std::string(label.size() < 10 ? 10 - label.size() : 1, ' ')
             << value << "\n";
  };
  row("problem", state.f.describe() + " + " + state.r.describe());
  if ((state.A || state.A_sparse) && state.b) {
    std::ostringstream data;
    if (state.A_sparse) {
      data << "A " << state.A_sparse->rows() << " x " << state.A_sparse->cols() << " sparse";
    } else {
      data << "A " << state.A->rows() << " x " << state.A->cols();
    }
    data << ", b " << state.b->size() << "  (" << state.data_source << ")";
    row("data", data.str());
  } else {
    row("data", "none (load A.npy b.npy, or gen lasso|quadratic)");
  }
  for (const std::string& name : set_names()) {
    if (name != "f" && name != "r") row(name, setting_text(state, name));
  }
  if (state.last) {
    // As many digits as the brief report's objective.
    row("last", std::string(to_string(state.last->status)) + ", objective " +
                    number_text(state.last->objective, 10) + ", " +
                    std::to_string(state.last->iterations) + " iterations");
  }
  return true;
}

bool run_help(CommandCall& call) {
  const std::vector<std::string>& words = call.words;
  if (words.size() == 1) {
    call.out << "Commands (help COMMAND for details):\n";
    for (const ReplCommand& command : command_table()) {
      call.out << "  " << command.name
               << std::string(command.name.size() < 9 ? 9 - command.name.size() : 0, ' ')
               << command.usage << "\n";
    }
    call.out << "Smooth terms: " << joined(smooth_names()) << ". Proxes: " << joined(prox_names())
             << " (see `proxjit list`).\n";
    return true;
  }
  if (words.size() > 2) throw Error("help: usage: " + usage_of("help"));
  if (const ReplCommand* command = find_command(words[1])) {
    call.out << "usage: " << command->usage << "\n  " << command->description << "\n";
    return true;
  }
  throw Error("help: unknown command '" + words[1] + "'" + did_you_mean(words[1], command_names()));
}

}  // namespace proxjit::repl
