#pragma once
// The kernel emitter, shared by the files of codegen/src that emit IR: one class, its member
// functions defined per pass (see codegen/README.md).

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "llvm_headers.h"
#include "proxjit/codegen/kernel_spec.h"
#include "proxjit/runtime/reference_solver.h"
#include "proxjit/runtime/status.h"
#include "proxjit/runtime/stochastic_solver.h"

namespace proxjit::codegen {

using llvm::BasicBlock;
using llvm::Function;
using llvm::PHINode;
using llvm::Type;
using llvm::Value;

// Rows of A handled together by the matvecs: as many as there are lanes, so that their dot
// products reduce to one vector with a transpose-add (reduce_rows) and each pass over g or x
// serves that many rows.
constexpr int kLanes = static_cast<int>(kKernelLanes);
static_assert(kLanes == 8, "reduce_rows is written for 8 lanes");

class __attribute__((visibility("hidden"))) KernelEmitter {
 public:
  KernelEmitter(llvm::LLVMContext& context, llvm::Module& module, const KernelSpec& spec,
                const CodegenOptions& options);
  Function* emit(const std::string& symbol);

 private:
  using LoopBody = std::function<std::vector<Value*>(Value* index, std::vector<Value*> carried)>;

  // What an expression's leaves stand for; all of one type (a vector or the scalar type).
  struct ExprEnv {
    Value* variable;
    Value* step;
    const std::vector<Value*>* params;
    Type* type;
    Value* label = nullptr;  // losses: the sample's target
  };

  // ---- the prox pass every update shares ----
  // For each chunk at offset i, trial(i) is the point to take the prox of; consume(i, proxed,
  // partial) receives prox(trial) on the penalized lanes and the trial itself on the others (an
  // intercept takes a plain gradient step; padding lanes are for the consumer to mask with
  // real_lanes). An elementwise prox is inlined: one pass. A called prox takes two: trial points
  // to a buffer, the call, then the consumer over its output.
  using ProxConsumer =
      std::function<std::vector<Value*>(Value* i, Value* proxed, std::vector<Value*> partial)>;

  // Visits the nonzeros of column j (CSC): visit(k, i, carried) with k the value's index and i
  // its row; returns the carried values after the last one.
  using SparseVisit =
      std::function<std::vector<Value*>(Value* k, Value* i, std::vector<Value*> carried)>;

  // Sums over column j's entries of term(i, a, vector): scalars over the nonzeros of a CSC
  // column, or vectors of kLanes samples down a dense column (reduced at the end). With no
  // sums, a visit of the entries.
  using ColumnTerm = std::function<std::vector<Value*>(Value* i, Value* a, bool vector)>;

  // if (condition) then(carried) -> values, else the carried values: a diamond with phis.
  using Branch = std::function<std::vector<Value*>()>;

  // Backtracking (backtracking.cpp): the step grows by 1/kShrink before each iteration's
  // first trial; at most kMaxTrials doublings of L.
  static constexpr double kShrink = 0.9;
  static constexpr int kMaxTrials = 60;

  struct BacktrackingStep {
    Value* squared_change;  // |z - x|^2 (scalar type)
    Value* curvature;       // the accepted L (double)
  };

  // splitmix64, the reference's SampleGenerator.
  static constexpr std::uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ull;

  // The start every lagged SAGA/SVRG step shares: step t, sample i at position s and its row,
  // the prefetch of the next samples, the margin with each touched coordinate (or group)
  // brought up to step t first, the sample's derivative d and delta = d - its stored one.
  struct LaggedSample {
    Value* t;
    Value* i;
    Value* begin;
    Value* end;
    Value* d;
    Value* delta;
    Value* t_next;
  };

  // ---- algorithms: one emitter each, found in the registry (algorithms.cpp) ----
  // The driver (emit_body) owns the loop around an algorithm: the budget, the tolerance, the
  // progress hook and the divergence test. An algorithm emits its setup before the loop and
  // one iteration, and declares the values it carries from one iteration to the next.
  struct CarriedValue {
    Type* type;
    Value* initial;  // from the setup
    const char* name;
  };
  struct LoopState {
    std::vector<Value*> state;  // the carried values, as declared
    Value* momentum;            // FISTA's t_k (the driver carries it)
    Value* step_double;
  };
  struct Iteration {
    // |dx|^2 (or the algorithm's sum of squares, in the scalar type); the certificate is its
    // square root over certificate_divisor (nullptr: the step).
    Value* squared_change = nullptr;
    Value* certificate_divisor = nullptr;
    std::vector<Value*> next_state = {};  // the carried values for the next iteration
    Value* next_momentum = nullptr;       // nullptr: t stays
  };
  struct AlgorithmEmitter {
    const char* name = nullptr;
    bool (*matches)(const KernelSpec& spec) = nullptr;
    // In the entry block, before the loop (args: the KernelArgs pointer); may be null.
    void (KernelEmitter::*setup)(Value* args, Value* step_double) = nullptr;
    std::vector<CarriedValue> (KernelEmitter::*state)() = nullptr;  // may be null
    bool state_first = false;  // the state's phis before the driver's (else after them)
    Iteration (KernelEmitter::*iterate)(const LoopState& loop) = nullptr;
  };
  static const AlgorithmEmitter& algorithm_for(const KernelSpec& spec);
  static const AlgorithmEmitter kProximalGradient, kBacktracking, kFista, kCoordinateDescent,
      kProximalNewton, kSgd, kSaga, kSvrg;

