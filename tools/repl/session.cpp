// The REPL session: runs one command line at a time through the command table
// (command_table.cpp) and offers completion candidates. No terminal handling here
// (line_editor.cpp).

#include <algorithm>
#include <istream>
#include <sstream>

#include "../text_util.h"
#include "command_table.h"

namespace proxjit::repl {

std::atomic<bool>& solving_flag() {
  static std::atomic<bool> solving{false};
  return solving;
}

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  bool quoted = false;
  for (const char c : line) {
    if (c == '"') {
      quoted = !quoted;
      in_word = true;
      continue;
    }
    if (!quoted && (c == ' ' || c == '\t')) {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
      continue;
    }
    word += c;
    in_word = true;
  }
  if (quoted) throw Error("unterminated quote");
  if (in_word) words.push_back(word);
  return words;
}

std::string trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const std::size_t last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

Session::Session(std::ostream& out, std::ostream& err, std::atomic<bool>* interrupt)
    : state_(std::make_unique<State>()), out_(out), err_(err), interrupt_(interrupt) {}

Session::~Session() = default;

bool Session::solving() {
  return solving_flag().load();
}

bool Session::execute(std::string_view line, const std::string& where) {
  const std::string text = trimmed(line);
  if (text.empty() || text.starts_with('#')) return true;
  try {
    CommandCall call{*state_, out_, interrupt_, quit_, text, split_words(text)};
    const std::string& name = call.words.front();
    const ReplCommand* command = find_command(name);
    if (!command) {
      throw Error("unknown command '" + name + "'" + tools::did_you_mean(name, command_names()) +
                  "; type `help` for the list");
    }
    return command->run(call);
  } catch (const Error& error) {
    out_.flush();
    err_ << "error: " << where << error.what() << "\n";
  } catch (const std::exception& error) {
    out_.flush();
    err_ << "error: " << where << "internal: " << error.what() << "\n";
  }
  err_.flush();
  return false;
}

Completion Session::complete(std::string_view line, std::size_t word_start) const {
  Completion result;
  word_start = std::min(word_start, line.size());
  CompletionCall call{line.substr(0, word_start), std::string(line.substr(word_start)), {}, result};
  std::istringstream stream{std::string(call.before)};
  for (std::string word; stream >> word;)
    call.words.push_back(word);
  if (call.words.empty()) {
    call.offer(command_names());
    return result;
  }
  // Aliases complete as their command does; a command that is not there offers nothing.
  const ReplCommand* command = find_command(call.words.front());
  if (command && command->complete) command->complete(call);
  return result;
}

int run_script(std::istream& input, std::ostream& out, std::ostream& err,
               std::atomic<bool>* interrupt) {
  Session session(out, err, interrupt);
  int status = 0;
  std::string line;
  for (int number = 1; !session.quit_requested() && std::getline(input, line); ++number) {
    if (!session.execute(line, "line " + std::to_string(number) + ": ")) status = 1;
  }
  out.flush();
  return status;
}

}  // namespace proxjit::repl
