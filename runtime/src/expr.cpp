#include "proxjit/runtime/expr.h"

#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/number_text.h"

#include <algorithm>
#include <cstdio>

namespace proxjit::expr {
namespace {

struct OpInfo {
  const char* name;
  const char* infix;  // non-null for binary operators printed between their operands
  int precedence;     // for parentheses in readable text
};

OpInfo info(Op op) {
  switch (op) {
    case Op::constant:
      return {"const", nullptr, 100};
    case Op::variable:
      return {"var", nullptr, 100};
    case Op::step:
      return {"step", nullptr, 100};
    case Op::parameter:
      return {"param", nullptr, 100};
    case Op::label:
      return {"label", nullptr, 100};
    case Op::neg:
      return {"neg", nullptr, 90};
    case Op::abs:
      return {"abs", nullptr, 100};
    case Op::sign:
      return {"sign", nullptr, 100};
    case Op::sqrt:
      return {"sqrt", nullptr, 100};
    case Op::exp:
      return {"exp", nullptr, 100};
    case Op::log:
      return {"log", nullptr, 100};
    case Op::log1p:
      return {"log1p", nullptr, 100};
    case Op::expm1:
      return {"expm1", nullptr, 100};
    case Op::tanh:
      return {"tanh", nullptr, 100};
    case Op::pow:
      return {"pow", nullptr, 100};
    case Op::add:
      return {"add", " + ", 60};
    case Op::sub:
      return {"sub", " - ", 60};
    case Op::mul:
      return {"mul", " * ", 70};
    case Op::div:
      return {"div", " / ", 70};
    case Op::min:
      return {"min", nullptr, 100};
    case Op::max:
      return {"max", nullptr, 100};
    case Op::less:
      return {"lt", " < ", 50};
    case Op::less_equal:
      return {"le", " <= ", 50};
    case Op::greater:
      return {"gt", " > ", 50};
    case Op::greater_equal:
      return {"ge", " >= ", 50};
    case Op::where:
      return {"where", nullptr, 100};
  }
  return {"?", nullptr, 100};
}

std::string readable(const Expr& e, const std::string& variable_name, const std::string& label_name,
                     int parent_precedence) {
  const OpInfo op = info(e.op());
  std::string text;
  switch (e.op()) {
    case Op::constant:
      text = number_text(e.constant());
      break;
    case Op::variable:
      text = variable_name;
      break;
    case Op::step:
      text = "step";
      break;
    case Op::parameter:
      text = e.name();
      break;
    case Op::label:
      text = label_name;
      break;
    case Op::neg:
      text = "-" + readable(e.args()[0], variable_name, label_name, op.precedence);
      break;
    default:
      if (op.infix) {
        // Left-associative: the right operand needs parentheses at equal precedence.
        text = readable(e.args()[0], variable_name, label_name, op.precedence) + op.infix +
               readable(e.args()[1], variable_name, label_name, op.precedence + 1);
      } else {
        text = std::string(op.name) + "(";
        for (std::size_t i = 0; i < e.args().size(); ++i) {
          if (i) text += ", ";
          text += readable(e.args()[i], variable_name, label_name, 0);
        }
        text += ")";
      }
  }
  if (op.precedence < parent_precedence) text = "(" + text + ")";
  return text;
}

}  // namespace

Expr::Expr(double value) {
  auto node = std::make_shared<Node>();
  node->op = Op::constant;
  node->constant = value;
  node_ = std::move(node);
}

Expr Expr::variable() {
  auto node = std::make_shared<Node>();
  node->op = Op::variable;
  return Expr(std::move(node));
}

Expr Expr::step() {
  auto node = std::make_shared<Node>();
  node->op = Op::step;
  return Expr(std::move(node));
}

Expr Expr::label() {
  auto node = std::make_shared<Node>();
  node->op = Op::label;
  return Expr(std::move(node));
}

Expr Expr::parameter(int slot, std::string name) {
  auto node = std::make_shared<Node>();
  node->op = Op::parameter;
  node->slot = slot;
  node->name = std::move(name);
  return Expr(std::move(node));
}

Expr Expr::apply(Op op, std::vector<Expr> args) {
  auto node = std::make_shared<Node>();
  node->op = op;
  node->args = std::move(args);
  return Expr(std::move(node));
}

Op Expr::op() const {
  return node_->op;
}
double Expr::constant() const {
  return node_->constant;
}
int Expr::slot() const {
  return node_->slot;
}
const std::string& Expr::name() const {
  return node_->name;
}
const std::vector<Expr>& Expr::args() const {
  return node_->args;
}

Expr operator-(const Expr& a) {
  return Expr::apply(Op::neg, {a});
}
Expr operator+(const Expr& a, const Expr& b) {
  return Expr::apply(Op::add, {a, b});
}
Expr operator-(const Expr& a, const Expr& b) {
  return Expr::apply(Op::sub, {a, b});
}
Expr operator*(const Expr& a, const Expr& b) {
  return Expr::apply(Op::mul, {a, b});
}
Expr operator/(const Expr& a, const Expr& b) {
  return Expr::apply(Op::div, {a, b});
}
Expr operator<(const Expr& a, const Expr& b) {
  return Expr::apply(Op::less, {a, b});
}
Expr operator<=(const Expr& a, const Expr& b) {
  return Expr::apply(Op::less_equal, {a, b});
}
Expr operator>(const Expr& a, const Expr& b) {
  return Expr::apply(Op::greater, {a, b});
}
Expr operator>=(const Expr& a, const Expr& b) {
  return Expr::apply(Op::greater_equal, {a, b});
}
Expr abs(const Expr& a) {
  return Expr::apply(Op::abs, {a});
}
Expr sign(const Expr& a) {
  return Expr::apply(Op::sign, {a});
}
Expr sqrt(const Expr& a) {
  return Expr::apply(Op::sqrt, {a});
}
Expr exp(const Expr& a) {
  return Expr::apply(Op::exp, {a});
}
Expr log(const Expr& a) {
  return Expr::apply(Op::log, {a});
}
Expr log1p(const Expr& a) {
  return Expr::apply(Op::log1p, {a});
}
Expr expm1(const Expr& a) {
  return Expr::apply(Op::expm1, {a});
}
Expr tanh(const Expr& a) {
  return Expr::apply(Op::tanh, {a});
}
Expr pow(const Expr& base, const Expr& exponent) {
  return Expr::apply(Op::pow, {base, exponent});
}
Expr clamp(const Expr& a, const Expr& lo, const Expr& hi) {
  return min(max(a, lo), hi);
}
Expr sigmoid(const Expr& a) {
  // exp of a non-positive number only: 1/(1+e^-a) for a >= 0, e^a/(1+e^a) below.
  const Expr e = exp(-abs(a));
  return where(a >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e));
}
Expr softplus(const Expr& a) {
  return max(a, 0.0) + log1p(exp(-abs(a)));
}
Expr min(const Expr& a, const Expr& b) {
  return Expr::apply(Op::min, {a, b});
}
Expr max(const Expr& a, const Expr& b) {
  return Expr::apply(Op::max, {a, b});
}
Expr where(const Expr& condition, const Expr& if_true, const Expr& if_false) {
  return Expr::apply(Op::where, {condition, if_true, if_false});
}

std::string to_string(const Expr& e, const std::string& variable_name,
                      const std::string& label_name) {
  return readable(e, variable_name, label_name, 0);
}

std::string canonical(const Expr& e) {
  switch (e.op()) {
    case Op::constant:
      return number_text(e.constant());
    case Op::variable:
      return "v";
    case Op::step:
      return "s";
    case Op::parameter:
      return "p" + std::to_string(e.slot());
    case Op::label:
      return "b";
    default:
      break;
  }
  std::string text = std::string(info(e.op()).name) + "(";
  for (std::size_t i = 0; i < e.args().size(); ++i) {
    if (i) text += ",";
    text += canonical(e.args()[i]);
  }
  return text + ")";
}

int parameter_count(const Expr& e) {
  int count = e.op() == Op::parameter ? e.slot() + 1 : 0;
  for (const Expr& arg : e.args())
    count = std::max(count, parameter_count(arg));
  return count;
}

}  // namespace proxjit::expr
