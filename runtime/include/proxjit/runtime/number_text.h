#pragma once
// The one way proxjit writes a double for people and for text that is read back (component
// descriptions, settings, messages).
//
// number_text(value): the fewest significant digits that read back as exactly `value`
// (std::to_chars' shortest round trip), laid out as printf's %g would with at least 6 digits of
// precision: integers up to 6 digits print plainly ("100", "100000", "-3"), then "1e+06";
// "0.0001", then "1e-05"; "0.1", not "0.10000000000000001". Infinities are "inf" and "-inf";
// NaN is "nan", whatever its sign bit.
//
// number_text(value, significant_digits): rounded to that many digits, as %.<digits>g ("%.6g"
// gives the same text), for displays that trade exactness for width; non-finite values as
// above.

#include <string>

namespace proxjit {

std::string number_text(double value);
std::string number_text(double value, int significant_digits);

}  // namespace proxjit
