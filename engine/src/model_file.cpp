// The model file: versioned JSON, read back exactly (numbers round-trip; NaN is null).
//
//   {"format": "proxjit-model", "version": 1, "proxjit_version": "0.1.0",
//    "loss": "logistic", "penalty": "l1(lambda=0.01)", "prediction": "class",
//    "probabilistic": true, "features": 13, "samples": 270, "fit_intercept": true,
//    "multiclass": "none", "classes": [-1, 1],
//    "outputs": [{"intercept": 0.1, "coefficients": {"indices": [0, 4], "values": [0.5, -2]},
//                 "training": {"status": "converged", ...}}]}
#include <cmath>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "proxjit/model.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"

namespace proxjit {
namespace {

using Json = nlohmann::ordered_json;  // fields in the order written, for people reading the file
constexpr const char* kFormatName = "proxjit-model";

// NaN and infinities are not JSON: null stands for NaN (an unknown gap), infinities are text.
Json number(double value) {
  if (std::isnan(value)) return nullptr;
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return value;
}

// A value of the file for a message: escaped, at most 80 characters (never raw bytes).
std::string shown(const Json& value) {
  return printable(value.dump(-1, ' ', false, Json::error_handler_t::replace));
}

// Reading: every error names the file and the field.
struct Reader {
  const std::string& source;

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(source + ": " + what);
  }
  const Json& field(const Json& object, const char* name, const char* where) const {
    if (!object.is_object()) fail(std::string(where) + " is not a JSON object");
    const auto found = object.find(name);
    if (found == object.end()) fail(std::string(where) + " has no \"" + name + "\" field");
    return *found;
  }
  double real(const Json& value, const std::string& what) const {
    if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (value.is_string()) {
      if (value == "inf") return std::numeric_limits<double>::infinity();
      if (value == "-inf") return -std::numeric_limits<double>::infinity();
    }
    if (!value.is_number()) fail(what + " must be a number, got " + shown(value));
    return value.get<double>();
  }
  double finite(const Json& value, const std::string& what) const {
    const double x = real(value, what);
    if (!std::isfinite(x)) fail(what + " must be a finite number, got " + shown(value));
    return x;
  }
  std::int64_t whole(const Json& value, const std::string& what, std::int64_t least) const {
    if (!value.is_number_integer() || value.get<std::int64_t>() < least) {
      fail(what + " must be a whole number >= " + std::to_string(least) + ", got " +
           shown(value));
    }
    return value.get<std::int64_t>();
  }
  // Texts are echoed in reports: printable ASCII only.
  std::string text(const Json& value, const std::string& what) const {
    if (!value.is_string()) fail(what + " must be a string, got " + shown(value));
    const std::string& text = value.get_ref<const std::string&>();
    const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
      return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
    });
    if (!plain || text.size() > 4096) {
      fail(what + " must be printable text of at most 4096 characters, got \"" + printable(text) +
           "\"");
    }
    return text;
  }
  bool boolean(const Json& value, const std::string& what) const {
    if (!value.is_boolean()) fail(what + " must be true or false, got " + shown(value));
    return value.get<bool>();
  }
  template <class Enum>
  Enum named(const Json& value, const std::string& what, std::initializer_list<Enum> all) const {
    const std::string name = text(value, what);
    std::string known;
    for (Enum candidate : all) {
      if (to_string(candidate) == name) return candidate;
      known += (known.empty() ? "" : ", ") + std::string(to_string(candidate));
    }
    fail(what + " \"" + printable(name) + "\" is not one of " + known);
  }
};

Json coefficients_json(const Eigen::VectorXd& w) {
  const Eigen::Index nonzeros = (w.array() != 0.0).count();
  Json out = Json::object();
  if (2 * nonzeros <= w.size()) {  // sparse: two numbers an entry, so below half full
    Json indices = Json::array();
    Json values = Json::array();
    for (Eigen::Index j = 0; j < w.size(); ++j) {
      if (w[j] == 0.0) continue;
      indices.push_back(j);
      values.push_back(number(w[j]));
    }
    out["indices"] = std::move(indices);
    out["values"] = std::move(values);
  } else {
    Json dense = Json::array();
    for (Eigen::Index j = 0; j < w.size(); ++j)
      dense.push_back(number(w[j]));
    out["dense"] = std::move(dense);
  }
  return out;
}

