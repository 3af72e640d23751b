// Equal kernel keys mean equal code: over every built-in signature (the set `precompile --all`
// uses) and user formulas with the built-ins' math, two specs with the same key emit the same IR.
// The key is all the caches know, so a spec whose code depends on something the key leaves out
// (as the lagged steps once depended on the prox's name) would run another spec's kernel.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "proxjit/codegen/jit_compiler.h"
#include "proxjit/engine.h"
#include "proxjit/runtime/prox.h"
#include "proxjit/runtime/smooth.h"
#include "proxjit/runtime/user_components.h"

namespace proxjit {
namespace {

// Formulas equal to built-ins (the same math, other names), and one near twin that is not.
constexpr const char* kTwins =
    "prox twin_l1(y, alpha; lambda=0.1) = sign(y) * max(abs(y) - alpha * lambda, 0) ; "
    "value(x) = lambda * abs(x)\n"
    "prox twin_l2sq(y, alpha; lambda=0.1) = y / (1 + alpha * lambda) ; "
    "value(x) = 0.5 * lambda * x * x\n"
    "prox twin_nonneg(y, alpha) = max(y, 0)\n"
    "prox twin_zero(y, alpha) = y\n"
    "prox near_l1(y, alpha; lambda=0.1) = sign(y) * max(abs(y) - 2 * alpha * lambda, 0) ; "
    "value(x) = 2 * lambda * abs(x)\n"
    "loss twin_logistic(z, y) = softplus(-(y * z)) ; grad = -y * sigmoid(-(y * z)) ; "
    "lipschitz = 0.25\n"
    "loss twin_squares(z, b) = 0.5 * (z - b) * (z - b) ; lipschitz = 1\n"
    "loss near_logistic(z, y) = log1p(exp(-y * z)) ; lipschitz = 0.25\n";

struct Variant {
  Algorithm algorithm;
  bool flag;  // pgd: backtracking; fista: no restart
};

TEST(KernelKey, EqualKeysEmitIdenticalIr) {
  define_components(kTwins, "twins.pjd");
  std::vector<const SmoothDefinition*> smooths;
  for (const SmoothDefinition& d : smooth_registry())
    smooths.push_back(&d);
  for (const char* name : {"twin_logistic", "twin_squares", "near_logistic"})
    smooths.push_back(find_user_smooth(name));
  std::vector<const ProxDefinition*> proxes;
  for (const ProxDefinition& d : prox_registry())
    proxes.push_back(&d);
  for (const char* name : {"twin_l1", "twin_l2sq", "twin_nonneg", "twin_zero", "near_l1"})
    proxes.push_back(find_user_prox(name));

  const std::vector<Variant> variants = {{Algorithm::proximal_gradient, false},
                                         {Algorithm::proximal_gradient, true},
                                         {Algorithm::fista, false},
                                         {Algorithm::fista, true},
                                         {Algorithm::coordinate_descent, false},
                                         {Algorithm::sgd, false},
                                         {Algorithm::saga, false},
                                         {Algorithm::svrg, false}};
  JitCompiler compiler;
  CodegenOptions as_emitted;  // O0: the emitter's IR, before any pass could hide a difference
  as_emitted.optimization_level = 0;
  std::map<std::string, std::pair<std::string, std::string>> first_by_key;  // key -> (who, IR)
  int shared_keys = 0, twin_lagged_shared = 0, margin_losses = 0;
  for (const SmoothDefinition* f : smooths)
    margin_losses += f->kind == SmoothKind::margin;
  for (const SmoothDefinition* f : smooths) {
    for (const ProxDefinition* r : proxes) {
      for (const Variant& v : variants) {
        for (const bool sparse : {false, true}) {
          for (const ScalarType scalar : {ScalarType::f64, ScalarType::f32}) {
            if (f->kind == SmoothKind::quadratic && (sparse || is_stochastic(v.algorithm)))
              continue;
            if (v.algorithm == Algorithm::coordinate_descent &&
                !(r->traits.separable && r->traits.elementwise)) {
              continue;
            }
            SolverOptions options;
            options.algorithm = v.algorithm;
            options.scalar = scalar;
            options.line_search = v.algorithm == Algorithm::proximal_gradient && v.flag;
            options.adaptive_restart = !(v.algorithm == Algorithm::fista && v.flag);
            const KernelSpec spec = Engine::kernel_spec_for(*f, *r, options, sparse);
            const std::string key = spec.canonical() + "|" + as_emitted.canonical();
            const std::string who =
                f->name + " + " + r->name + " " + std::string(to_string(v.algorithm)) +
                (sparse ? " sparse " : " dense ") + std::string(to_string(scalar));
            const std::string ir = compiler.optimized_ir(spec, as_emitted);
            const auto [at, inserted] = first_by_key.try_emplace(key, who, ir);
            if (inserted) continue;
            ++shared_keys;
            if (sparse && v.algorithm == Algorithm::saga && r->name == "twin_l1") {
              ++twin_lagged_shared;
            }
            EXPECT_TRUE(at->second.second == ir)
                << who << " and " << at->second.first << " share the key\n  " << key
                << "\nbut emit different IR";
          }
        }
      }
    }
  }
  // The property was exercised: twins share keys, including l1's lagged SAGA kernel.
  EXPECT_GT(shared_keys, 100);
  EXPECT_EQ(twin_lagged_shared, 2 * margin_losses);  // each loss, in float64 and float32
}

// The rules a twin inherits are the built-in's; a near twin gets none.
TEST(KernelKey, TwinsInheritTheBuiltInsSolverRules) {
  define_components(kTwins, "twins.pjd");
  const ProxDefinition& l1 = ProxComponent::parse("l1(lambda=0.1)").definition();
  const ProxDefinition* twin = find_user_prox("twin_l1");
  ASSERT_NE(twin, nullptr);
  EXPECT_EQ(twin->lagged, l1.lagged);
  EXPECT_EQ(twin->dual.kind, DualRule::Kind::shrink);
  EXPECT_EQ(twin->lambda_max.kind, LambdaMaxRule::Kind::linf);
  const ProxDefinition* near = find_user_prox("near_l1");
  EXPECT_EQ(near->lagged.kind, LaggedRule::Kind::none);
  EXPECT_EQ(near->dual.kind, DualRule::Kind::none);
  // No value(x): the prox is l1's nonneg twin's, so lagged steps apply, but no conjugate.
  EXPECT_EQ(find_user_prox("twin_nonneg")->lagged.kind, LaggedRule::Kind::box);
  EXPECT_EQ(find_user_smooth("twin_logistic")->dual, LossDual::logistic);
  EXPECT_EQ(find_user_smooth("twin_squares")->dual, LossDual::squared);
  // The same function in another form: no conjugate is assumed (only equal trees are trusted).
  EXPECT_EQ(find_user_smooth("near_logistic")->dual, LossDual::none);
}

}  // namespace
}  // namespace proxjit