  // pgd.cpp
  Iteration pgd_iterate(const LoopState& loop);

  // emit_kernel.cpp
  Function* emit_body(const std::string& name);
  Value* field(Value* args, KernelArgField index);
  Function* emit_entry(const std::string& symbol, Function* body);
  Value* work_slot(Value* from, WorkSlot from_slot, WorkSlot to_slot);

  // layout_access.cpp
  Value* row_begin(Value* i);
  Value* row_end(Value* i);
  Value* dense_row(Value* i);
  Value* emit_sample_margin(Value* point, Value* i);
  void emit_sample_scatter(Value* target, Value* i, Value* scale);
  bool sparse_rows() const;
  bool sparse_columns() const;
  std::vector<Value*> for_sparse_column(Value* j, const std::vector<Value*>& initial,
                                        const SparseVisit& visit, const char* name);
  Value* column_pointer(Value* j);
  Value* column_index(Value* k);
  std::vector<Value*> column_sums(Value* j, int count, const ColumnTerm& term, const char* name);

  // ir.cpp
  std::vector<Value*> emit_loop(Value* begin, Value* end, const std::vector<Value*>& initial,
                                const LoopBody& body, const char* name);
  Value* address(Value* base, Value* index);
  Value* load_scalar(Value* base, Value* index);
  Value* load_vector(Value* base, Value* index);
  void store_vector(Value* value, Value* base, Value* index);
  Value* splat(Value* scalar);
  Value* scalar_constant(double value);
  Value* vector_constant(double value);
  Value* lanes_times(Value* chunk);
  Value* fma(Value* a, Value* b, Value* c);
  Value* reduce_rows(std::vector<Value*> sums);
  void emit_zero(Value* base, Value* chunks);
  Value* lane_index(Value* i);
  Value* penalized_lanes(Value* i);
  Value* real_lanes(Value* i);
  Value* lane_numbers();
  Value* load_at(Value* base, Value* i, bool vector);
  void store_at(Value* value, Value* base, Value* i, bool vector);
  std::vector<Value*> emit_if(Value* condition, const std::vector<Value*>& otherwise,
                              const Branch& then, const char* name);
  Value* load_i64(Value* base, Value* index);
  void store_i64(Value* value, Value* base, Value* index);
  Value* to_scalar(Value* f64_value);
  void emit_if(Value* condition, const std::function<void()>& then, const char* name);
  Value* emit_if_else(Value* condition, const std::function<Value*()>& then,
                      const std::function<Value*()>& otherwise, const char* name);
  void prefetch(Value* address);
  void emit_copy(Value* from, Value* to);

  // gradient_quadratic.cpp
  Value* emit_quadratic_gradient();
  Value* emit_gradient();

  // gradient_margin.cpp
  Value* emit_margin_gradient_dense();
  Value* emit_margin_gradient_csr();
  Value* inverse_n();
  Value* emit_sample_derivative(Value* margins, Value* first);
  Value* emit_sample_derivative_scalar(Value* margin, Value* i);

  // vector_math.cpp
  Value* emit_exp(Value* a);
  Value* emit_log(Value* a);
  Value* emit_libm(const char* double_name, Value* a);
  Value* emit_log1p(Value* u);

  // expr.cpp
  Value* emit_prox_vector(Value* y);
  Value* emit_expr(const expr::Expr& e, const ExprEnv& env);
  Value* emit_condition(const expr::Expr& e, const ExprEnv& env);

  // prox_pass.cpp
  std::vector<Value*> emit_prox_pass(const std::function<Value*(Value*)>& trial, Value* step,
                                     const std::vector<Value*>& initial,
                                     const ProxConsumer& consume, const char* name);
  Value* emit_update(Value* gradient_scale);
  Value* emit_gradient_step(Value* step, Value* gradient_scale, Value* gradient, Value* destination,
                            const char* name);