Eigen::VectorXd coefficients_from(const Reader& in, const Json& json, Eigen::Index features,
                                  const std::string& where) {
  Eigen::VectorXd w = Eigen::VectorXd::Zero(features);
  if (json.is_object() && json.contains("dense")) {
    const Json& dense = json["dense"];
    if (!dense.is_array() || static_cast<Eigen::Index>(dense.size()) != features) {
      in.fail(where + ".dense must be an array of " + std::to_string(features) +
              " numbers (one per feature)");
    }
    for (Eigen::Index j = 0; j < features; ++j)
      w[j] = in.finite(dense[static_cast<std::size_t>(j)], where + ".dense[" + std::to_string(j) + "]");
    return w;
  }
  const Json& indices = in.field(json, "indices", where.c_str());
  const Json& values = in.field(json, "values", where.c_str());
  if (!indices.is_array() || !values.is_array() || indices.size() != values.size()) {
    in.fail(where + ": \"indices\" and \"values\" must be arrays of the same length");
  }
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const std::int64_t j = in.whole(indices[k], where + ".indices[" + std::to_string(k) + "]", 0);
    if (j >= features) {
      in.fail(where + ".indices[" + std::to_string(k) + "] is " + std::to_string(j) +
              ", beyond the model's " + std::to_string(features) + " features");
    }
    w[j] = in.finite(values[k], where + ".values[" + std::to_string(k) + "]");
  }
  return w;
}

}  // namespace

std::string Model::to_json() const {
  Json model = Json::object();
  model["format"] = kFormatName;
  model["version"] = kModelFormatVersion;
  model["proxjit_version"] = proxjit_version_;
  model["loss"] = loss_;
  model["penalty"] = penalty_;
  model["prediction"] = std::string(to_string(prediction_));
  model["probabilistic"] = probabilistic_;
  model["features"] = features();
  model["samples"] = samples_;
  model["fit_intercept"] = fit_intercept_;
  model["multiclass"] = std::string(to_string(multiclass_));
  Json classes = Json::array();
  for (double c : classes_.classes)
    classes.push_back(number(c));
  model["classes"] = std::move(classes);
  Json outputs = Json::array();
  for (Eigen::Index k = 0; k < this->outputs(); ++k) {
    const TrainingRecord& record = training_.at(static_cast<std::size_t>(k));
    Json training = Json::object();
    training["status"] = std::string(to_string(record.status));
    training["message"] = record.message;
    training["objective"] = number(record.objective);
    training["certificate"] = number(record.certificate);
    training["duality_gap"] = number(record.duality_gap);
    training["iterations"] = record.iterations;
    training["algorithm"] = std::string(to_string(record.algorithm));
    training["dtype"] = std::string(to_string(record.scalar));
    training["run_s"] = number(record.run_s);
    Json output = Json::object();
    output["intercept"] = number(intercepts_[k]);
    output["coefficients"] = coefficients_json(coefficients_.col(k));
    output["training"] = std::move(training);
    outputs.push_back(std::move(output));
  }
  model["outputs"] = std::move(outputs);
  return model.dump(1) + "\n";
}

