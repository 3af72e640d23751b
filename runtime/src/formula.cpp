#include "proxjit/runtime/formula.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <utility>

#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/expr_calculus.h"

namespace proxjit {
namespace {

using expr::Expr;
using expr::Op;

struct FunctionInfo {
  std::string name;
  std::size_t arity;
  std::function<Expr(const std::vector<Expr>&)> build;
};

const std::vector<FunctionInfo>& functions() {
  static const std::vector<FunctionInfo> table = {
      {"abs", 1, [](const auto& a) { return expr::abs(a[0]); }},
      {"sign", 1, [](const auto& a) { return expr::sign(a[0]); }},
      {"sqrt", 1, [](const auto& a) { return expr::sqrt(a[0]); }},
      {"exp", 1, [](const auto& a) { return expr::exp(a[0]); }},
      {"log", 1, [](const auto& a) { return expr::log(a[0]); }},
      {"log1p", 1, [](const auto& a) { return expr::log1p(a[0]); }},
      {"expm1", 1, [](const auto& a) { return expr::expm1(a[0]); }},
      {"tanh", 1, [](const auto& a) { return expr::tanh(a[0]); }},
      {"sigmoid", 1, [](const auto& a) { return expr::sigmoid(a[0]); }},
      {"softplus", 1, [](const auto& a) { return expr::softplus(a[0]); }},
      {"min", 2, [](const auto& a) { return expr::min(a[0], a[1]); }},
      {"max", 2, [](const auto& a) { return expr::max(a[0], a[1]); }},
      {"pow", 2, [](const auto& a) { return expr::pow(a[0], a[1]); }},
      {"clamp", 3, [](const auto& a) { return expr::clamp(a[0], a[1], a[2]); }},
      {"where", 3, [](const auto& a) { return expr::where(a[0], a[1], a[2]); }},
  };
  return table;
}

const FunctionInfo* find_function(std::string_view name) {
  for (const FunctionInfo& f : functions()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

enum class TokenKind { identifier, number, symbol, end };

struct Token {
  TokenKind kind = TokenKind::end;
  std::string text;
  std::size_t column = 0;  // 0-based byte offset in the line
  double number = 0.0;
};

std::string describe(const Token& token) {
  if (token.kind == TokenKind::end) return "the end of the line";
  return "'" + token.text + "'";
}

bool is_identifier_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// The names an expression may use, and what each one stands for.
struct Scope {
  std::string variable;  // -> Op::variable
  std::string label;     // -> Op::label (losses)
  std::string step;      // -> Op::step (proxes)
  const std::vector<FormulaParameter>* parameters = nullptr;
  // Names that exist in the definition but not in this expression, with the reason.
  std::vector<std::pair<std::string, std::string>> forbidden;
};

// Parses one line: one definition.
class LineParser {
 public:
  LineParser(std::string_view source, std::string_view line, int line_number)
      : source_(source), line_(line), line_number_(line_number) {}

  // Splits the line into tokens; returns false for a blank or comment-only line.
  bool tokenize() {
    std::size_t pos = 0;
    while (true) {
      while (pos < line_.size() && std::isspace(static_cast<unsigned char>(line_[pos])))
        ++pos;
      if (pos >= line_.size() || line_[pos] == '#') break;
      Token token;
      token.column = pos;
      const char c = line_[pos];
      if (is_identifier_start(c)) {
        while (pos < line_.size() && is_identifier_char(line_[pos]))
          ++pos;
        token.kind = TokenKind::identifier;
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '.' && pos + 1 < line_.size() &&
                  std::isdigit(static_cast<unsigned char>(line_[pos + 1])))) {
        pos = number_end(pos);
        token.kind = TokenKind::number;
      } else {
        static const std::string two_char[] = {"<=", ">="};
        token.kind = TokenKind::symbol;
        const std::string_view rest = line_.substr(pos);
        if (rest.starts_with(two_char[0]) || rest.starts_with(two_char[1])) {
          pos += 2;
        } else if (std::string_view("(),;=+-*/^<>").find(c) != std::string_view::npos) {
          pos += 1;
        } else {
          fail(pos, "unexpected character " + quote_character(c));
        }
      }
      token.text = std::string(line_.substr(token.column, pos - token.column));
      if (token.kind == TokenKind::number) token.number = number_value(token);
      tokens_.push_back(std::move(token));
    }
    end_column_ = pos;
    Token end;
    end.kind = TokenKind::end;
    end.column = pos;
    tokens_.push_back(end);
    return tokens_.size() > 1;
  }

  // The definition as typed: the line without its comment and surrounding spaces.
  std::string typed_text() const {
    std::string_view text = line_.substr(0, end_column_);
    const std::size_t first = text.find_first_not_of(" \t\r");
    const std::size_t last = text.find_last_not_of(" \t\r");
    return first == std::string_view::npos ? "" : std::string(text.substr(first, last - first + 1));
  }

  FormulaDefinition definition(const std::map<std::string, int>& defined) {
    FormulaDefinition result;
    result.source_line = line_number_;
    result.text = typed_text();

    const Token kind_token = peek();
    if (kind_token.kind != TokenKind::identifier ||
        (kind_token.text != "loss" && kind_token.text != "smooth" && kind_token.text != "prox")) {
      std::string message = "expected 'loss', 'smooth' or 'prox', found " + describe(kind_token);
      if (kind_token.kind == TokenKind::identifier) {
        message += suggestion(kind_token.text, {"loss", "smooth", "prox"});
      }
      fail(kind_token.column, message);
    }
    advance();
    result.kind = kind_token.text == "loss"     ? FormulaKind::loss
                  : kind_token.text == "smooth" ? FormulaKind::smooth
                                                : FormulaKind::prox;
    const std::string kind_name = kind_token.text;

    const Token name = expect_identifier("a name for the " + kind_name);
    if (const auto it = defined.find(name.text); it != defined.end()) {
      fail(name.column,
           "'" + name.text + "' is already defined on line " + std::to_string(it->second));
    }
    if (find_function(name.text)) {
      fail(name.column,
           "'" + name.text + "' is a function of the formula language; choose " + "another name");
    }
    result.name = name.text;

    // (bound names [; parameters])
    const Token open = peek();
    expect_symbol("(", "'(' after the name, e.g. " + example(result.kind));
    const std::size_t bound_count = result.kind == FormulaKind::smooth ? 1 : 2;
    std::vector<Token> bound;
    while (true) {
      const Token token =
          expect_identifier(bound.empty() ? bound_description(result.kind) : "a name after ','");
      if (bound.size() == bound_count) {
        fail(token.column, "a " + kind_name + " binds " + std::to_string(bound_count) +
                               (bound_count == 1 ? " name" : " names") + " before ';', e.g. " +
                               example(result.kind));
      }
      check_new_name(token, bound, {});
      bound.push_back(token);
      if (!accept_symbol(",")) break;
    }
    if (bound.size() != bound_count) {
      fail(peek().column,
           "expected ',' and " + bound_description(result.kind) + ", e.g. " + example(result.kind));
    }
    if (accept_symbol(";")) {
      while (true) {
        const Token parameter = expect_identifier("a parameter name");
        check_new_name(parameter, bound, result.parameters);
        FormulaParameter spec;
        spec.name = parameter.text;
        if (accept_symbol("=")) {
          spec.default_value = signed_number();
          spec.required = false;
        }
        result.parameters.push_back(std::move(spec));
        if (!accept_symbol(",")) break;
      }
    }
    if (!accept_symbol(")")) {
      fail(peek().column, "expected ')' to close '(' at column " + std::to_string(open.column + 1) +
                              ", found " + describe(peek()));
    }
    expect_symbol("=", "'=' before the formula");

    Scope main;
    main.variable = bound[0].text;
    main.parameters = &result.parameters;
    if (result.kind == FormulaKind::loss) main.label = bound[1].text;
    if (result.kind == FormulaKind::prox) main.step = bound[1].text;
    const std::size_t formula_column = peek().column;
    const Expr formula = expression_with_limits(main);
    if (result.kind == FormulaKind::prox) {
      result.prox = formula;
    } else {
      result.value = formula;
    }
    if (result.kind == FormulaKind::loss && !expr::uses_variable(formula)) {
      fail(formula_column, "the loss does not use its margin '" + bound[0].text +
                               "'; a loss is phi(" + bound[0].text + ", " + bound[1].text + ")");
    }

    std::optional<Expr> given_derivative;
    while (accept_symbol(";")) {
      const Token clause = expect_identifier(clause_description(result.kind));
      const bool is_prox = result.kind == FormulaKind::prox;
      const bool known =
          is_prox ? clause.text == "value" : (clause.text == "grad" || clause.text == "lipschitz");
      if (!known) {
        fail(clause.column,
             "expected " + clause_description(result.kind) + ", found '" + clause.text + "'" +
                 suggestion(clause.text, is_prox ? std::vector<std::string>{"value"}
                                                 : std::vector<std::string>{"grad", "lipschitz"}));
      }
      const bool repeated = (clause.text == "grad" && given_derivative) ||
                            (clause.text == "lipschitz" && result.lipschitz) ||
                            (clause.text == "value" && result.has_value);
      if (repeated) fail(clause.column, "'" + clause.text + "' is given twice");

      if (clause.text == "value") {
        const Token value_open = peek();
        expect_symbol("(", "'(' and the name of the value's variable, e.g. value(x) = ...");
        const Token variable = expect_identifier("the name of the value's variable");
        check_new_name(variable, {}, result.parameters);
        if (!accept_symbol(")")) {
          fail(peek().column, "expected ')' to close '(' at column " +
                                  std::to_string(value_open.column + 1) + ", found " +
                                  describe(peek()));
        }
        expect_symbol("=", "'=' before the value formula");
        Scope value_scope;
        value_scope.variable = variable.text;
        value_scope.parameters = &result.parameters;
        for (std::size_t i = 0; i < bound.size(); ++i) {
          const std::string& taken = bound[i].text;
          if (taken == variable.text) continue;
          value_scope.forbidden.emplace_back(
              taken, i == 0 ? "the value formula is in '" + variable.text + "', not in the " +
                                  "prox's input '" + taken + "'"
                            : "the value formula r(" + variable.text + ") cannot use the step '" +
                                  taken + "'");
        }
        result.value = expression_with_limits(value_scope);
        result.has_value = true;
      } else {
        expect_symbol("=", "'=' after '" + clause.text + "'");
        if (clause.text == "grad") {
          given_derivative = expression_with_limits(main);
        } else {
          Scope constants_only;
          constants_only.parameters = &result.parameters;
          for (const Token& taken : bound) {
            constants_only.forbidden.emplace_back(
                taken.text, "the lipschitz bound may use only parameters and constants, not '" +
                                taken.text + "'");
          }
          result.lipschitz = expression_with_limits(constants_only);
        }
      }
    }
    if (peek().kind != TokenKind::end) {
      fail(peek().column, "expected ';' or the end of the line, found " + describe(peek()));
    }

    if (result.kind != FormulaKind::prox) {
      if (given_derivative) {
        result.derivative = *given_derivative;
      } else {
        const Expr raw = expr::derivative(result.value);
        if (expr::tree_size(raw, FormulaLimits::max_derivative_nodes) >
            FormulaLimits::max_derivative_nodes) {
          fail(formula_column,
               "the derivative of this formula is too large to build; give it "
               "with '; grad = ...'");
        }
        result.derivative = expr::simplify(raw);
      }
    }
    result.canonical = canonical_key(result);
    return result;
  }

 private:
  static std::string example(FormulaKind kind) {
    switch (kind) {
      case FormulaKind::loss:
        return "loss NAME(z, y; lambda=1) = ...";
      case FormulaKind::smooth:
        return "smooth NAME(x; lambda=1) = ...";
      case FormulaKind::prox:
        return "prox NAME(y, alpha; lambda=1) = ...";
    }
    return "";
  }
  static std::string bound_description(FormulaKind kind) {
    switch (kind) {
      case FormulaKind::loss:
        return "the names of the margin and the label";
      case FormulaKind::smooth:
        return "the name of the variable";
      case FormulaKind::prox:
        return "the names of the input and the step";
    }
    return "";
  }
  static std::string clause_description(FormulaKind kind) {
    return kind == FormulaKind::prox ? "'value(x) = ...'" : "'grad = ...' or 'lipschitz = ...'";
  }

  static std::string suggestion(std::string_view name, const std::vector<std::string>& names) {
    const std::string nearest = nearest_name(name, names);
    return nearest.empty() ? "" : "; did you mean '" + nearest + "'?";
  }

  static std::string quote_character(char c) {
    if (std::isprint(static_cast<unsigned char>(c))) return std::string("'") + c + "'";
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "(byte 0x%02X)", static_cast<unsigned char>(c));
    return buffer;
  }

  // A new bound or parameter name: an identifier not taken by a function, `inf` or another name.
  void check_new_name(const Token& token, const std::vector<Token>& bound,
                      const std::vector<FormulaParameter>& parameters) const {
    if (find_function(token.text) || token.text == "inf") {
      fail(token.column,
           "'" + token.text + "' is reserved by the formula language; choose " + "another name");
    }
    for (const Token& other : bound) {
      if (other.text == token.text) {
        fail(token.column, "'" + token.text + "' is already a bound name of this definition");
      }
    }
    for (const FormulaParameter& other : parameters) {
      if (other.name == token.text) fail(token.column, "duplicate parameter '" + token.text + "'");
    }
  }

  std::size_t number_end(std::size_t pos) const {
    // Digits and dots, an exponent, and any letters glued on: all one word, checked by strtod.
    while (pos < line_.size()) {
      const char c = line_[pos];
      if ((c == '+' || c == '-') && (line_[pos - 1] == 'e' || line_[pos - 1] == 'E')) {
        ++pos;
      } else if (is_identifier_char(c) || c == '.') {
        ++pos;
      } else {
        break;
      }
    }
    return pos;
  }

  double number_value(const Token& token) const {
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(token.text.c_str(), &end);
    if (end != token.text.c_str() + token.text.size() ||
        token.text.find_first_of("xXpP") != std::string::npos) {
      fail(token.column, "malformed number " + describe(token));
    }
    if (errno == ERANGE && std::isinf(value)) {
      fail(token.column, "the number " + describe(token) + " is too large; write inf");
    }
    return value;
  }

  double signed_number() {
    double sign = 1.0;
    if (accept_symbol("-")) {
      sign = -1.0;
    } else {
      accept_symbol("+");
    }
    const Token token = peek();
    if (token.kind == TokenKind::number) {
      advance();
      return sign * token.number;
    }
    if (token.kind == TokenKind::identifier && token.text == "inf") {
      advance();
      return sign * std::numeric_limits<double>::infinity();
    }
    fail(token.column, "expected a number for the default value, found " + describe(token));
  }

  Expr expression_with_limits(const Scope& scope) {
    const std::size_t column = peek().column;
    Expr e = expression(scope);
    if (expr::tree_size(e, FormulaLimits::max_nodes) > FormulaLimits::max_nodes) {
      fail(column, "the expression is too large (more than " +
                       std::to_string(FormulaLimits::max_nodes) + " nodes)");
    }
    return e;
  }

  Expr expression(const Scope& scope) {
    Expr left = additive(scope);
    const Token token = peek();
    const Op op = comparison_op(token);
    if (op == Op::constant) return left;
    advance();
    Expr result = Expr::apply(op, {left, additive(scope)});
    if (comparison_op(peek()) != Op::constant) {
      fail(peek().column, "comparisons do not chain; use parentheses, e.g. (a < b) * (b < c)");
    }
    return result;
  }

  static Op comparison_op(const Token& token) {
    if (token.kind != TokenKind::symbol) return Op::constant;
    if (token.text == "<") return Op::less;
    if (token.text == "<=") return Op::less_equal;
    if (token.text == ">") return Op::greater;
    if (token.text == ">=") return Op::greater_equal;
    return Op::constant;
  }

  Expr additive(const Scope& scope) {
    Expr left = term(scope);
    while (true) {
      if (accept_symbol("+")) {
        left = left + term(scope);
      } else if (accept_symbol("-")) {
        left = left - term(scope);
      } else {
        return left;
      }
    }
  }

  Expr term(const Scope& scope) {
    Expr left = unary(scope);
    while (true) {
      if (accept_symbol("*")) {
        left = left * unary(scope);
      } else if (accept_symbol("/")) {
        left = left / unary(scope);
      } else {
        return left;
      }
    }
  }

  // Every recursion of the grammar passes through here, so the nesting is checked before it
  // can grow the stack: 100000 '(' fail at the 201st.
  Expr unary(const Scope& scope) {
    struct DepthGuard {
      int& depth;
      ~DepthGuard() { --depth; }
    } guard{++depth_};
    if (depth_ > FormulaLimits::max_nesting) {
      fail(peek().column, "the expression is nested too deeply (more than " +
                              std::to_string(FormulaLimits::max_nesting) + " levels)");
    }
    if (accept_symbol("-")) {
      Expr operand = unary(scope);
      if (operand.op() == Op::constant) return Expr(-operand.constant());  // -3 is a number
      return -operand;
    }
    if (accept_symbol("+")) return unary(scope);
    return power(scope);
  }

  Expr power(const Scope& scope) {
    Expr base = primary(scope);
    if (!accept_symbol("^")) return base;
    return expr::pow(base, unary(scope));  // right-associative: 2^3^2 = 2^(3^2)
  }

  Expr primary(const Scope& scope) {
    const Token token = peek();
    if (token.kind == TokenKind::number) {
      advance();
      return Expr(token.number);
    }
    if (token.kind == TokenKind::symbol && token.text == "(") {
      advance();
      Expr inner = expression(scope);
      if (!accept_symbol(")")) {
        fail(peek().column, "expected ')' to close '(' at column " +
                                std::to_string(token.column + 1) + ", found " + describe(peek()));
      }
      return inner;
    }
    if (token.kind == TokenKind::identifier) {
      advance();
      if (peek().kind == TokenKind::symbol && peek().text == "(") return call(token, scope);
      return name(token, scope);
    }
    fail(token.column, "expected an expression, found " + describe(token));
  }

  Expr call(const Token& function, const Scope& scope) {
    const FunctionInfo* info = find_function(function.text);
    if (!info) {
      if (names_in(scope, function.text)) {
        fail(function.column, "'" + function.text + "' is not a function");
      }
      std::vector<std::string> candidates;
      for (const FunctionInfo& f : functions())
        candidates.push_back(f.name);
      fail(function.column,
           "unknown function '" + function.text + "'" + suggestion(function.text, candidates));
    }
    const Token open = peek();
    advance();
    std::vector<Expr> args;
    if (!accept_symbol(")")) {
      while (true) {
        args.push_back(expression(scope));
        if (accept_symbol(",")) continue;
        if (accept_symbol(")")) break;
        fail(peek().column, "expected ',' or ')' to close '(' at column " +
                                std::to_string(open.column + 1) + ", found " + describe(peek()));
      }
    }
    if (args.size() != info->arity) {
      fail(function.column, "'" + info->name + "' takes " + std::to_string(info->arity) +
                                (info->arity == 1 ? " argument" : " arguments") + ", got " +
                                std::to_string(args.size()));
    }
    return info->build(args);
  }

  static bool names_in(const Scope& scope, const std::string& name) {
    if (name == scope.variable || name == scope.label || name == scope.step) return true;
    for (const FormulaParameter& p : *scope.parameters) {
      if (p.name == name) return true;
    }
    return false;
  }

  Expr name(const Token& token, const Scope& scope) const {
    const std::string& text = token.text;
    for (const auto& [forbidden, reason] : scope.forbidden) {
      if (text == forbidden) fail(token.column, reason);
    }
    if (!scope.variable.empty() && text == scope.variable) return Expr::variable();
    if (!scope.label.empty() && text == scope.label) return Expr::label();
    if (!scope.step.empty() && text == scope.step) return Expr::step();
    for (std::size_t slot = 0; slot < scope.parameters->size(); ++slot) {
      if ((*scope.parameters)[slot].name == text) {
        return Expr::parameter(static_cast<int>(slot), text);
      }
    }
    if (text == "inf") return Expr(std::numeric_limits<double>::infinity());
    if (find_function(text)) {
      fail(token.column, "'" + text + "' is a function; expected '(' after it");
    }
    std::vector<std::string> candidates = {"inf"};
    for (const std::string* bound : {&scope.variable, &scope.label, &scope.step}) {
      if (!bound->empty()) candidates.push_back(*bound);
    }
    for (const FormulaParameter& p : *scope.parameters)
      candidates.push_back(p.name);
    fail(token.column, "unknown name '" + text + "'" + suggestion(text, candidates));
  }

  static std::string canonical_key(const FormulaDefinition& d) {
    std::string key = std::string(to_string(d.kind)) + "/" + std::to_string(d.parameters.size());
    if (d.kind == FormulaKind::prox) {
      key += ":prox=" + expr::canonical(d.prox);
      if (d.has_value) key += ";value=" + expr::canonical(d.value);
      return key;
    }
    key += ":value=" + expr::canonical(d.value) + ";grad=" + expr::canonical(d.derivative);
    if (d.lipschitz) key += ";lipschitz=" + expr::canonical(*d.lipschitz);
    return key;
  }

  const Token& peek() const { return tokens_[pos_]; }
  void advance() {
    if (pos_ + 1 < tokens_.size()) ++pos_;
  }
  bool accept_symbol(std::string_view symbol) {
    if (peek().kind != TokenKind::symbol || peek().text != symbol) return false;
    advance();
    return true;
  }
  void expect_symbol(std::string_view symbol, const std::string& what) {
    if (!accept_symbol(symbol))
      fail(peek().column, "expected " + what + ", found " + describe(peek()));
  }
  Token expect_identifier(const std::string& what) {
    const Token token = peek();
    if (token.kind != TokenKind::identifier) {
      fail(token.column, "expected " + what + ", found " + describe(token));
    }
    advance();
    return token;
  }

  [[noreturn]] void fail(std::size_t column, const std::string& message) const {
    // The caret line copies the tabs of the text so that it lines up in a terminal.
    std::string caret;
    for (std::size_t i = 0; i < column && i < line_.size(); ++i)
      caret += line_[i] == '\t' ? '\t' : ' ';
    throw Error(std::string(source_) + ":" + std::to_string(line_number_) + ":" +
                std::to_string(column + 1) + ": " + message + "\n  " + std::string(line_) + "\n  " +
                caret + "^");
  }

  std::string_view source_;
  std::string_view line_;
  int line_number_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::size_t end_column_ = 0;
  int depth_ = 0;
};

}  // namespace

std::string_view to_string(FormulaKind kind) {
  switch (kind) {
    case FormulaKind::loss:
      return "loss";
    case FormulaKind::smooth:
      return "smooth";
    case FormulaKind::prox:
      return "prox";
  }
  return "?";
}

const std::vector<std::string>& formula_function_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> result;
    for (const FunctionInfo& f : functions())
      result.push_back(f.name);
    return result;
  }();
  return names;
}

std::vector<FormulaDefinition> parse_definitions(std::string_view text,
                                                 std::string_view source_name) {
  if (text.size() > FormulaLimits::max_text_length) {
    throw Error(std::string(source_name) + ": the text is " + std::to_string(text.size()) +
                " bytes; formulas are limited to " +
                std::to_string(FormulaLimits::max_text_length) + " bytes");
  }
  std::vector<FormulaDefinition> definitions;
  std::map<std::string, int> defined;  // name -> line
  int line_number = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_number;
    start = end + 1;
    if (line.size() > FormulaLimits::max_line_length) {
      throw Error(std::string(source_name) + ":" + std::to_string(line_number) + ": the line is " +
                  std::to_string(line.size()) + " bytes long; a definition is limited to " +
                  std::to_string(FormulaLimits::max_line_length) + " bytes");
    }
    LineParser parser(source_name, line, line_number);
    if (!parser.tokenize()) continue;
    FormulaDefinition definition = parser.definition(defined);
    defined.emplace(definition.name, line_number);
    definitions.push_back(std::move(definition));
  }
  return definitions;
}

}  // namespace proxjit