  // fista.cpp
  void fista_setup(Value* args, Value* step_double);
  Iteration fista_iterate(const LoopState& loop);
  std::pair<Value*, Value*> emit_fista_update(Value* gradient_scale);
  void emit_extrapolation(Value* beta);

  // coordinate_descent.cpp
  void coordinate_descent_setup(Value* args, Value* step_double);
  Iteration coordinate_descent_iterate(const LoopState& loop);
  void emit_coordinate_descent_setup();
  Value* emit_coordinate_gradient(Value* j);
  Value* emit_coordinate_descent_epoch();

  // coordinate_newton.cpp
  std::pair<Value*, Value*> emit_coordinate_gradient_and_hessian(Value* j);
  std::vector<Value*> emit_sample_values(Value* z, Value* i, bool vector, bool with_loss = true);
  void emit_newton_cache_setup();
  std::pair<Value*, Value*> emit_coordinate_loss_change(Value* j, Value* delta);
  Value* delta_splat_or(Value* delta, bool vector);
  Value* emit_coordinate_regularizer(Value* j, Value* value);
  void emit_restore_column(Value* j);
  Value* emit_coordinate_newton_epoch();

  // proximal_newton.cpp
  void proximal_newton_setup(Value* args, Value* step_double);
  std::vector<CarriedValue> proximal_newton_state();
  Iteration proximal_newton_iterate(const LoopState& loop);
  Value* pair_slot(Value* i, int which);
  Value* coordinate_prox(Value* j, Value* trial, Value* step);
  Value* emit_newton_outer_setup();
  Value* emit_newton_inner_pass();
  Value* newton_point(Value* j, Value* beta);
  Value* active_coordinates_sum(const std::function<Value*(Value* j)>& term, const char* name);
  std::pair<Value*, Value*> emit_newton_loss_change(Value* beta);
  Value* next_newton_beta(Value* beta, Value* change);
  Value* emit_proximal_newton_step();

  // backtracking.cpp
  void backtracking_setup(Value* args, Value* step_double);
  std::vector<CarriedValue> backtracking_state();
  Iteration backtracking_iterate(const LoopState& loop);
  BacktrackingStep emit_backtracking_step(Value* curvature, Value* gradient, Value* spare);

  // lagged.cpp
  bool stochastic_lagged() const;
  bool group_lagged_possible() const;
  bool sgd_lagged() const;
  LaggedProx::Kind lagged_kind() const;
  Value* lagged_weight(int slot);
  bool lagged_soft_threshold() const;
  Value* emit_scalar_prox(Value* y, Value* step);
  Value* emit_catch_up(Value* x, Value* c, Value* k, Value* j);
  void emit_bring_up(Value* j, Value* t);
  Value* emit_sgd_total_increment(Value* rate);
  Value* emit_sgd_catch_up(Value* x, Value* gap, Value* j);
  void emit_sgd_bring_up(Value* j, Value* t, Value* total);
  LaggedSample emit_lagged_sample(Value* s, const std::function<void(Value* j, Value* t)>& bring_up,
                                  const char* name);

  // stochastic.cpp
  Value* emit_stochastic_certificate();
  Value* emit_random();
  Value* emit_mix(Value* state);
  Value* emit_below(Value* random, Value* n);
  Value* emit_random_below(Value* n);
  Value* shuffled();
  void emit_start_epoch();
  Value* emit_sample_at(Value* position);
  Value* emit_peek_sample(Value* position, int ahead);
  void emit_prefetch_samples(Value* position);
  void emit_full_pass(Value* point, Value* gradient, bool keep_derivatives);
  void emit_stochastic_setup(Value* args, Value* step_double);

  // lagged_groups.cpp
  Value* group_start(Value* g);
  void emit_group_catch_up(Value* g, Value* k);
  Value* group_slot(Value* j);
  void emit_group_bring_up(Value* j, Value* t);
  void emit_group_lagged_step(Value* s);
  void emit_group_catch_all();

  // sgd.cpp
  Iteration sgd_iterate(const LoopState& loop);
  void emit_sgd_epoch();
  Value* emit_schedule_factor(Value* t, Value* steps);
  void emit_sgd_step(Value* s, Value* steps);
  void emit_sgd_lagged_step(Value* s, Value* steps);

  // saga_svrg.cpp
  Iteration variance_reduced_iterate(const LoopState& loop);
  void emit_variance_reduced_epoch();
  void emit_variance_reduced_dense_step(Value* s);
  void emit_variance_reduced_lagged_step(Value* s);