Model Model::from_json(std::string_view text, const std::string& source) {
  const Reader in{source};
  Json json;
  try {
    json = Json::parse(text.begin(), text.end());
  } catch (const Json::exception& error) {
    // "parse error at line 3, column 5: ..." or "number overflow parsing '1E4104'", without the
    // library's prefix ("[json.exception.parse_error.101] ").
    std::string what = error.what();
    if (const auto at = what.find("] "); at != std::string::npos) what = what.substr(at + 2);
    in.fail("not a proxjit model file (malformed JSON: " + printable(what) + ")");
  }
  if (!json.is_object() || !json.contains("format") || json["format"] != kFormatName) {
    in.fail("not a proxjit model file (expected a JSON object with \"format\": \"" +
            std::string(kFormatName) + "\")");
  }
  const std::int64_t version = in.whole(in.field(json, "version", "the model"), "version", 1);
  if (version != kModelFormatVersion) {
    in.fail("model format version " + std::to_string(version) + " is not known to proxjit " +
            PROXJIT_VERSION + " (it reads version " + std::to_string(kModelFormatVersion) +
            "); refit the model or use the proxjit that wrote it");
  }
  Model model;
  model.proxjit_version_ = in.text(in.field(json, "proxjit_version", "the model"), "proxjit_version");
  model.loss_ = in.text(in.field(json, "loss", "the model"), "loss");
  model.penalty_ = in.text(in.field(json, "penalty", "the model"), "penalty");
  model.prediction_ =
      in.named(in.field(json, "prediction", "the model"), "prediction",
               {Prediction::value, Prediction::rate, Prediction::sign_class});
  model.probabilistic_ = in.boolean(in.field(json, "probabilistic", "the model"), "probabilistic");
  const std::int64_t features = in.whole(in.field(json, "features", "the model"), "features", 1);
  model.samples_ = in.whole(in.field(json, "samples", "the model"), "samples", 0);
  model.fit_intercept_ = in.boolean(in.field(json, "fit_intercept", "the model"), "fit_intercept");
  model.multiclass_ = in.named(in.field(json, "multiclass", "the model"), "multiclass",
                               {Multiclass::none, Multiclass::one_vs_rest});
  const Json& classes = in.field(json, "classes", "the model");
  if (!classes.is_array()) in.fail("classes must be an array of labels");
  for (std::size_t k = 0; k < classes.size(); ++k) {
    model.classes_.classes.push_back(in.finite(classes[k], "classes[" + std::to_string(k) + "]"));
    if (k > 0 && model.classes_.classes[k] <= model.classes_.classes[k - 1]) {
      in.fail("classes must be distinct and increasing");
    }
  }
  const Json& outputs = in.field(json, "outputs", "the model");
  if (!outputs.is_array() || outputs.empty()) in.fail("outputs must be a non-empty array");
  const std::size_t expected_outputs =
      model.multiclass_ == Multiclass::one_vs_rest ? model.classes_.classes.size() : 1;
  if (outputs.size() != expected_outputs) {
    in.fail("has " + std::to_string(outputs.size()) + " outputs, expected " +
            std::to_string(expected_outputs));
  }
  if (model.classifier() != !model.classes_.classes.empty() ||
      (model.classifier() && model.classes_.classes.size() < 2) ||
      (model.multiclass_ == Multiclass::none && model.classifier() &&
       model.classes_.classes.size() != 2)) {
    in.fail("classes do not fit the prediction \"" + std::string(to_string(model.prediction_)) +
            "\" (a classifier has two classes, or more one against the rest; others none)");
  }
  const auto count = static_cast<Eigen::Index>(outputs.size());
  model.coefficients_.resize(features, count);
  model.intercepts_.resize(count);
  for (Eigen::Index k = 0; k < count; ++k) {
    const std::string where = "outputs[" + std::to_string(k) + "]";
    const Json& output = outputs[static_cast<std::size_t>(k)];
    model.intercepts_[k] = in.finite(in.field(output, "intercept", where.c_str()), where + ".intercept");
    model.coefficients_.col(k) = coefficients_from(
        in, in.field(output, "coefficients", where.c_str()), features, where + ".coefficients");
    const std::string training_where = where + ".training";
    const Json& training = in.field(output, "training", where.c_str());
    const auto at = [&](const char* name) -> const Json& {
      return in.field(training, name, training_where.c_str());
    };
    TrainingRecord record;
    record.status = in.named(at("status"), training_where + ".status",
                             {SolveStatus::converged, SolveStatus::max_iterations,
                              SolveStatus::diverged, SolveStatus::error, SolveStatus::max_time,
                              SolveStatus::interrupted});
    record.message = in.text(at("message"), training_where + ".message");
    record.objective = in.real(at("objective"), training_where + ".objective");
    record.certificate = in.real(at("certificate"), training_where + ".certificate");
    record.duality_gap = in.real(at("duality_gap"), training_where + ".duality_gap");
    record.iterations = in.whole(at("iterations"), training_where + ".iterations", 0);
    record.algorithm = in.named(
        at("algorithm"), training_where + ".algorithm",
        {Algorithm::proximal_gradient, Algorithm::fista, Algorithm::coordinate_descent,
         Algorithm::sgd, Algorithm::saga, Algorithm::svrg});
    record.scalar = in.named(at("dtype"), training_where + ".dtype",
                             {ScalarType::f64, ScalarType::f32});
    record.run_s = in.real(at("run_s"), training_where + ".run_s");
    model.training_.push_back(record);
  }
  return model;
}

void Model::save(const std::string& path) const { write_file_atomically(path, to_json()); }

Model Model::load(const std::string& path) {
  return from_json(read_text_file(path), path);
}

}  // namespace proxjit