  llvm::LLVMContext& context_;
  llvm::Module& module_;
  const KernelSpec& spec_;
  const CodegenOptions& options_;
  llvm::IRBuilder<> b_;
  Type* scalar_ = nullptr;
  llvm::FixedVectorType* vector_ = nullptr;
  Type* i64_ = nullptr;
  Type* f64_ = nullptr;
  llvm::PointerType* ptr_ = nullptr;
  llvm::Align alignment_;
  Value* A_ = nullptr;
  Value* b_vector_ = nullptr;
  Value* x_ = nullptr;
  // The work buffer's vectors 1 and 2 as the body's arguments; the passes read them through
  // the names of their roles below (WorkLayout).
  Value* y_ = nullptr;
  Value* x_previous_ = nullptr;
  Value* point_ = nullptr;  // where the gradient is taken: x (pgd) or y (FISTA)
  Value* fista_point_ = nullptr;
  Value* fista_previous_ = nullptr;
  Value* trial_gradient_ = nullptr;  // backtracking
  Value* trial_point_ = nullptr;
  Value* lipschitz_ = nullptr;  // coordinate descent
  Value* newton_curvature_ = nullptr;
  Value* newton_point_ = nullptr;
  Value* direction_margins_ = nullptr;
  Value* mean_gradient_ = nullptr;  // SAGA, SVRG
  Value* direction_ = nullptr;
  Value* group_step_ = nullptr;
  Value* batch_gradient_ = nullptr;  // SGD
  Value* sgd_iterate_ = nullptr;
  Value* grad_ = nullptr;
  Value* rows_ = nullptr;
  Value* cols_ = nullptr;
  Value* chunks_ = nullptr;  // vectors per padded row
  Value* stride_ = nullptr;  // padded row length
  Value* step_scalar_ = nullptr;
  Value* step_ = nullptr;       // splat
  std::vector<Value*> params_;  // splats
  std::vector<Value*> scalar_params_;
  Value* sample_chunks_ = nullptr;  // vectors per padded column of samples (losses)
  Value* offsets_ = nullptr;        // sparse layouts
  Value* indices_ = nullptr;
  Value* weights_ = nullptr;      // per-sample weights (spec.weighted)
  Value* scratch_in_ = nullptr;   // work vector 3
  Value* scratch_out_ = nullptr;  // work vector 4
  Value* prox_input_ = nullptr;   // a called prox's input
  Value* prox_output_ = nullptr;  // and output
  Value* margins_ = nullptr;      // coordinate descent on a loss: z = A x
  // Coordinate Newton steps: phi, w phi', w phi'' per sample at the margins, the same at the
  // last trial point, and the trial's margins.
  // (coordinate_work_layout in kernel_spec.h says where the engine finds phi and w phi'.)
  enum { kLoss, kSlope, kCurvature, kCachedValues };
  Value* cached_[kCachedValues] = {};
  Value* trial_[kCachedValues] = {};
  Value* trial_margins_ = nullptr;
  Value* model_pairs_ = nullptr;  // proximal Newton on CSC: (u_i, w_i phi''(z_i)) per sample
  Value* newton_sum_ = nullptr;
  Value* initial_newton_sum_ = nullptr;
  Value* initial_curvature_ = nullptr;  // backtracking: 1 / the first step   // proximal Newton:
                                        // the certificate's sum of squares at x
  Value* penalized_ = nullptr;          // r applies to x[0, penalized)
  Value* curvature_ = nullptr;          // the loss's sup phi''
  Value* prox_call_ = nullptr;
  Value* prox_context_ = nullptr;
  std::vector<Value*> loss_params_;  // splats
  std::vector<Value*> loss_scalar_params_;
  // Stochastic solvers (emit_stochastic_setup).
  Value* step_double_ = nullptr;
  Value* memory_ = nullptr;      // per-sample scalars (SAGA's alpha, SVRG's snapshot)
  Value* lags_ = nullptr;        // i64 per coordinate: the step it was last brought up to
  Value* order_ = nullptr;       // i64 per sample: the epoch's order (shuffling)
  Value* sum_ = nullptr;         // SGD: sum of iterates (averaging) or lagged totals
  Value* rng_state_ = nullptr;   // alloca: splitmix64's counter
  Value* step_count_ = nullptr;  // alloca: steps taken since the start (t)
  Value* sgd_total_ = nullptr;   // alloca: SGD's lagged running total in this epoch
  Value* batch_ = nullptr;
  Value* schedule_ = nullptr;
  Value* sampling_ = nullptr;
  Value* averaging_ = nullptr;  // i1
  // Lagged group_l2 steps (KernelArgs::groups): each penalized coordinate's group, the groups'
  // starts, whether they are given (i1), and lambda.
  Value* groups_ = nullptr;
  Value* group_starts_ = nullptr;
  Value* has_groups_ = nullptr;
  Value* group_lambda_ = nullptr;
};

}  // namespace proxjit::codegen
